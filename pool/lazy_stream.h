// Imap over inputs that are not all in memory: a generator, a file read line by line, a
// range of a hundred million numbers. Inputs are pulled only as results are taken, at most
// `buffersize` ahead of the caller (Python 3.14's imap(..., buffersize=N)), so memory
// stays flat however many inputs there are.
//
//   int64_t next = 0;
//   mp::InputSource<int64_t> numbers([&]() -> absl::StatusOr<std::optional<int64_t>> {
//     if (next == 100'000'000) return std::nullopt;   // the end
//     return next++;
//   });
//   auto squares = pool->ImapLazy(Square, std::move(numbers), {.buffersize = 100'000});
//   while (true) {
//     absl::StatusOr<int64_t> square = squares.Next();
//     if (absl::IsOutOfRange(square.status())) break;   // every result taken
//     ...
//   }
//
// How: inputs go to the pool in batches of a quarter of `buffersize` (each batch one
// Imap), and a new batch is pulled once the caller has taken a batch's worth of results,
// so up to four batches are in flight. Results come in input order (ImapLazy) or, within
// each batch, as they complete (ImapUnorderedLazy). A source that fails (returns an error)
// ends the stream: the results of the inputs it gave before are returned first, then its
// error, then OutOfRange (CPython's test_imap_handle_iterable_exception). The pool must
// outlive the stream.

#ifndef MP_POOL_LAZY_STREAM_H_
#define MP_POOL_LAZY_STREAM_H_

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pool/results.h"

namespace mp {

// Where lazy inputs come from: each call gives the next input, nullopt at the end, or an
// error if the source failed.
template <typename T>
using InputSource = std::function<absl::StatusOr<std::optional<T>>()>;

// The inputs of [begin, end), one by one (they must outlive the stream).
template <typename Iterator>
auto InputsFrom(Iterator begin, Iterator end) {
  using T = std::decay_t<decltype(*begin)>;
  return InputSource<T>([begin, end]() mutable -> absl::StatusOr<std::optional<T>> {
    if (begin == end) return std::nullopt;
    return *begin++;
  });
}

struct LazyMapOptions {
  // Inputs taken ahead of the results the caller has taken. At least 1.
  size_t buffersize = 4096;
  // As MapOptions::chunksize, within each batch.
  int64_t chunksize = 0;
};

template <typename R>
class LazyResultStream {
 public:
  // Pulls up to `max` inputs and submits them as one Imap: the batch's stream and how many
  // inputs it holds (0: the source had no more). An error: the source failed before giving
  // any input, or the pool refused the batch.
  struct Batch {
    std::optional<ResultStream<R>> results;
    size_t size = 0;
    absl::Status source_error;  // the source failed after giving these `size` inputs
  };
  using SubmitNext = std::function<absl::StatusOr<Batch>(size_t max)>;

  LazyResultStream(SubmitNext submit_next, size_t buffersize)
      : submit_next_(std::move(submit_next)),
        buffersize_(std::max<size_t>(buffersize, 1)),
        batch_size_(std::max<size_t>(buffersize_ / 4, 1)) {}

  // The next result, or that task's error; the source's error where it failed; then
  // OutOfRange (Python's StopIteration). DeadlineExceeded if none arrives within
  // `timeout` (the stream stays usable).
  absl::StatusOr<R> Next(absl::Duration timeout = absl::InfiniteDuration()) {
    Refill();
    if (batches_.empty()) {
      if (!ended_with_.ok()) return std::exchange(ended_with_, absl::OutOfRangeError("no more results"));
      return absl::OutOfRangeError("no more results");
    }
    InFlight& front = batches_.front();
    absl::StatusOr<R> result = front.results.Next(timeout);
    if (absl::IsDeadlineExceeded(result.status())) return result;
    --taken_ahead_;
    if (++front.handed_out == front.size) batches_.pop_front();
    return result;
  }

  // Inputs taken from the source whose results the caller has not taken yet: at most
  // buffersize (plus one batch while the last one is pulled).
  size_t taken_ahead() const { return taken_ahead_; }

 private:
  struct InFlight {
    ResultStream<R> results;
    size_t size = 0;
    size_t handed_out = 0;
  };

  // Keeps buffersize inputs in flight, a batch at a time, until the source ends.
  void Refill() {
    while (!source_done_ && taken_ahead_ + batch_size_ <= buffersize_) {
      absl::StatusOr<Batch> batch = submit_next_(batch_size_);
      if (!batch.ok()) {
        End(batch.status());
        return;
      }
      if (batch->size > 0) {
        batches_.push_back({*std::move(batch->results), batch->size, 0});
        taken_ahead_ += batch->size;
      }
      if (!batch->source_error.ok()) {
        End(batch->source_error);
      } else if (batch->size < batch_size_) {
        End(absl::OkStatus());  // the source is exhausted
      }
    }
  }
  void End(absl::Status why) {
    source_done_ = true;
    ended_with_ = std::move(why);
  }

  SubmitNext submit_next_;
  const size_t buffersize_;
  const size_t batch_size_;
  std::deque<InFlight> batches_;
  size_t taken_ahead_ = 0;
  bool source_done_ = false;
  absl::Status ended_with_;  // the source's error, returned once its batches are taken
};

}  // namespace mp

#endif  // MP_POOL_LAZY_STREAM_H_
