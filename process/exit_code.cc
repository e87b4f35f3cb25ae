#include "process/exit_code.h"

#include <sys/wait.h>

namespace mp {

int ExitCodeFromWaitStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

}  // namespace mp
