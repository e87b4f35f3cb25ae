"""Q6's demo in Python: N processes each print their own number; the parent prints last."""

import multiprocessing as mp
import sys


def print_number(i):
    print(f"Process {i}: Printing {i}", flush=True)  # flush: one write per line


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    processes = [mp.Process(target=print_number, args=(i,)) for i in range(1, n + 1)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    print("All processes have completed.")
