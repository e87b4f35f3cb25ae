#include "pool/remote/worker_host.h"

#include <unistd.h>

#include <bit>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "ipc/grpc_status.h"
#include "pool/internal/job.h"
#include "pool/pool_task.h"

namespace mp::remote {
namespace {

grpc::Status Refuse(grpc::StatusCode code, const std::string& why) { return {code, why}; }

// One request's results as the local pool files them, still encoded: they go back to the
// caller as they came from the worker, never decoded here. The whole request is one
// local chunk, so they are filed at once (or the chunk fails at once).
class EncodedJob final : public internal::Job {
 public:
  explicit EncodedJob(size_t tasks) : Job(tasks, /*unordered_stream=*/false) {}

  bool CompleteEncoded(size_t first, size_t count, std::string_view values,
                       const std::vector<internal::TaskError>& errors) override {
    auto error = errors.begin();
    return FileEach(first, count, [&](size_t index, bool pending) {
      if (index == first && pending) {
        values_.assign(values);
        errors_ = errors;
      }
      const bool failed = error != errors.end() && error->index == index - first;
      if (failed) ++error;
      return !failed;
    });
  }

  bool FailAll(size_t first, size_t count, const absl::Status& status) override {
    return FileEach(first, count, [&](size_t index, bool pending) {
      if (pending) {
        errors_.push_back({index, static_cast<int32_t>(status.code()), std::string(status.message())});
      }
      return false;
    });
  }

  // After Wait().
  void MoveInto(ChunkReply& reply) {
    reply.set_values(std::move(values_));
    for (const internal::TaskError& error : errors_) {
      TaskFailure* failure = reply.add_failures();
      failure->set_index(error.index);
      failure->set_code(error.code);
      failure->set_message(error.message);
      failure->set_exception(error.exception);
    }
  }

 private:
  std::string values_;
  std::vector<internal::TaskError> errors_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<WorkerHost>> WorkerHost::Create(WorkerHostOptions options) {
  if (options.workers < 0) return absl::InvalidArgumentError("workers must not be negative");
  MP_ASSIGN_OR_RETURN(std::unique_ptr<internal::PoolCore> core,
                      internal::PoolCore::Start({.workers = options.workers,
                                                 .start_method = options.start_method,
                                                 .queue_bytes = size_t{64} << 20}));
  return std::unique_ptr<WorkerHost>(new WorkerHost(std::move(options), std::move(core)));
}

std::string WireFormat() {
  constexpr int kWireVersion = 1;
  return absl::StrCat("mp-pool-wire/", kWireVersion, " ",
                      std::endian::native == std::endian::little ? "little" : "big", "-endian",
                      " int", sizeof(int), " long", sizeof(long), " size_t", sizeof(size_t),
                      " double", sizeof(double), " long_double", sizeof(long double));
}

bool TokensMatch(std::string_view given, std::string_view expected) {
  // Every byte of the expected token is compared, whatever differs first; a `volatile`
  // accumulator keeps the compiler from stopping early.
  volatile unsigned char differences = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char from_given = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    differences = differences | (from_given ^ static_cast<unsigned char>(expected[i]));
  }
  return differences == 0;
}

grpc::Status WorkerHost::CheckToken(const grpc::ServerContext& context) const {
  if (options_.auth_token.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto given = metadata.find(kAuthorizationKey);
  if (given == metadata.end() ||
      !TokensMatch(std::string_view(given->second.data(), given->second.size()),
                   AuthorizationValue(options_.auth_token))) {
    return Refuse(grpc::StatusCode::UNAUTHENTICATED,
                  "this worker host needs its auth token (RemotePoolOptions::auth_token)");
  }
  return grpc::Status::OK;
}

grpc::Status WorkerHost::RunChunk(grpc::ServerContext* context, const ChunkRequest* request,
                                  ChunkReply* reply) {
  if (grpc::Status token = CheckToken(*context); !token.ok()) return token;
  const internal::PoolTask* task = internal::FindPoolTaskByName(request->task_name());
  if (task == nullptr) {
    return Refuse(grpc::StatusCode::NOT_FOUND,
                  absl::StrCat("this worker host has no pool task named '", request->task_name(),
                               "': link the library that registers it into the host"));
  }
  if (request->count() == 0 || request->count() > options_.max_tasks_per_chunk) {
    return Refuse(grpc::StatusCode::INVALID_ARGUMENT,
                  absl::StrCat("a chunk holds 1 to ", options_.max_tasks_per_chunk,
                               " tasks; this one says ", request->count()));
  }
  if (!task->args_fit(request->args(), request->count())) {
    return Refuse(grpc::StatusCode::INVALID_ARGUMENT,
                  absl::StrCat("the arguments are not ", request->count(), " well-formed tasks of '",
                               request->task_name(), "'"));
  }
  auto job = std::make_shared<EncodedJob>(request->count());
  // The chunk arrived encoded: it is passed on as it came, one chunk. (The lambda is
  // named: a FunctionRef to a temporary would dangle after this statement.)
  auto pass_on = [&](size_t, size_t, std::string& out) { out.append(request->args()); };
  absl::Status submitted =
      core_->Submit({job, request->count(), internal::EncodedTasks{request->task_name(), pass_on}});
  if (!submitted.ok()) return ToGrpcStatus(submitted);
  // The caller may give up (its deadline, or its pool terminated): stop waiting then. The
  // chunk still runs to its end in a worker; its results are dropped.
  while (!job->Wait(absl::Milliseconds(100))) {
    if (context->IsCancelled()) return Refuse(grpc::StatusCode::CANCELLED, "the caller gave up");
  }
  job->MoveInto(*reply);
  reply->set_host_pid(getpid());
  return grpc::Status::OK;
}

grpc::Status WorkerHost::Health(grpc::ServerContext* context, const HealthRequest* /*request*/,
                                HealthReply* reply) {
  if (grpc::Status token = CheckToken(*context); !token.ok()) return token;
  reply->set_workers(core_->workers());
  reply->set_wire_format(WireFormat());
  reply->set_host_pid(getpid());
  return grpc::Status::OK;
}

}  // namespace mp::remote
