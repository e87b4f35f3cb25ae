// Exercise X1: ping-pong between a parent and a child over two pipes.
//
// Goal (see README.md): for i = 1 .. --rounds, the parent sends "ping i" to the child
// through one pipe; the child prints "child got ping i" and answers "pong i" through the
// other pipe; the parent prints "parent got pong i". Then both end; the parent reaps the
// child and prints "done".
//
// Run it:    ./bazelw run //exercises/x1_pipe_ping_pong -- --rounds=3
// Grade it:  ./bazelw test //exercises/x1_pipe_ping_pong:grade

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, rounds, 3, "ping-pong rounds (1 to 1000)");

// Writes all of `message` (a pipe may take less than asked for).
bool WriteAll(int fd, const std::string& message) {
  size_t done = 0;
  while (done < message.size()) {
    const ssize_t wrote = write(fd, message.data() + done, message.size() - done);
    if (wrote <= 0) return false;
    done += static_cast<size_t>(wrote);
  }
  return true;
}

// Reads one '\n'-terminated line (without the '\n'), a byte at a time; false at end of
// file.
bool ReadLine(int fd, std::string& line) {
  line.clear();
  char byte;
  while (read(fd, &byte, 1) == 1) {
    if (byte == '\n') return true;
    line += byte;
  }
  return false;
}

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Plays ping-pong between two processes over pipes.");
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (rounds < 1 || rounds > 1000) mp::cli::ExitBadUsage("--rounds must be 1 to 1000");

  // TODO(student): make two pipes with pipe(): one carries pings to the child, the other
  // pongs back. fork(); the child closes the ends it does not use, then for each ping it
  // reads prints "child got ping i" (flush!) and writes "pong i\n"; at end of file it
  // _exit(0)s. The parent closes its unused ends, writes each "ping i\n", reads the pong
  // and prints "parent got pong i"; then closes its write end and waits for the child.
  for (int i = 1; i <= rounds; ++i) {
    std::printf("child got ping %d\n", i);   // wrong process: this is the parent
    std::printf("parent got pong %d\n", i);  // and nothing went through a pipe
  }
  std::printf("done\n");
  return 0;
}
