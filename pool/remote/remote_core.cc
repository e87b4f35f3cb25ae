#include "pool/remote/remote_core.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/unique_fd.h"
#include "ipc/grpc_status.h"
#include "pool/remote/worker_host.h"

namespace mp::remote {
namespace {

// Why a host that did not answer a health check is of no use, in words a user can act on.
absl::Status Unreachable(const std::string& address, const grpc::Status& status,
                         absl::Duration waited) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::UnauthenticatedError(absl::StrCat(
          "worker host ", address, " refused our auth token (", status.error_message(), ")"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(absl::StrCat("worker host ", address, " did not answer within ",
                                                 absl::FormatDuration(waited),
                                                 ": is the address right, and is it running?"));
    default:
      return absl::UnavailableError(absl::StrCat("worker host ", address, " cannot be reached (",
                                                 status.error_message(),
                                                 "): is it running, on that port?"));
  }
}

// TLS credentials that trust the authorities in `ca_file`, or plaintext ones if empty.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(const std::string& ca_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  absl::StatusOr<std::string> pem = internal::ReadWholeFile(ca_file);
  if (!pem.ok() || pem->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RemotePoolOptions::tls_ca_file '", ca_file, "' cannot be read, or is empty"));
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *std::move(pem);
  return grpc::SslCredentials(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RemoteCore>> RemoteCore::Start(RemotePoolOptions options) {
  if (options.hosts.empty()) return absl::InvalidArgumentError("a RemotePool needs at least one host");
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(options.tls_ca_file);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<RemoteCore> core(new RemoteCore(std::move(options)));
  const RemotePoolOptions& settings = core->options_;
  std::vector<int> workers_per_host;
  for (const std::string& address : settings.hosts) {
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(settings.max_message_bytes);
    arguments.SetMaxSendMessageSize(settings.max_message_bytes);
    Host host{.status = {.address = address}};
    host.stub = WorkerHostService::NewStub(
        grpc::CreateCustomChannel(address, *credentials, arguments));
    grpc::ClientContext context;
    core->AddToken(context);
    context.set_deadline(absl::ToChronoTime(absl::Now() + settings.connect_timeout));
    HealthReply health;
    const grpc::Status status = host.stub->Health(&context, HealthRequest(), &health);
    if (!status.ok()) return Unreachable(address, status, settings.connect_timeout);
    if (health.wire_format() != WireFormat()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "worker host ", address, " speaks wire format '", health.wire_format(),
          "', this pool '", WireFormat(), "': build the host from the same sources, for the "
          "same kind of machine (its bytes would be misread)"));
    }
    host.status.workers = std::max(1, health.workers());
    host.status.alive = true;
    host.pid = health.host_pid();
    workers_per_host.push_back(host.status.workers);
    internal::MutexLock lock(core->mutex_);
    core->hosts_.push_back(std::move(host));
  }
  if (internal::PoolRecordEnabled()) {
    int workers = 0;
    for (int each : workers_per_host) workers += each;
    internal::RecordPoolEvent(absl::StrCat("create pool=", core->record_id_, " engine=remote workers=", workers));
    internal::MutexLock lock(core->mutex_);
    for (const Host& host : core->hosts_) {
      internal::RecordPoolEvent(absl::StrCat("host pool=", core->record_id_, " host_pid=", host.pid,
                                             " address=", host.status.address, " workers=", host.status.workers));
    }
  }
  for (size_t host = 0; host < workers_per_host.size(); ++host) {
    for (int call = 0; call <= workers_per_host[host]; ++call) {
      core->threads_.emplace_back(&RemoteCore::Send, core.get(), host, call);
    }
  }
  core->threads_.emplace_back(&RemoteCore::WatchHealth, core.get());
  return core;
}

RemoteCore::~RemoteCore() { StopThreads(); }

void RemoteCore::AddToken(grpc::ClientContext& context) const {
  if (!options_.auth_token.empty()) {
    context.AddMetadata(kAuthorizationKey, AuthorizationValue(options_.auth_token));
  }
}

absl::Status RemoteCore::Submit(const internal::EngineCall& call) {
  const auto* tasks = std::get_if<internal::EncodedTasks>(&call.tasks);
  if (tasks == nullptr) return internal::WrongFormOfTasks(RunsTasksHere());
  const std::shared_ptr<internal::Job>& job = call.job;
  if (internal::PoolRecordEnabled()) job->RecordAs(record_id_);
  std::deque<Chunk> chunks;
  const size_t chunksize = std::max<size_t>(call.chunksize, 1);
  for (size_t first = 0; first < job->size(); first += chunksize) {
    Chunk chunk{.job = job, .task_name = std::string(tasks->task_name), .first_index = first,
                .count = std::min(chunksize, job->size() - first)};
    tasks->encode_args(first, chunk.count, chunk.args);
    chunks.push_back(std::move(chunk));
  }
  internal::MutexLock lock(mutex_);
  if (phase_ != Phase::kRunning) {
    return absl::FailedPreconditionError("the pool is closed or terminated: it takes no more work");
  }
  if (!HostsAliveLocked()) return absl::UnavailableError("every worker host of this pool is down");
  for (Chunk& chunk : chunks) pending_.push_back(std::move(chunk));
  changed_.SignalAll();
  return absl::OkStatus();
}

void RemoteCore::Send(size_t index, int lane) {
  // Lesson 10's claim 1, counterfactual: only the first host is sent anything.
  if (index != 0 && internal::BugPutBack("only_the_first_host_used")) return;
  internal::MutexLock lock(mutex_);
  while (true) {
    while (phase_ != Phase::kTerminating && hosts_[index].status.alive && pending_.empty()) {
      changed_.Wait(mutex_);
    }
    if (phase_ == Phase::kTerminating || !hosts_[index].status.alive) return;
    Chunk chunk = std::move(pending_.front());
    pending_.pop_front();
    ++in_flight_;

    grpc::ClientContext context;
    AddToken(context);
    // (Lesson 10's claim 7, counterfactual: a call without a deadline.)
    if (!internal::BugPutBack("remote_calls_without_deadline")) {
      context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
    }
    hosts_[index].calls.insert(&context);
    ChunkRequest request;
    request.set_task_name(chunk.task_name);
    request.set_count(chunk.count);
    request.set_args(chunk.args);  // a copy: the chunk may have to go to another host
    WorkerHostService::Stub& stub = *hosts_[index].stub;
    const int64_t host_pid = hosts_[index].pid;
    mutex_.Unlock();

    const int64_t start_us = internal::PoolRecordEnabled() ? internal::PoolRecordMicros() : 0;
    ChunkReply reply;
    const grpc::Status status = stub.RunChunk(&context, request, &reply);
    if (start_us != 0) {  // each lane has one call in flight, so a lane's chunks never overlap
      internal::RecordPoolEvent(absl::StrCat("remote_ran pool=", record_id_, " host_pid=", host_pid, " lane=", lane,
                                             " task=", chunk.task_name, " first=", chunk.first_index,
                                             " count=", chunk.count, " start_us=", start_us,
                                             " status=", status.ok() ? "OK" : std::to_string(status.error_code())));
    }

    Callbacks done;
    mutex_.Lock();
    hosts_[index].calls.erase(&context);
    File(index, chunk, status, reply, done);
    --in_flight_;
    changed_.SignalAll();
    mutex_.Unlock();
    for (std::function<void()>& callback : done) callback();
    mutex_.Lock();
  }
}

void RemoteCore::File(size_t index, Chunk& chunk, const grpc::Status& status,
                      const ChunkReply& reply, Callbacks& done) {
  Host& host = hosts_[index];
  const std::string& address = host.status.address;
  if (status.ok()) {
    ++host.status.chunks_done;
    std::vector<internal::TaskError> errors;
    for (const TaskFailure& failure : reply.failures()) {
      errors.push_back({failure.index(), failure.code(),
                        absl::StrCat("task ", chunk.first_index + failure.index(), " failed on ",
                                     address, " (host pid ", reply.host_pid(), "): ",
                                     failure.message()),
                        failure.exception()});
    }
    if (chunk.job->CompleteEncoded(chunk.first_index, chunk.count, reply.values(), errors)) {
      if (std::function<void()> on_done = chunk.job->TakeOnDone()) done.push_back(std::move(on_done));
    }
    return;
  }
  if (phase_ == Phase::kTerminating) {
    FailLocked(chunk, absl::CancelledError("the pool was terminated"), done);
    return;
  }
  const bool host_lost = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                         (status.error_code() == grpc::StatusCode::CANCELLED && !host.status.alive);
  if (host_lost) {
    // Not this chunk's fault: it goes first to the hosts still alive.
    if (host.status.alive) DeclareDeadLocked(index, status.error_message(), done);
    // (Lesson 10's claim 5, counterfactual: the lost host's chunk failed instead.)
    if (HostsAliveLocked() && !internal::BugPutBack("lost_hosts_chunks_failed")) {
      pending_.push_front(std::move(chunk));
    } else {
      FailLocked(chunk, absl::UnavailableError("every worker host of this pool is down"), done);
    }
    return;
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    FailLocked(chunk, absl::DeadlineExceededError(absl::StrCat(
                          "worker host ", address, " did not finish it within ",
                          absl::FormatDuration(options_.call_timeout),
                          " (RemotePoolOptions::call_timeout)")),
               done);
    return;
  }
  FailLocked(chunk, absl::Status(FromGrpcStatus(status).code(),
                                 absl::StrCat("worker host ", address, " refused it: ",
                                              status.error_message())),
             done);
}

void RemoteCore::DeclareDeadLocked(size_t index, const std::string& why, Callbacks& done) {
  Host& host = hosts_[index];
  host.status.alive = false;
  host.status.why_dead = why;
  if (internal::PoolRecordEnabled()) {  // written after the lock is let go, with the callbacks
    done.push_back([line = absl::StrCat("host_lost pool=", record_id_, " host_pid=", host.pid)] {
      internal::RecordPoolEvent(line);
    });
  }
  for (grpc::ClientContext* call : host.calls) call->TryCancel();
  if (!HostsAliveLocked()) {
    for (Chunk& chunk : pending_) {
      FailLocked(chunk, absl::UnavailableError(absl::StrCat(
                            "every worker host of this pool is down; the last, ",
                            host.status.address, ": ", why)),
                 done);
    }
    pending_.clear();
  }
  changed_.SignalAll();
}

void RemoteCore::FailLocked(Chunk& chunk, const absl::Status& status, Callbacks& done) {
  if (chunk.job->FailAll(chunk.first_index, chunk.count, status)) {
    if (std::function<void()> on_done = chunk.job->TakeOnDone()) done.push_back(std::move(on_done));
  }
}

void RemoteCore::WatchHealth() {
  internal::MutexLock lock(mutex_);
  while (true) {
    const absl::Time next_check = absl::Now() + options_.health_interval;
    while (phase_ != Phase::kTerminating && changed_.WaitUntil(mutex_, next_check)) {
    }
    if (phase_ == Phase::kTerminating) return;
    for (size_t index = 0; index < hosts_.size(); ++index) {
      if (!hosts_[index].status.alive) continue;
      WorkerHostService::Stub& stub = *hosts_[index].stub;
      mutex_.Unlock();
      grpc::ClientContext context;
      AddToken(context);
      const absl::Duration wait = std::min(options_.connect_timeout, options_.health_interval);
      context.set_deadline(absl::ToChronoTime(absl::Now() + wait));
      HealthReply health;
      const grpc::Status status = stub.Health(&context, HealthRequest(), &health);
      Callbacks done;
      mutex_.Lock();
      // (Lesson 10's claim 6, counterfactual: a host that misses its checks kept.)
      if (!status.ok() && hosts_[index].status.alive && phase_ != Phase::kTerminating &&
          !internal::BugPutBack("silent_host_never_given_up")) {
        DeclareDeadLocked(index,
                          absl::StrCat("missed a health check: ",
                                       Unreachable(hosts_[index].status.address, status, wait).message()),
                          done);
      }
      mutex_.Unlock();
      for (std::function<void()>& callback : done) callback();
      mutex_.Lock();
    }
  }
}

bool RemoteCore::HostsAliveLocked() const {
  return std::any_of(hosts_.begin(), hosts_.end(), [](const Host& host) { return host.status.alive; });
}

void RemoteCore::Close() {
  internal::RecordPoolEvent(absl::StrCat("close pool=", record_id_));
  internal::MutexLock lock(mutex_);
  if (phase_ == Phase::kRunning) phase_ = Phase::kClosing;
}

absl::Status RemoteCore::Join(absl::Duration timeout) {
  const int64_t start_us = internal::PoolRecordEnabled() ? internal::PoolRecordMicros() : 0;
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status joined = [&] {
    internal::MutexLock lock(mutex_);
    if (phase_ == Phase::kRunning) {
      return absl::FailedPreconditionError("Join() needs Close() or Terminate() first");
    }
    while (!AllWorkDoneLocked()) {
      if (!changed_.WaitUntil(mutex_, deadline) && !AllWorkDoneLocked()) {
        return absl::DeadlineExceededError("Join(): the pool's work is not done yet");
      }
    }
    return absl::OkStatus();
  }();
  if (joined.ok()) StopThreads();  // nothing is left to cancel: this only stops our threads
  internal::RecordPoolJoin(record_id_, joined, start_us);
  return joined;
}

void RemoteCore::Terminate() {
  internal::RecordPoolEvent(absl::StrCat("terminate pool=", record_id_));
  StopThreads();
}

void RemoteCore::StopThreads() {
  Callbacks done;
  {
    internal::MutexLock lock(mutex_);
    phase_ = Phase::kTerminating;
    for (Host& host : hosts_) {
      for (grpc::ClientContext* call : host.calls) call->TryCancel();
    }
    for (Chunk& chunk : pending_) FailLocked(chunk, absl::CancelledError("the pool was terminated"), done);
    pending_.clear();
    changed_.SignalAll();
  }
  for (std::function<void()>& callback : done) callback();
  for (std::thread& thread : threads_) {
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
}

int RemoteCore::workers() const {
  internal::MutexLock lock(mutex_);
  int workers = 0;
  for (const Host& host : hosts_) workers += host.status.alive ? host.status.workers : 0;
  return std::max(1, workers);
}

std::vector<HostStatus> RemoteCore::Hosts() const {
  internal::MutexLock lock(mutex_);
  std::vector<HostStatus> hosts;
  for (const Host& host : hosts_) hosts.push_back(host.status);
  return hosts;
}

}  // namespace mp::remote
