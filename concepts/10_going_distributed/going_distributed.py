"""Lesson 10's demo in Python: multiprocessing's own way to work across machines.

Python has no pool over other hosts, but multiprocessing.managers serves objects over
TCP, with an authkey: a "host" here is a process serving a Squares object, reached at an
address as another machine would be. Measured: a call there and back against a local
Pool's apply; a wrong authkey; and what a call gets once the host has been killed.
"""

import multiprocessing as mp
import os
import signal
import time
from multiprocessing.managers import BaseManager

AUTHKEY = b"open-sesame"
CALLS = 500


class Squares:
    def square(self, x):
        return x * x


def square(x):
    return x * x


class HostManager(BaseManager):
    pass


HostManager.register("Squares", callable=Squares)


def serve(addresses):
    """The host: serves Squares on a loopback port the kernel picks, until killed."""
    server = HostManager(address=("127.0.0.1", 0), authkey=AUTHKEY).get_server()
    addresses.put(server.address)
    server.serve_forever()


def mean_seconds(call):
    call(1)  # the first call sets things up
    start = time.perf_counter()
    for i in range(CALLS):
        call(i)
    return (time.perf_counter() - start) / CALLS


if __name__ == "__main__":
    mp.set_start_method("fork")
    addresses = mp.Queue()
    host = mp.Process(target=serve, args=(addresses,), daemon=True)
    host.start()
    address = addresses.get(timeout=30)

    with mp.Pool(1) as pool:
        local = mean_seconds(lambda i: pool.apply(square, (i,)))
    client = HostManager(address=address, authkey=AUTHKEY)
    client.connect()
    squares = client.Squares()
    remote = mean_seconds(squares.square)
    print(f"python: local pool.apply {local * 1e6:.0f} us; "
          f"a manager over TCP {remote * 1e6:.0f} us ({remote / local:.1f}x)")

    try:
        HostManager(address=address, authkey=b"guess").connect()
        print("python: wrong authkey accepted")
    except mp.AuthenticationError:
        print("python: wrong authkey -> AuthenticationError")

    os.kill(host.pid, signal.SIGKILL)
    host.join()
    try:
        squares.square(3)
        print("python: the call worked after the host died")
    except (EOFError, OSError) as error:
        print(f"python: host killed -> {type(error).__name__}: the call is lost; "
              "nothing runs it again elsewhere")
