"""Lesson 3b's demo in Python: fork, exec and wait with the os module, no multiprocessing."""

import os
import signal
import sys


def status_text(status):
    if os.WIFEXITED(status):
        return f"WIFEXITED, WEXITSTATUS = {os.WEXITSTATUS(status)}"
    if os.WIFSIGNALED(status):
        return f"WIFSIGNALED, WTERMSIG = {os.WTERMSIG(status)}"
    return "neither"


def main():
    print("1. fork() returns twice")
    sys.stdout.flush()  # or the child's copy of this buffer is printed again
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write_end, f"{pid} {os.getpid()} {os.getppid()}".encode())
        os._exit(0)
    os.close(write_end)
    in_child, child_pid, child_parent = os.read(read_end, 100).split()
    os.close(read_end)
    os.waitpid(pid, 0)
    print(f"   in the parent: fork returned {pid}; fork returned {in_child.decode()} in the child, "
          f"whose getpid() is {child_pid.decode()}")

    print("2. exec replaces the program and keeps the process")
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.execve("/usr/bin/env", ["env"], {"COURSE": "lesson-3b"})
        finally:
            os._exit(127)  # only if execve failed
    _, status = os.waitpid(pid, 0)
    print(f"   env ran in pid {pid}: {status_text(status)}")

    print("3. waitpid() and the status macros")
    for code, sig in ((3, None), (None, signal.SIGABRT)):
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            if sig is not None:
                signal.signal(sig, signal.SIG_DFL)
                os.kill(os.getpid(), sig)
            os._exit(code if code is not None else 100)
        _, status = os.waitpid(pid, 0)  # Python retries on EINTR itself (PEP 475)
        print(f"   {status_text(status)}")

    print("4. Exit codes are 8 bits:", end=" ")
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os._exit(300)
    _, status = os.waitpid(pid, 0)
    print(f"_exit(300) -> {os.WEXITSTATUS(status)}")


if __name__ == "__main__":
    main()
