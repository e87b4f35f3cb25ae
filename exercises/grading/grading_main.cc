// main() for exercise graders: `grader <program> <pass|fail>` (see grading.h).

#include <cstdio>
#include <string>

#include "exercises/grading/grading.h"
#include "gtest/gtest.h"
#include "process/testing/spawned_program.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 3 || (std::string(argv[2]) != "pass" && std::string(argv[2]) != "fail")) {
    std::fprintf(stderr, "usage: %s <program> <pass|fail>\n", argv[0]);
    return 2;
  }
  const bool expect_pass = std::string(argv[2]) == "pass";
  mp::grading::SetProgram(mp::test::Runfile(argv[1]), expect_pass);
  const int tests_failed = RUN_ALL_TESTS();
  if (expect_pass) return tests_failed;
  // The untouched starter: it must fail somewhere, or the exercise teaches nothing.
  if (mp::grading::ProblemsReported() == 0) {
    std::fprintf(stderr, "FAIL: the untouched starter passes the grader: leave work to do\n");
    return 1;
  }
  std::fprintf(stderr, "PASS: the untouched starter fails grading (%d problems), as it should\n",
               mp::grading::ProblemsReported());
  return 0;
}
