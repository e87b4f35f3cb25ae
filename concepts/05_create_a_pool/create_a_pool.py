"""Q5's demo in Python: create a pool, map over it, close it, join it."""

import multiprocessing as mp
import os

offset = 0


def set_offset(value):  # runs once in every worker
    global offset
    offset = value


def square_plus_offset(x):
    return x * x + offset, os.getpid()


if __name__ == "__main__":
    pool = mp.Pool(processes=None,  # None: os.cpu_count() workers
                   initializer=set_offset, initargs=(1000,), maxtasksperchild=None)
    results = pool.map(square_plus_offset, range(1, 13), chunksize=None)
    print("Map:", [value for value, _ in results])
    print("run by", len({pid for _, pid in results}), "distinct worker processes")
    pool.close()
    try:
        pool.map(square_plus_offset, [1])
    except ValueError as error:
        print("after close(), map raises:", error)
    pool.join()
    print("join(): every worker has exited")
