"""Q2's demo in Python: memory, crashes and CPU, with processes and with threads."""

import multiprocessing as mp
import os
import signal
import threading
import time
from multiprocessing.pool import ThreadPool

counter = 0


def set_counter():
    global counter
    counter = 42


def crash():
    os.kill(os.getpid(), signal.SIGSEGV)


def count_primes(first, count=2_000):
    def is_prime(n):
        if n < 2:
            return False
        d = 2
        while d * d <= n:
            if n % d == 0:
                return False
            d += 1
        return True
    return sum(is_prime(n) for n in range(first, first + count))


def timed(pool_class, workers, ranges):
    with pool_class(workers) as pool:
        start = time.perf_counter()
        pool.map(count_primes, ranges)
        return time.perf_counter() - start


if __name__ == "__main__":
    child = mp.Process(target=set_counter)
    child.start()
    child.join()
    print(f"a child process set counter = 42; the parent sees counter = {counter}")
    thread = threading.Thread(target=set_counter)
    thread.start()
    thread.join()
    print(f"a thread set counter = 42;        the main thread sees counter = {counter}")

    crasher = mp.Process(target=crash)
    crasher.start()
    crasher.join()
    print(f"a child process crashed (exitcode {crasher.exitcode}); this process runs on")

    ranges = [10_000_000 + i * 2_000 for i in range(16)]
    workers = min(2, os.cpu_count())
    for name, pool_class in (("processes", mp.Pool), ("threads (GIL)", ThreadPool)):
        one, many = timed(pool_class, 1, ranges), timed(pool_class, workers, ranges)
        print(f"{name:14} speedup on {workers} workers: {one / many:.2f}")
