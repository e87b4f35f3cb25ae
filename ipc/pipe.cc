#include "ipc/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/deadline.h"
#include "base/put_bug_back.h"
#include "base/status_macros.h"
#include "base/unique_fd.h"

namespace mp {
namespace {

// The length prefix, in the sender's byte order: both ends run on one machine.
using LengthPrefix = uint64_t;

}  // namespace

absl::StatusOr<PipeEnds> Pipe(bool duplex) {
  int fds[2];
  if (duplex) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      return absl::ErrnoToStatus(errno, "socketpair");
    }
    return PipeEnds(Connection(internal::UniqueFd(fds[0]), true, true),
                    Connection(internal::UniqueFd(fds[1]), true, true));
  }
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  return PipeEnds(Connection(internal::UniqueFd(fds[0]), false, true),
                  Connection(internal::UniqueFd(fds[1]), true, false));
}

absl::Status Connection::SendBytes(std::string_view bytes) {
  if (!can_send()) {
    return absl::FailedPreconditionError(
        fd_.valid() ? "this end of a one-way pipe only receives" : "this end is closed");
  }
  while (!bytes.empty()) {
    const ssize_t written = internal::WriteWithoutSigpipe(fd_.get(), bytes);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) {
        return absl::UnavailableError("the receiving end of the pipe is closed");
      }
      return absl::ErrnoToStatus(errno, "write to pipe");
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

absl::Status Connection::Send(std::string_view message) {
  if (message.size() > kMaxMessageBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "message of ", message.size(), " bytes is above the limit of ", kMaxMessageBytes));
  }
  if (internal::BugPutBack("pipe_without_frames")) return SendBytes(message);
  const LengthPrefix length = message.size();
  // Header and body in one buffer for small messages: one system call, and a reader
  // never sees a header without the start of its body.
  if (message.size() <= 64 * 1024) {
    std::string framed(sizeof length + message.size(), '\0');
    std::memcpy(framed.data(), &length, sizeof length);
    std::memcpy(framed.data() + sizeof length, message.data(), message.size());
    return SendBytes(framed);
  }
  MP_RETURN_IF_ERROR(
      SendBytes(std::string_view(reinterpret_cast<const char*>(&length), sizeof length)));
  return SendBytes(message);
}

absl::Status Connection::ReadExactly(char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t got = ::read(fd_.get(), out + done, size - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) break;  // the peer closed with data unread: end of stream
      return absl::ErrnoToStatus(errno, "read from pipe");
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  if (done == size) return absl::OkStatus();
  if (done == 0) return absl::OutOfRangeError("the sending end of the pipe is closed");
  return absl::DataLossError(absl::StrCat("the sending end closed in the middle of a message (",
                                          done, " of ", size, " bytes arrived)"));
}

absl::StatusOr<std::string> Connection::Recv() {
  if (!can_receive()) {
    return absl::FailedPreconditionError(
        fd_.valid() ? "this end of a one-way pipe only sends" : "this end is closed");
  }
  if (internal::BugPutBack("pipe_without_frames")) {  // whatever one read returns
    std::string bytes(64 << 10, '\0');
    const ssize_t got = ::read(fd_.get(), bytes.data(), bytes.size());
    if (got <= 0) return absl::OutOfRangeError("end of file, or an error");
    bytes.resize(static_cast<size_t>(got));
    return bytes;
  }
  LengthPrefix length = 0;
  MP_RETURN_IF_ERROR(ReadExactly(reinterpret_cast<char*>(&length), sizeof length));
  if (length > kMaxMessageBytes) {
    return absl::DataLossError(absl::StrCat("a message claims ", length,
                                            " bytes, above the limit: the stream is corrupt"));
  }
  // Grow the buffer as bytes arrive rather than trusting the length up front, so a
  // corrupt length costs at most about twice what was really sent.
  std::string message;
  while (message.size() < length) {
    const size_t already = message.size();
    const size_t chunk = std::min<size_t>(length - already, std::max<size_t>(already, 64 << 10));
    message.resize(already + chunk);
    absl::Status body = ReadExactly(message.data() + already, chunk);
    if (absl::IsOutOfRange(body)) {
      return absl::DataLossError(absl::StrCat("the sending end closed in the middle of a message (",
                                              already, " of ", length, " bytes arrived)"));
    }
    MP_RETURN_IF_ERROR(body);
  }
  return message;
}

absl::StatusOr<std::string> Connection::RecvBytes(size_t max_bytes) {
  if (!can_receive()) return absl::FailedPreconditionError("this end cannot receive");
  if (max_bytes == 0) return absl::InvalidArgumentError("RecvBytes() needs max_bytes > 0");
  std::string bytes(max_bytes, '\0');
  while (true) {
    const ssize_t got = ::read(fd_.get(), bytes.data(), bytes.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno != ECONNRESET) return absl::ErrnoToStatus(errno, "read from pipe");
    if (got <= 0) return absl::OutOfRangeError("the sending end of the pipe is closed");
    bytes.resize(static_cast<size_t>(got));
    return bytes;
  }
}

absl::StatusOr<bool> Connection::Poll(absl::Duration timeout) {
  if (!can_receive()) return absl::FailedPreconditionError("this end cannot receive");
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Poll()"));
  // absl::Time saturates: Now() + InfiniteDuration() is InfiniteFuture().
  return internal::WaitReadable(fd_.get(), absl::Now() + timeout);
}

void Connection::Close() { fd_.Reset(); }

}  // namespace mp
