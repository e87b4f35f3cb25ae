#!/usr/bin/env python3
"""Python's multiprocessing.Pool on the same jobs as //benchmarks:pool_benchmark.

    python3 benchmarks/pool_benchmark.py [--repetitions 3]

Map over 20,000 integers with a task that returns its argument, for chunksizes 1, 16, 256
and automatic (None), one worker per CPU; and one apply_async(...).get() at a time.
Prints the median of the repetitions, wall time (time.perf_counter), in the same units as
the C++ benchmark, so the two can be read side by side.
"""

import argparse
import multiprocessing
import os
import statistics
import time

TASKS_PER_MAP = 20_000


def same(x):
    return x


def time_map(pool, chunksize):
    start = time.perf_counter()
    results = pool.map(same, range(TASKS_PER_MAP), chunksize=chunksize)
    elapsed = time.perf_counter() - start
    assert len(results) == TASKS_PER_MAP
    return TASKS_PER_MAP / elapsed


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
        for chunksize in (1, 16, 256, None):
            rates = [time_map(pool, chunksize) for _ in range(args.repetitions)]
            print(f"python Pool.map chunksize={chunksize or 0:<4} "
                  f"{statistics.median(rates) / 1000:10.1f}k tasks/s")
        latencies = [time_apply(pool) for _ in range(args.repetitions)]
        print(f"python Pool.apply_async round trip {statistics.median(latencies) * 1e6:10.1f} us")


if __name__ == "__main__":
    main()
