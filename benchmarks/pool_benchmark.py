#!/usr/bin/env python3
"""Python's multiprocessing.Pool on the same jobs as //benchmarks:pool_benchmark.

    python3 benchmarks/pool_benchmark.py [--repetitions 3] [--cpp PATH]

With --cpp (the path of //benchmarks:pool_benchmark, built with -c opt), it first runs
the C++ Pool benchmarks, then these, and prints both side by side with their ratios:
one run, one machine, one table. `bazel run -c opt //benchmarks:pool_side_by_side` does
exactly that.

Map over 20,000 integers with a task that returns its argument, for chunksizes 1, 16, 256
and automatic (None), and over 1,000,000 integers for chunksizes 16, 256 and automatic,
one worker per CPU; and one apply_async(...).get() at a time.
Prints the median of the repetitions, wall time (time.perf_counter), in the same units as
the C++ benchmark, so the two can be read side by side.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
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


def run_cpp(binary, repetitions):
    """Medians from the C++ benchmark: {(chunksize, tasks): tasks/s}, round trip in us."""
    report = subprocess.run(
        [binary, "--benchmark_filter=BM_Pool", f"--benchmark_repetitions={repetitions}",
         "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
        check=True, stdout=subprocess.PIPE, text=True).stdout
    rates, round_trip_us = {}, None
    to_us = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    for entry in json.loads(report)["benchmarks"]:
        if entry.get("aggregate_name") != "median":
            continue
        name = entry["run_name"]
        if name.startswith("BM_PoolMap/"):
            fields = dict(part.split(":") for part in name.split("/")[1:] if ":" in part)
            rates[(int(fields["chunksize"]), int(fields["tasks"]))] = entry["tasks_per_second"]
        elif name.startswith("BM_PoolApplyRoundTrip"):
            round_trip_us = entry["real_time"] * to_us[entry["time_unit"]]
    return rates, round_trip_us


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--cpp", help="path of the C++ pool_benchmark, to compare with")
    args = parser.parse_args()
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")
    cpp_rates, cpp_round_trip = {}, None
    if args.cpp:
        if not os.access(args.cpp, os.X_OK):
            parser.error(f"--cpp {args.cpp}: not an executable file")
        cpp_rates, cpp_round_trip = run_cpp(args.cpp, args.repetitions)
    workers = len(os.sched_getaffinity(0))
    print(f"{workers} workers; medians of {args.repetitions} runs; tasks/s, higher is better")
    print(f"{'Map':<28}{'python':>12}{'C++ Pool':>12}{'ratio':>9}")
    with multiprocessing.Pool(workers) as pool:
        pool.map(same, range(100))  # start every worker before measuring
        for chunksize, tasks in MAPS:
            rates = [time_map(pool, chunksize, tasks) for _ in range(args.repetitions)]
            python = statistics.median(rates)
            line = f"{f'chunksize={chunksize} tasks={tasks}':<28}{python / 1e3:11.1f}k"
            cpp = cpp_rates.get((chunksize, tasks))
            if cpp:
                line += f"{cpp / 1e3:11.0f}k{cpp / python:8.1f}x"
            print(line, flush=True)
        latencies = [time_apply(pool) for _ in range(args.repetitions)]
        python_us = statistics.median(latencies) * 1e6
        line = f"{'apply_async round trip':<28}{python_us:10.1f}us"
        if cpp_round_trip:
            line += f"{cpp_round_trip:10.1f}us{python_us / cpp_round_trip:8.1f}x faster"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
