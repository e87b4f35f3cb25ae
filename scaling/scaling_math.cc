#include "scaling/scaling_math.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace mp::scaling {

Spread Summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const size_t middle = samples.size() / 2;
  const double median = samples.size() % 2 == 1
                            ? samples[middle]
                            : (samples[middle - 1] + samples[middle]) / 2;
  return {.median = median, .min = samples.front(), .max = samples.back()};
}

double Speedup(double one_worker_seconds, double n_workers_seconds) {
  return n_workers_seconds > 0 ? one_worker_seconds / n_workers_seconds : 0;
}

double Efficiency(double speedup, int workers) {
  return workers > 0 ? speedup / workers : 0;
}

std::optional<double> KarpFlatt(double speedup, int workers) {
  if (workers < 2 || speedup <= 0) return std::nullopt;
  const double n = workers;
  return (1 / speedup - 1 / n) / (1 - 1 / n);
}

double AmdahlSpeedup(double serial_fraction, int workers) {
  return 1 / (serial_fraction + (1 - serial_fraction) / workers);
}

}  // namespace mp::scaling
