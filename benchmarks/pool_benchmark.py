#!/usr/bin/env python3
"""Python's multiprocessing.Pool on the same jobs as //benchmarks:pool_benchmark.

    python3 benchmarks/pool_benchmark.py [--repetitions 3]

Map over 20,000 integers with a task that returns its argument, for chunksizes 1, 16, 256
and automatic (None), and over 1,000,000 integers for chunksizes 16, 256 and automatic,
one worker per CPU; and one apply_async(...).get() at a time.
Prints the median of the repetitions, wall time (time.perf_counter), in the same units as
the C++ benchmark, so the two can be read side by side.
"""

import argparse
import multiprocessing
import os
import statistics
import time

# (chunksize, tasks) as in the C++ benchmark; 0 is automatic.
MAPS = [(1, 20_000), (16, 20_000), (256, 20_000), (0, 20_000),
        (16, 1_000_000), (256, 1_000_000), (0, 1_000_000)]


def same(x):
    return x


def time_map(pool, chunksize, tasks):
    start = time.perf_counter()
    results = pool.map(same, range(tasks), chunksize=chunksize or None)
    elapsed = time.perf_counter() - start
    assert len(results) == tasks
    return tasks / elapsed


def time_apply(pool, seconds=1.0):
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        pool.apply_async(same, (calls,)).get()
        calls += 1
    return (time.perf_counter() - start) / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    workers = len(os.sched_getaffinity(0))
    with multiprocessing.Pool(workers) as pool:
        pool.map(same, range(100))  # start every worker before measuring
        for chunksize, tasks in MAPS:
            rates = [time_map(pool, chunksize, tasks) for _ in range(args.repetitions)]
            print(f"python Pool.map chunksize={chunksize:<4} tasks={tasks:<8} "
                  f"{statistics.median(rates) / 1000:10.1f}k tasks/s")
        latencies = [time_apply(pool) for _ in range(args.repetitions)]
        print(f"python Pool.apply_async round trip {statistics.median(latencies) * 1e6:10.1f} us")


if __name__ == "__main__":
    main()
