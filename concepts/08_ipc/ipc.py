"""Lesson 8's demo in Python: a pipe, a shared counter, a queue, and a lock whose holder dies."""

import multiprocessing as mp
import os
import signal
import time


def send_messages(connection):
    for size in (5, 64 * 1024 + 1, 1 << 20):
        connection.send_bytes(b"x" * size)
    connection.close()


def add(counter, times, locked):
    for _ in range(times):
        if locked:
            with counter.get_lock():
                counter.value += 1
        else:
            counter.value += 1  # read, then write: another process may write in between


def produce(queue, first, count):
    for item in range(first, first + count):
        queue.put(item)


def hold(lock, holding):
    lock.acquire()
    holding.set()
    time.sleep(3600)  # until killed


def run_all(processes):
    for p in processes:
        p.start()
    for p in processes:
        p.join()


if __name__ == "__main__":
    mp.set_start_method("fork")
    receiver, sender = mp.Pipe(duplex=False)
    child = mp.Process(target=send_messages, args=(sender,))
    child.start()
    sender.close()
    print("1. pipe: received", [len(receiver.recv_bytes()) for _ in range(3)], "bytes")
    child.join()

    for locked in (False, True):
        counter = mp.Value("q", 0)  # a lock comes with it; used only when asked
        run_all([mp.Process(target=add, args=(counter, 5000, locked)) for _ in range(4)])
        print(f"2. shared counter {'with' if locked else 'without'} the lock: {counter.value} of 20000")

    queue = mp.Queue()
    producers = [mp.Process(target=produce, args=(queue, p * 1000, 1000)) for p in range(4)]
    for p in producers:
        p.start()
    received = {queue.get(timeout=30) for _ in range(4000)}
    for p in producers:
        p.join()
    print(f"3. queue: {len(received)} distinct items of 4000")

    lock, holding = mp.Lock(), mp.Event()
    holder = mp.Process(target=hold, args=(lock, holding))
    holder.start()
    holding.wait(30)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    print("4. lock whose holder was killed: acquire(timeout=1) ->", lock.acquire(timeout=1))
