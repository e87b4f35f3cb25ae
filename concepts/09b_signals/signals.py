"""Lesson 9b's demo in Python: Ctrl-C to a job, SIGTERM as a request, SIGPIPE, wakeup fd."""

import os
import signal


def wait_for_ctrl_c(ready_w):
    """Python turns SIGINT into KeyboardInterrupt, raised in the main thread."""
    try:
        os.write(ready_w, b"x")  # inside the try: a Ctrl-C may come at once
        signal.pause()
    except KeyboardInterrupt:
        return True
    return False


def ctrl_c_to_a_job():
    """A job of 3 processes in its own group; SIGINT to the group; how many it reached."""
    ready_r, ready_w = os.pipe()
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)  # a job of its own, as a shell makes one per command line
        helpers = []
        for _ in range(2):
            pid = os.fork()
            if pid == 0:
                os._exit(130 if wait_for_ctrl_c(ready_w) else 0)
            helpers.append(pid)
        reached = 1 if wait_for_ctrl_c(ready_w) else 0
        for pid in helpers:
            _, status = os.waitpid(pid, 0)
            reached += os.WIFEXITED(status) and os.WEXITSTATUS(status) == 130
        os._exit(reached)
    os.setpgid(job, job)
    for _ in range(3):
        os.read(ready_r, 1)
    os.killpg(job, signal.SIGINT)
    _, status = os.waitpid(job, 0)
    return os.WEXITSTATUS(status)


def sigterm_caught():
    """SIGTERM with a handler that uses signal.set_wakeup_fd (Python's own self-pipe)."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)            # the C handler writes the signal number here
        signal.signal(signal.SIGTERM, lambda *_: None)
        os.write(ready_w, b"x")
        number = os.read(wake_r, 1)[0]          # the main loop learns of it, in order
        os._exit(0 if number == signal.SIGTERM else 1)
    os.read(ready_r, 1)
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)


def write_to_a_closed_pipe():
    """Python ignores SIGPIPE at start-up: the write raises BrokenPipeError instead."""
    r, w = os.pipe()
    os.close(r)
    try:
        os.write(w, b"x")
        return "written?"
    except BrokenPipeError:
        return "BrokenPipeError (EPIPE)"
    finally:
        os.close(w)


if __name__ == "__main__":
    print(f"1. Ctrl-C to a job of 3 processes: it reached {ctrl_c_to_a_job()}")
    print(f"2. SIGTERM, caught through set_wakeup_fd: exit code {sigterm_caught()}")
    print(f"3. Writing to a pipe nobody can read: {write_to_a_closed_pipe()}")
