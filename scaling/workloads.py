#!/usr/bin/env python3
"""The scaling report's workloads in Python, with only its standard library.

//benchmarks:scaling_report runs this once per engine and workload and reads its output;
it passes every size explicitly, so both languages run jobs of the same shape:

    python3 workloads.py --engine pool --workload cpu --workers 1,2 --repetitions 3 \\
        --tasks 240 --first_number 10000000 --numbers_per_task 400 ...

Engines: "pool" is multiprocessing.Pool (worker processes, started with fork as on Linux
before Python 3.14); "threads" is multiprocessing.pool.ThreadPool (threading underneath,
so every task needs the GIL to run Python code).

Prints one line per timed job: "RUN <workers> <repetition> <wall seconds> <checksum>".
Before the timed jobs at each worker count, one untimed job warms the pool up.
"""

import argparse
import multiprocessing
import multiprocessing.pool
import sys
import time

SLICE_BYTES = 4 << 20
ARRAY = b""  # the memory workload's array, built before the pool forks


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    divisor = 3
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 2
    return True


def count_primes(first_and_count):
    first, count = first_and_count
    return sum(1 for n in range(first, first + count) if is_prime(n))


def scan_slices(first_and_count):
    """Scans the slices for a byte value the array never holds: bytes.find() is memchr, a C
    loop as fast as the memory bus, run under the GIL. Returns how many slices it scanned."""
    first, count = first_and_count
    slice_count = len(ARRAY) // SLICE_BYTES
    scanned = 0
    for i in range(first, first + count):
        start = (i % slice_count) * SLICE_BYTES
        scanned += ARRAY.find(b"\xff", start, start + SLICE_BYTES) == -1
    return scanned


def wait_micros(micros):
    time.sleep(micros / 1e6)  # releases the GIL while it waits
    return 1


def same(x):
    return x


def run_job(pool, args):
    """Runs one job; returns its checksum."""
    tasks = range(args.tasks)
    if args.workload == "cpu":
        ranges = [(args.first_number + i * args.numbers_per_task, args.numbers_per_task)
                  for i in tasks]
        return sum(pool.map(count_primes, ranges, chunksize=1))
    if args.workload == "serial":
        head = round(args.numbers_per_task * (1 - args.serial_fraction))
        starts = [args.first_number + i * args.numbers_per_task for i in tasks]
        serial = sum(count_primes((s + head, args.numbers_per_task - head)) for s in starts)
        return serial + sum(pool.map(count_primes, [(s, head) for s in starts], chunksize=1))
    if args.workload == "memory":
        slices = [(i * args.slices_per_task, args.slices_per_task) for i in tasks]
        return sum(pool.map(scan_slices, slices, chunksize=1))
    if args.workload == "blocking":
        return sum(pool.map(wait_micros, [args.wait_micros] * args.tasks, chunksize=1))
    if args.workload == "trivial":
        return sum(pool.map(same, range(args.trivial_tasks)))
    raise ValueError(args.workload)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["pool", "threads"], required=True)
    parser.add_argument("--workload", choices=["cpu", "memory", "blocking", "serial", "trivial"],
                        required=True)
    parser.add_argument("--workers", required=True, help="comma-separated worker counts")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=240)
    parser.add_argument("--first_number", type=int, default=10_000_000)
    parser.add_argument("--numbers_per_task", type=int, default=400)
    parser.add_argument("--array_bytes", type=int, default=256 << 20)
    parser.add_argument("--slices_per_task", type=int, default=8)
    parser.add_argument("--wait_micros", type=int, default=4000)
    parser.add_argument("--serial_fraction", type=float, default=0.25)
    parser.add_argument("--trivial_tasks", type=int, default=1_000_000)
    args = parser.parse_args()

    global ARRAY
    if args.workload == "memory":
        ARRAY = bytes(range(255)) * (args.array_bytes // 255 + 1)  # never 255

    for workers in [int(w) for w in args.workers.split(",")]:
        if args.engine == "pool":
            pool = multiprocessing.get_context("fork").Pool(workers)
        else:
            pool = multiprocessing.pool.ThreadPool(workers)
        with pool:
            run_job(pool, args)  # warm-up
            for repetition in range(args.repetitions):
                start = time.perf_counter()
                checksum = run_job(pool, args)
                elapsed = time.perf_counter() - start
                print(f"RUN {workers} {repetition} {elapsed:.6f} {checksum}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
