// Exercise Q3: create a process, wait for it, and report that it has completed.
//
// Goal (see README.md): this program must print exactly
//
//   This is a process!
//   The process has completed.
//
// where the first line is printed by a child process and the second by the parent, after
// the child has ended. Run it:   ./bazelw run //exercises/q3_create_process
// Grade it:                      ./bazelw test //exercises/q3_create_process:grade

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "base/cli/parse_flags.h"

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Creates a process, waits for it, and says so.");

  // TODO(student): start a child process with fork(). In the child (fork() returned 0),
  // print "This is a process!" and end the child with _exit(0).

  // TODO(student): in the parent, wait for the child with waitpid() so it is reaped, and
  // print the line below only once the child is no longer alive.
  std::printf("The process has completed.\n");
  return 0;
}
