#include "process/internal/spawn_self.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/unique_fd.h"

extern char** environ;

namespace mp::internal {
namespace {

std::atomic<bool> main_handed_off{false};
char program_argv0[256] = "mp-child";  // written once, before any process starts

}  // namespace

void NoteMainHandedOff(const char* argv0) {
  if (argv0 != nullptr && argv0[0] != '\0') {
    ::strncpy(program_argv0, argv0, sizeof program_argv0 - 1);
  }
  main_handed_off.store(true);
}

bool MainHandedOff() { return main_handed_off.load(); }

absl::StatusOr<pid_t> SpawnSelf(const char* role, int channel_fd) {
  if (!MainHandedOff()) {
    return absl::FailedPreconditionError(
        "the spawn and forkserver start methods run this program again from the "
        "start, so main() must hand control to the library first: call "
        "mp::HandOffToLibrary(argc, argv) at the top of main() (the C++ twin of "
        "Python's `if __name__ == \"__main__\":`)");
  }
  // dup2(3, 3) would keep close-on-exec set, so first move the channel off fd 3.
  UniqueFd moved_channel;
  if (channel_fd == kChannelFd) {
    moved_channel.Reset(::fcntl(channel_fd, F_DUPFD_CLOEXEC, kChannelFd + 1));
    if (!moved_channel.valid()) return absl::ErrnoToStatus(errno, "fcntl(F_DUPFD_CLOEXEC)");
    channel_fd = moved_channel.get();
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, channel_fd, kChannelFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kChannelFd + 1);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

  const std::string role_entry = absl::StrCat(kRoleVariable, "=", role);
  std::vector<char*> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, absl::StrCat(kRoleVariable, "="))) {
      environment.push_back(*entry);
    }
  }
  environment.push_back(const_cast<char*>(role_entry.c_str()));
  environment.push_back(nullptr);
  char* argv[] = {program_argv0, nullptr};

  pid_t pid = 0;
  const int error = ::posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv,
                                  environment.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return absl::ErrnoToStatus(error, "posix_spawn /proc/self/exe");
  return pid;
}

}  // namespace mp::internal
