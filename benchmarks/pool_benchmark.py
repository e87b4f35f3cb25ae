#!/usr/bin/env python3
"""Python's multiprocessing.Pool, ProcessPoolExecutor and joblib on the same jobs as //benchmarks:pool_benchmark.

    python3 benchmarks/pool_benchmark.py [--repetitions 5] [--min-seconds 0.2] [--cpp PATH]
                                         [--busy-loops-per-cpu 2] [--jobs 16:20000,apply]

With --cpp (the path of //benchmarks:pool_benchmark, built with -c opt), it runs each
C++ Pool benchmark and the same job in Python by turns, job after job, repetition after
repetition, and prints both side by side with their ratios: one run, one machine, one
table. `bazel run -c opt //benchmarks:pool_side_by_side` does exactly that.

Map over 20,000 integers with a task that returns its argument, for chunksizes 1, 16, 256
and automatic (None), and over 1,000,000 integers for chunksizes 16, 256 and automatic,
one worker per CPU; and one apply_async(...).get() at a time.

Beside multiprocessing.Pool, the peers a Python user would pick instead run the 20,000-task
maps: concurrent.futures.ProcessPoolExecutor.map (its chunksize; automatic is 1 there, as
Python's default) and joblib.Parallel (batch_size; automatic is joblib's 'auto'), if
joblib is installed (Debian's python3-joblib). The 1,000,000-task maps are left to
multiprocessing.Pool: the peers take minutes there.

Both sides are measured alike: a job is repeated for at least --min-seconds (at least
once) and its mean taken, as Google Benchmark does; the table shows the median of the
repetitions. Taking turns matters on a shared machine, whose speed drifts by the minute:
run one side after the other and a ratio compares two different machines.

--busy-loops-per-cpu N measures on a busy machine: before the first job it starts N
processes per CPU that only spin (in this session, at the default priority, as a user's
other work would be), keeps them running through every job of both sides, and stops them
at the end. Each loop ends itself if this script dies, so none is left behind.
--jobs runs only the jobs named (CHUNKSIZE:TASKS of the maps above, or apply).
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time

# (chunksize, tasks) as in the C++ benchmark; 0 is automatic.
MAPS = [(1, 20_000), (16, 20_000), (256, 20_000), (0, 20_000),
        (16, 1_000_000), (256, 1_000_000), (0, 1_000_000)]
APPLY = "apply"


def same(x):
    return x


def time_map(pool, chunksize, tasks, min_seconds):
    """Tasks/s over maps repeated for at least min_seconds."""
    done = 0
    start = time.perf_counter()
    while True:
        results = pool.map(same, range(tasks), chunksize=chunksize or None)
        assert len(results) == tasks
        done += tasks
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def repeat_for(min_seconds, job):
    """Tasks/s of `job()` (which runs `tasks` tasks and returns how many), repeated for at
    least min_seconds."""
    done = 0
    start = time.perf_counter()
    while True:
        done += job()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def time_executor_map(executor, chunksize, tasks, min_seconds):
    def job():
        results = list(executor.map(same, range(tasks), chunksize=chunksize or 1))
        assert len(results) == tasks
        return tasks
    return repeat_for(min_seconds, job)


def time_joblib_map(parallel, delayed, chunksize, tasks, min_seconds):
    def job():
        results = parallel(delayed(same)(x) for x in range(tasks))
        assert len(results) == tasks
        return tasks
    return repeat_for(min_seconds, job)


def time_apply(pool, min_seconds):
    """Seconds per apply_async(...).get(), over calls made for at least min_seconds."""
    calls = 0
    start = time.perf_counter()
    while True:
        pool.apply_async(same, (calls,)).get()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / calls


BUSY_LOOP = "import os, sys\nparent = int(sys.argv[1])\nwhile os.getppid() == parent: pass"


def start_busy_loops(count):
    """`count` processes that spin until stopped or until this process is gone."""
    return [subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(os.getpid())],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop_busy_loops(loops):
    for loop in loops:
        loop.kill()
    for loop in loops:
        loop.wait()


def job_name(job):
    return APPLY if job == APPLY else f"{job[0]}:{job[1]}"


def cpp_benchmark_name(job):
    if job == APPLY:
        return "BM_PoolApplyRoundTrip/real_time"
    chunksize, tasks = job
    return f"BM_PoolMap/chunksize:{chunksize}/tasks:{tasks}/real_time"


def run_cpp(binary, job, min_seconds):
    """One C++ benchmark: tasks/s for a map, seconds per call for the round trip."""
    name = cpp_benchmark_name(job)
    report = subprocess.run(
        [binary, f"--benchmark_filter=^{re.escape(name)}$",
         f"--benchmark_min_time={min_seconds}", "--benchmark_format=json"],
        check=True, stdout=subprocess.PIPE, text=True).stdout
    entries = [entry for entry in json.loads(report)["benchmarks"] if entry["name"] == name]
    if len(entries) != 1:
        sys.exit(f"{binary} has no benchmark {name}")
    entry = entries[0]
    if job == APPLY:
        to_seconds = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
        return entry["real_time"] * to_seconds[entry["time_unit"]]
    return entry["tasks_per_second"]


def run_python(pool, job, min_seconds):
    if job == APPLY:
        return time_apply(pool, min_seconds)
    chunksize, tasks = job
    return time_map(pool, chunksize, tasks, min_seconds)


def measure(args, workers, jobs, peer_jobs, python, cpp, executor_rate, joblib_rate, joblib):
    """Every job, on both sides, by turns; the rates are appended to the dictionaries."""
    with multiprocessing.Pool(workers) as pool, \
            concurrent.futures.ProcessPoolExecutor(workers) as executor:
        pool.map(same, range(100))  # start every worker before measuring
        list(executor.map(same, range(100)))
        for repetition in range(args.repetitions):
            print(f"repetition {repetition + 1} of {args.repetitions}", file=sys.stderr, flush=True)
            for job in jobs:
                if args.cpp:
                    cpp[job].append(run_cpp(args.cpp, job, args.min_seconds))
                python[job].append(run_python(pool, job, args.min_seconds))
                if job in peer_jobs:
                    chunksize, tasks = job
                    executor_rate[job].append(
                        time_executor_map(executor, chunksize, tasks, args.min_seconds))
                    if joblib is not None:
                        with joblib.Parallel(n_jobs=workers, batch_size=chunksize or "auto") as parallel:
                            joblib_rate[job].append(time_joblib_map(
                                parallel, joblib.delayed, chunksize, tasks, args.min_seconds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.2,
                        help="how long each side repeats a job, at least, per repetition")
    parser.add_argument("--cpp", help="path of the C++ pool_benchmark, to compare with")
    parser.add_argument("--jobs", default=",".join(job_name(job) for job in MAPS + [APPLY]),
                        help="the jobs to run, comma-separated: CHUNKSIZE:TASKS or apply")
    parser.add_argument("--busy-loops-per-cpu", type=int, default=0,
                        help="measure with this many spinning processes per CPU (0 to 8)")
    args = parser.parse_args()
    if not 0 <= args.busy_loops_per_cpu <= 8:
        parser.error("--busy-loops-per-cpu must be between 0 and 8")
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")
    if args.min_seconds <= 0:
        parser.error("--min-seconds must be above 0")
    if args.cpp and not os.access(args.cpp, os.X_OK):
        parser.error(f"--cpp {args.cpp}: not an executable file")
    known = {job_name(job): job for job in MAPS + [APPLY]}
    asked = args.jobs.split(",")
    if any(name not in known for name in asked):
        parser.error(f"--jobs must name jobs among {','.join(known)}")
    jobs = [known[name] for name in asked]
    peer_jobs = [job for job in jobs if job != APPLY and job[1] <= 20_000]
    python = {job: [] for job in jobs}
    cpp = {job: [] for job in jobs}
    executor_rate = {job: [] for job in peer_jobs}
    joblib_rate = {job: [] for job in peer_jobs}
    try:
        import joblib  # pylint: disable=import-outside-toplevel
    except ImportError:
        joblib = None
        print("joblib is not installed (Debian's python3-joblib): its column is left out",
              file=sys.stderr)
    workers = len(os.sched_getaffinity(0))
    busy_loops = start_busy_loops(args.busy_loops_per_cpu * workers)
    try:
        measure(args, workers, jobs, peer_jobs, python, cpp, executor_rate, joblib_rate, joblib)
        load = os.getloadavg()[0]
    finally:
        stop_busy_loops(busy_loops)
    busy = (f"with {len(busy_loops)} busy loops running ({args.busy_loops_per_cpu} per CPU; "
            f"load average {load:.1f}); " if busy_loops else "")
    print(f"{workers} workers; {busy}medians of {args.repetitions} repetitions, taken by turns; "
          "tasks/s, higher is better; ratio: C++ Pool against the best Python")
    print(f"{'Map':<28}{'mp.Pool':>12}{'Executor':>12}{'joblib':>12}{'C++ Pool':>12}{'ratio':>9}")
    for job in (job for job in jobs if job != APPLY):
        chunksize, tasks = job
        rates = [statistics.median(python[job])]
        line = f"{f'chunksize={chunksize} tasks={tasks}':<28}{rates[0] / 1e3:11.1f}k"
        for peer in (executor_rate, joblib_rate):
            if job in peer and peer[job]:
                rates.append(statistics.median(peer[job]))
                line += f"{rates[-1] / 1e3:11.1f}k"
            else:
                line += f"{'-':>12}"
        if args.cpp:
            cpp_rate = statistics.median(cpp[job])
            line += f"{cpp_rate / 1e3:11.0f}k{cpp_rate / max(rates):8.1f}x"
        print(line)
    if APPLY not in jobs:
        return 0
    python_us = statistics.median(python[APPLY]) * 1e6
    line = f"{'apply_async round trip':<28}{python_us:10.1f}us"
    if args.cpp:
        cpp_us = statistics.median(cpp[APPLY]) * 1e6
        line += f"{cpp_us:10.1f}us{python_us / cpp_us:8.1f}x faster"
    print(line)

if __name__ == "__main__":
    sys.exit(main())
