"""Lesson 7's demo in Python: what a child sees under fork, spawn and forkserver."""

import multiprocessing as mp
import os
import threading
import time

setting = 0
held_by_thread = threading.Lock()


def inspect(fd, pipe_inode, answer):
    try:  # open, and still our pipe (the number may be reused for something else)
        descriptor_open = os.fstat(fd).st_ino == pipe_inode
    except OSError:
        descriptor_open = False
    lock_free = held_by_thread.acquire(blocking=False)
    answer.put((setting == 42, descriptor_open, lock_free))


def nothing():
    pass


if __name__ == "__main__":
    mp.set_forkserver_preload([])
    setting = 42
    read_fd, write_fd = os.pipe()
    release = threading.Event()
    taken = threading.Event()

    def hold():
        with held_by_thread:
            taken.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    print("| start method | sees setting == 42 | descriptor open | lock free | start+join |")
    for method in ("fork", "spawn", "forkserver"):
        context = mp.get_context(method)
        answer = context.SimpleQueue()
        child = context.Process(target=inspect, args=(read_fd, os.fstat(read_fd).st_ino, answer))
        child.start()
        child.join()
        sees, descriptor_open, lock_free = answer.get()
        start = time.perf_counter()
        for _ in range(10):
            p = context.Process(target=nothing)
            p.start()
            p.join()
        micros = (time.perf_counter() - start) / 10 * 1e6
        print(f"| {method} | {sees} | {descriptor_open} | {lock_free} | {micros:.0f} µs |")
    release.set()
    holder.join()
