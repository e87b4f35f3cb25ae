"""Q4's demo in Python: a process per task, then a pool that reuses its workers."""

import collections
import multiprocessing as mp
import os
import time


def who_ran_me(_task):
    return os.getpid()


if __name__ == "__main__":
    tasks = 200
    start = time.perf_counter()
    pids = set()
    for task in range(tasks):
        process = mp.Process(target=who_ran_me, args=(task,))
        process.start()
        pids.add(process.pid)
        process.join()
    per_task = time.perf_counter() - start
    print(f"a new process per task: {len(pids)} distinct pids, {per_task:.4f} s")

    start = time.perf_counter()
    with mp.Pool(2) as pool:
        ran_by = pool.map(who_ran_me, range(tasks))
    pooled = time.perf_counter() - start
    print(f"a pool of 2 workers:    {len(set(ran_by))} distinct pids, {pooled:.4f} s")
    for pid, count in collections.Counter(ran_by).items():
        print(f"  worker pid {pid} ran {count} tasks")
    print(f"the pool was {per_task / pooled:.1f}x faster")
