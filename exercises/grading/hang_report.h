// When a graded program runs past its deadline, the grader says why, in the learner's
// terms, before killing it: for the program and each of its descendants, what it was
// blocked in (reading a pipe, writing one, waiting for a child, sleeping), and for a
// pipe, which processes still hold its other ends. The classic hang, a reader that never
// sees end of file because some process (often the reader itself) still has a copy of
// the write end, is then named outright.
//
// It also keeps every run inside Bazel's own test timeout: a hang is reported by the
// grader, never by Bazel's bare TIMEOUT.

#ifndef MP_EXERCISES_GRADING_HANG_REPORT_H_
#define MP_EXERCISES_GRADING_HANG_REPORT_H_

#include <sys/types.h>

#include <string>

#include "absl/time/time.h"

namespace mp::grading {

// What `program` and its descendants are doing now, as sentences (see above).
std::string DescribeHang(pid_t program);

// `timeout`, shortened so that the run ends, and the grader can report, well before
// Bazel's TEST_TIMEOUT for this test runs out (at least 1 s).
absl::Duration WithinTestTimeout(absl::Duration timeout);

// "the program was still running after <timeout>. <DescribeHang(program)>"
std::string StillRunning(pid_t program, absl::Duration timeout);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_HANG_REPORT_H_
