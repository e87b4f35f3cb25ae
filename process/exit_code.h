// How a child ended, in the form Python's multiprocessing reports it.

#ifndef MP_PROCESS_EXIT_CODE_H_
#define MP_PROCESS_EXIT_CODE_H_

namespace mp {

// Decodes a status from waitpid(): the exit status (0..255) if the child exited,
// or minus the signal number if a signal ended it (-9 for SIGKILL, -6 for abort()).
int ExitCodeFromWaitStatus(int wait_status);

}  // namespace mp

#endif  // MP_PROCESS_EXIT_CODE_H_
