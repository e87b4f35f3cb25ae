"""Lesson 9's demo in Python: one task kills its worker, and Pool.map never returns.

CPython's multiprocessing.Pool replaces a dead worker but forgets the task it was running
(a long-standing open CPython bug), so the map waits for that result forever. We ask with
a timeout so that this script ends.
"""

import multiprocessing as mp
import os
import signal


def double_or_crash(task):
    if task == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return 2 * task


if __name__ == "__main__":
    mp.set_start_method("fork")
    pool = mp.Pool(2)
    result = pool.map_async(double_or_crash, range(12), chunksize=1)
    try:
        print("map returned", result.get(timeout=3))
    except mp.TimeoutError:
        print("python: map still waiting after 3 s; the task whose worker died is lost")
    pool.terminate()
    pool.join()
