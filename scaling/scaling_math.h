// The arithmetic of a scaling report: medians and spread of repeated timings, speedup,
// parallel efficiency, and the Karp-Flatt serial fraction.
//
//   Spread wall = Summarize({1.02, 0.98, 1.00});   // median 1.00, spread 4%
//   double s = Speedup(/*one_worker=*/2.0, /*n_workers=*/1.1);   // 1.82
//   double e = Efficiency(s, 2);                                  // 0.91
//   std::optional<double> f = KarpFlatt(s, 2);                    // 0.10
//
// Karp-Flatt: with speedup S on n workers, the serial fraction that Amdahl's law would
// need to explain S is e = (1/S - 1/n) / (1 - 1/n). A constant e as n grows means real
// serial work (Amdahl); an e that grows with n means overhead that grows with n
// (communication, contention, a global lock).

#ifndef MP_SCALING_SCALING_MATH_H_
#define MP_SCALING_SCALING_MATH_H_

#include <optional>
#include <vector>

namespace mp::scaling {

struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
  // (max - min) / median: 0.04 means the repetitions lay within 4% of each other.
  double Relative() const { return median > 0 ? (max - min) / median : 0; }
};

// The median (the mean of the middle two for an even count), min and max. All zero for
// no samples.
Spread Summarize(std::vector<double> samples);

// How many times faster n workers are than one: one_worker_seconds / n_workers_seconds.
double Speedup(double one_worker_seconds, double n_workers_seconds);

// Speedup per worker: 1.0 is perfect use of every worker.
double Efficiency(double speedup, int workers);

// The Karp-Flatt serial fraction; nullopt for one worker, where it is undefined.
std::optional<double> KarpFlatt(double speedup, int workers);

// Amdahl's law: the best speedup on `workers` when `serial_fraction` of the work cannot
// run in parallel.
double AmdahlSpeedup(double serial_fraction, int workers);

}  // namespace mp::scaling

#endif  // MP_SCALING_SCALING_MATH_H_
