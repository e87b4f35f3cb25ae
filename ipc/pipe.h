// Pipe(): two connected ends that carry whole messages between processes, like
// Python's multiprocessing.Pipe().
//
//   absl::StatusOr<mp::PipeEnds> pipe = mp::Pipe();          // duplex
//   mp::Process child([&] { return pipe->second.Send("hello").ok() ? 0 : 1; });
//   (void)child.Start();
//   absl::StatusOr<std::string> message = pipe->first.Recv();   // "hello"
//   (void)child.Join();
//
// Framing: each message goes as an 8-byte length, then its bytes, so a Recv() returns
// exactly what one Send() sent, however the kernel splits it. A message larger than
// the pipe's buffer (64 KiB on Linux) blocks the sender until the receiver reads:
// receive before you join the sender, or both wait forever.
//
// Closing: a Recv() that finds the other end closed between messages returns
// OutOfRange (Python's EOFError); closed in the middle of one, DataLoss. A Send() whose
// receiver is gone returns Unavailable; it never raises SIGPIPE, which would end this
// process. An end is closed when its Connection is destroyed or Close()d, and only
// when every process holding a copy has closed it: a forked child inherits both ends,
// so each side should close the end it does not use.
//
// A duplex pipe is a Unix socket pair; a one-way pipe is pipe(2), with `first` the
// receiving end and `second` the sending end. Descriptors are close-on-exec.
//
// Thread safety: one thread sends and one receives at a time on a Connection.

#ifndef MP_IPC_PIPE_H_
#define MP_IPC_PIPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"

namespace mp {

// Messages above this size are refused by Send() and reported as DataLoss by Recv()
// (a corrupt length must not make the receiver allocate gigabytes).
inline constexpr uint64_t kMaxMessageBytes = uint64_t{1} << 30;

class Connection {
 public:
  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;

  // Sends `message` whole. Unavailable if the receiving end is closed;
  // FailedPrecondition on a receive-only end; InvalidArgument above kMaxMessageBytes.
  absl::Status Send(std::string_view message);

  // Receives one whole message, waiting for it. OutOfRange once the sender has closed
  // its end; DataLoss if it closed it mid-message or the length is corrupt.
  absl::StatusOr<std::string> Recv();

  // Whether Recv() (or RecvBytes()) would return without waiting: a message has begun
  // to arrive, or the other end is closed. Waits at most `timeout`.
  absl::StatusOr<bool> Poll(absl::Duration timeout);

  // Raw byte stream, no framing: SendBytes writes all of `bytes`; RecvBytes returns
  // what has arrived, 1 to `max_bytes` bytes (waiting for at least one), or OutOfRange
  // at end of file. Do not mix with Send()/Recv() on one pipe.
  absl::Status SendBytes(std::string_view bytes);
  absl::StatusOr<std::string> RecvBytes(size_t max_bytes);

  // Closes this end now (also done by the destructor).
  void Close();

  // The descriptor, for mp::Wait() (process/wait.h) or poll(): readable when Poll()
  // would say so. Owned by this end: do not close it.
  int fileno() const { return fd_.get(); }

  bool can_send() const { return can_send_ && fd_.valid(); }
  bool can_receive() const { return can_receive_ && fd_.valid(); }

 private:
  friend absl::StatusOr<std::pair<Connection, Connection>> Pipe(bool duplex);
  Connection(internal::UniqueFd fd, bool can_send, bool can_receive)
      : fd_(std::move(fd)), can_send_(can_send), can_receive_(can_receive) {}

  // Reads exactly `size` bytes into `out`. OutOfRange if the stream ends before the
  // first byte, DataLoss if it ends after some.
  absl::Status ReadExactly(char* out, size_t size);

  internal::UniqueFd fd_;
  bool can_send_;
  bool can_receive_;
};

using PipeEnds = std::pair<Connection, Connection>;

// Two connected ends. Duplex: both send and receive. One-way: `first` receives what
// `second` sends.
absl::StatusOr<PipeEnds> Pipe(bool duplex = true);

}  // namespace mp

#endif  // MP_IPC_PIPE_H_
