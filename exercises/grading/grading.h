// What every exercise grader shares (see exercises/exercise.bzl).
//
// A grader is a gtest binary run as `grader <program> <pass|fail> [--expect_message=M]`.
// It grades <program>
// (the learner's version, the reference, or the untouched starter) by running it and
// collecting every way its behaviour differs from the goal, as sentences that teach:
// what was expected, what was seen, and which hint to read. Then
//
//   mp::grading::Report(problems);
//
// fails the test with those sentences when a pass is expected. When a fail is expected
// (the untouched starter), the grader passes if any test found a problem: a starter that
// already passes would teach nothing. A known wrong answer (exercise.bzl's wrong_answers)
// also names the message it must get: one of the problems must contain M, so a grader
// that fails it for the wrong reason, or with a vaguer sentence, fails its zoo test.
//
// grading_main.cc provides main(): it reads the two arguments, runs the tests, and fails
// the grade if any child process is left behind at the end.

#ifndef MP_EXERCISES_GRADING_GRADING_H_
#define MP_EXERCISES_GRADING_GRADING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mp::grading {

// The path of the program being graded.
const std::string& Program();

// Whether the program is expected to pass (the learner's version and the reference) or
// to fail (the untouched starter).
bool ExpectPass();

// Reports a grade; see the file comment.
void Report(const std::vector<std::string>& problems);

// The lines of `text` without their '\n'. A final '\n' ends the last line; it does not
// start an empty one ("a\nb\n" is {"a", "b"}).
std::vector<std::string> Lines(absl::string_view text);

// "Expected <expected>, but the program printed:\n<seen>" with the output quoted so that
// empty output and trailing spaces show.
std::string ExpectedButSaw(absl::string_view expected, absl::string_view seen);

// For a grader whose speed check could not judge (a sanitized build, no second CPU
// free): why. A known wrong answer that only its speed gives away (expected grade
// "fail_when_timed") is then not counted as passing. Empty while speed was judged.
void NoteSpeedNotJudged(std::string why);
const std::string& SpeedNotJudged();

// Called by grading_main.cc.
void SetProgram(std::string program, bool expect_pass);
const std::vector<std::string>& ProblemsReported();

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_GRADING_H_
