// How a child ended, in the form Python's multiprocessing reports it.

#ifndef MP_PROCESS_EXIT_CODE_H_
#define MP_PROCESS_EXIT_CODE_H_

namespace mp {

// Decodes a status from waitpid(): the exit status (0..255) if the child exited,
// or minus the signal number if a signal ended it (-9 for SIGKILL, -6 for abort()).
int ExitCodeFromWaitStatus(int wait_status);

// The exit code of a kForkServer child whose fork server died before it could report
// how the child ended (the child's parent was the server, so nobody else can learn it).
// Reported once the child has really ended; the same value Python reports then.
inline constexpr int kExitCodeUnknownToForkServer = 255;

}  // namespace mp

#endif  // MP_PROCESS_EXIT_CODE_H_
