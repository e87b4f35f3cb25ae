// The pool's Map, done the MPI way: every rank runs this same program; rank 0 holds the
// inputs, scatters a share to each rank (itself included), every rank maps its share,
// and rank 0 gathers the results in order and checks them against a plain loop.
//
//   mpirun -np 4 bazel-bin/pool/mpi/mpi_map --tasks=100000
//
// Compare pool/remote: there a client sends chunks to hosts that serve anybody; here the
// ranks are one program, started together by mpirun, that exchange data in collective
// calls (MPI_Scatterv, MPI_Gatherv) over the fastest transport between them.

// Open MPI's mpi.h pulls in its deprecated C++ bindings (and their library) when read
// by a C++ compiler; we use the C interface only.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

int64_t Square(int64_t x) { return x * x; }

// How many of `tasks` each of `ranks` ranks takes (the first `tasks % ranks` one more),
// and where each share starts.
void Shares(int64_t tasks, int ranks, std::vector<int>& counts, std::vector<int>& starts) {
  counts.assign(static_cast<size_t>(ranks), 0);
  starts.assign(static_cast<size_t>(ranks), 0);
  for (int rank = 0, start = 0; rank < ranks; ++rank) {
    counts[rank] = static_cast<int>(tasks / ranks + (rank < tasks % ranks ? 1 : 0));
    starts[rank] = start;
    start += counts[rank];
  }
}

// --tasks=N (default 100000), parsed by hand: every rank sees the same argv.
int64_t TasksFlag(int argc, char** argv) {
  long long tasks = 100000;
  for (int i = 1; i < argc; ++i) {
    if (std::sscanf(argv[i], "--tasks=%lld", &tasks) != 1 || tasks < 0 || tasks > 100'000'000) {
      return -1;
    }
  }
  return tasks;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const int64_t tasks = TasksFlag(argc, argv);
  if (tasks < 0) {
    if (rank == 0) std::fprintf(stderr, "usage: mpi_map [--tasks=N], 0 <= N <= 100000000\n");
    MPI_Finalize();
    return 2;
  }

  std::vector<int> counts;
  std::vector<int> starts;
  Shares(tasks, ranks, counts, starts);
  std::vector<int64_t> inputs;
  if (rank == 0) {
    inputs.resize(static_cast<size_t>(tasks));
    for (int64_t i = 0; i < tasks; ++i) inputs[i] = i;
  }

  const double start = MPI_Wtime();
  std::vector<int64_t> mine(static_cast<size_t>(counts[rank]));
  MPI_Scatterv(inputs.data(), counts.data(), starts.data(), MPI_INT64_T, mine.data(),
               counts[rank], MPI_INT64_T, 0, MPI_COMM_WORLD);
  for (int64_t& value : mine) value = Square(value);
  std::vector<int64_t> results(rank == 0 ? static_cast<size_t>(tasks) : 0);
  MPI_Gatherv(mine.data(), counts[rank], MPI_INT64_T, results.data(), counts.data(),
              starts.data(), MPI_INT64_T, 0, MPI_COMM_WORLD);
  const double seconds = MPI_Wtime() - start;

  int exit_code = 0;
  if (rank == 0) {
    int64_t wrong = 0;
    for (int64_t i = 0; i < tasks; ++i) wrong += results[i] != Square(i) ? 1 : 0;
    std::printf("%d ranks mapped Square over %lld numbers in %.3f ms: %s\n", ranks,
                static_cast<long long>(tasks), seconds * 1e3,
                wrong == 0 ? "every result matches the serial loop"
                           : "WRONG RESULTS");
    for (int r = 0; r < ranks; ++r) std::printf("rank %d mapped %d\n", r, counts[r]);
    exit_code = wrong == 0 ? 0 : 1;
  }
  MPI_Finalize();
  return exit_code;
}
