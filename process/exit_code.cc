#include "process/exit_code.h"

#include <sys/wait.h>

#include "base/put_bug_back.h"

namespace mp {

int ExitCodeFromWaitStatus(int wait_status) {
  if (internal::BugPutBack("exit_code_lost")) return 0;
  if (WIFSIGNALED(wait_status)) {
    if (internal::BugPutBack("signal_as_shell_code")) return 128 + WTERMSIG(wait_status);
    return -WTERMSIG(wait_status);
  }
  return WEXITSTATUS(wait_status);
}

}  // namespace mp
