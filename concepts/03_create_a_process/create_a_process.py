"""Q3's demo in Python: start a process, see it alive, let it go, join it."""

import multiprocessing as mp
import os


def child(go, exit_code):
    go.wait(60)
    print(f"  child:  I am pid {os.getpid()}, named {mp.current_process().name}; "
          f"my parent is pid {os.getppid()}", flush=True)
    raise SystemExit(exit_code)


if __name__ == "__main__":  # spawn and forkserver re-import this file: guard the start-up
    mp.set_start_method("fork")  # or "spawn", "forkserver"
    go = mp.Event()
    process = mp.Process(target=child, args=(go, 3))
    process.start()
    print(f"parent: start() returned; child pid {process.pid}, is_alive() = {process.is_alive()}")
    go.set()
    process.join()
    print(f"parent: join() returned; is_alive() = {process.is_alive()}, exitcode = {process.exitcode}")
