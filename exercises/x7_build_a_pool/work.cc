#include "exercises/x7_build_a_pool/work.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace x7 {
namespace {

// Writes `text` to `path` whole: the grader never reads half a file.
void Record(const std::string& path, const std::string& text) {
  const std::string partial = path + ".partial";
  std::FILE* file = std::fopen(partial.c_str(), "we");
  if (file == nullptr) return;
  std::fputs(text.c_str(), file);
  std::fclose(file);
  std::rename(partial.c_str(), path.c_str());
}

// Waits while the grader holds `dir`/gate.
void PassGate(const std::string& dir) {
  const int gate = open((dir + "/gate").c_str(), O_RDONLY | O_CLOEXEC);
  if (gate < 0) return;
  while (flock(gate, LOCK_SH) != 0) {  // retried when a signal interrupts it
  }
  close(gate);
}

}  // namespace

int64_t Work(int64_t x) {
  const char* dir = std::getenv("X7_GRADER_DIR");
  if (dir == nullptr) return x * x;
  const std::string name = std::to_string(x);
  Record(std::string(dir) + "/start." + name, std::to_string(getpid()));
  PassGate(dir);
  Record(std::string(dir) + "/end." + name, "");
  return x * x;
}

}  // namespace x7
