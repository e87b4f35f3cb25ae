#include "pool/remote/loopback_host.h"

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "process/status_macros.h"

namespace mp::remote {

absl::StatusOr<LoopbackHost> StartLoopbackHost(const std::string& worker,
                                               const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"--address=127.0.0.1:0", "--exit_on_stdin_eof"};
  args.insert(args.end(), flags.begin(), flags.end());
  MP_ASSIGN_OR_RETURN(test::SpawnedProgram program, test::SpawnedProgram::Start(worker, args));
  LoopbackHost host{std::make_unique<test::SpawnedProgram>(std::move(program)), ""};
  MP_ASSIGN_OR_RETURN(std::string line, host.program->ReadLine(absl::Seconds(60)));
  char address[64] = {};
  if (std::sscanf(line.c_str(), "listening on %63s", address) != 1) {
    return absl::InternalError(absl::StrCat("the worker host said '", line,
                                            "' instead of 'listening on ADDRESS'"));
  }
  host.address = address;
  return host;
}

}  // namespace mp::remote
