"""Q1's demo in Python: CPU-bound, blocking and tiny tasks on 1 and N processes, and isolation."""

import multiprocessing as mp
import os
import signal
import time


def count_primes(first, count=2_000):
    def is_prime(n):
        d = 2
        while d * d <= n:
            if n % d == 0:
                return False
            d += 1
        return n >= 2
    return sum(is_prime(n) for n in range(first, first + count))


def wait_4ms(_):
    time.sleep(0.004)


def same(x):
    return x


def crash():
    os.kill(os.getpid(), signal.SIGSEGV)


def timed(workers, task, inputs, chunksize=None):
    with mp.Pool(workers) as pool:
        pool.map(task, inputs[:workers])  # warm up: workers started
        start = time.perf_counter()
        pool.map(task, inputs, chunksize=chunksize)
        return time.perf_counter() - start


if __name__ == "__main__":
    n = max(2, len(os.sched_getaffinity(0)))
    ranges = [10_000_000 + i * 2_000 for i in range(24)]
    one, many = timed(1, count_primes, ranges), timed(n, count_primes, ranges)
    print(f"1. CPU-bound: 1 process {one:.3f} s, {n} processes {many:.3f} s: {one / many:.2f}x")
    one, many = timed(1, wait_4ms, list(range(48))), timed(4 * n, wait_4ms, list(range(48)))
    print(f"2. blocking: 1 process {one:.3f} s, {4 * n} processes {many:.3f} s: {one / many:.2f}x")
    start = time.perf_counter()
    [same(x) for x in range(2_000)]
    loop = time.perf_counter() - start
    pooled = timed(2, same, list(range(2_000)), chunksize=1)
    print(f"3. tiny tasks: a loop {loop * 1e6:.0f} µs, a pool {pooled * 1e6:.0f} µs: {pooled / loop:.0f}x slower")
    child = mp.Process(target=crash)
    child.start()
    child.join()
    print(f"4. a child process crashed (exitcode {child.exitcode}); this process is still here")
