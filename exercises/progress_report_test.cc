#include "exercises/progress_report.h"

#include <string>
#include <vector>

#include "base/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mp::exercises {
namespace {

using ::testing::HasSubstr;

TEST(ProgressReportTest, GraderWordsAreTheTestOutputOrTheCompilerErrors) {
  EXPECT_EQ(GraderWords("INFO: x\n==================== Test output for //e:grade:\nExpected 1\n"
                        "saw 2\n=========\nINFO: y\n"),
            "Expected 1\nsaw 2");
  EXPECT_EQ(GraderWords("INFO: x\ne.cc:3: error: 'y' was not declared\nINFO: z\n"),
            "e.cc:3: error: 'y' was not declared");
  EXPECT_EQ(GraderWords("something else"), "something else");
}

TEST(ProgressReportTest, TitleIsTheFirstHeading) {
  EXPECT_EQ(TitleFrom("intro\n# Exercise Q1: double a list \n## Steps\n"), "Exercise Q1: double a list");
  EXPECT_EQ(TitleFrom("no heading"), "");
}

TEST(ProgressReportTest, FirstHintIsItemOneJoinedOnOneLine) {
  EXPECT_EQ(FirstHintFrom("# Hints\n\n1. Call `fork()`\n   once per number.\n2. Flush.\n"),
            "Call `fork()` once per number.");
  EXPECT_EQ(FirstHintFrom("no hints"), "");
}

TEST(ProgressReportTest, ExercisesComeInTheCourseOrderUnknownOnesLastByName) {
  EXPECT_EQ(InCourseOrder({"zz_new", "x1_pipe_ping_pong", "q1_pool_map", "aa_new",
                           "q3_create_process"}),
            (std::vector<std::string>{"q3_create_process", "q1_pool_map", "x1_pipe_ping_pong",
                                      "aa_new", "zz_new"}));
}

TEST(ProgressReportTest, BuildEventsGiveEachGradeItsStatusAndFiles) {
  const BuildEvents events = ParseBuildEvents(
      "{\"id\":{\"testSummary\":{\"label\":\"//e/a:grade\"}},\"testSummary\":{\"overallStatus\":\"FAILED\"}}\n"
      "{\"id\":{\"testResult\":{\"label\":\"//e/a:grade\"}},\"testResult\":{\"testActionOutput\":["
      "{\"name\":\"test.log\",\"uri\":\"file:///l\"},{\"name\":\"test.xml\",\"uri\":\"file:///x/test.xml\"}]}}\n"
      "{\"id\":{\"actionCompleted\":{\"label\":\"//e/b:b\"}},\"action\":{\"exitCode\":1,"
      "\"stderr\":{\"name\":\"stderr\",\"uri\":\"file:///tmp/stderr-4\"}}}\n"
      "{\"id\":{\"actionCompleted\":{\"label\":\"//e/c:c\"}},\"action\":{\"success\":true,"
      "\"stderr\":{\"name\":\"stderr\",\"uri\":\"file:///tmp/stderr-5\"}}}\n");
  EXPECT_EQ(events.test_status.at("//e/a:grade"), "FAILED");
  EXPECT_EQ(events.test_xml.at("//e/a:grade"), "/x/test.xml");
  EXPECT_EQ(events.build_stderr.at("//e/b"), "/tmp/stderr-4");
  EXPECT_EQ(events.build_stderr.count("//e/c"), 0u);  // it succeeded
}

TEST(ProgressReportTest, TestXmlGivesTheGradersWordsUnescaped) {
  EXPECT_EQ(FailuresFromTestXml(
                "<testcase><failure message=\"g.cc:45&#x0A;Failed&#x0A;&#x0A;Expected &quot;a&quot; &amp; "
                "&lt;b&gt;&#x0A;\" type=\"\"></failure></testcase><testcase><failure "
                "message=\"g.cc:45&#x0A;Failed&#x0A;&#x0A;Second.\"></failure></testcase>"),
            "Expected \"a\" & <b>\n\nSecond.");
  EXPECT_EQ(FailuresFromTestXml("<testsuites tests=\"1\" failures=\"0\"/>"), "");
}

std::vector<ExerciseResult> TwoOfThreeDone() {
  return {{.name = "q1", .title = "One", .first_hint = "h1", .grade = Grade::kPassed},
          {.name = "q3", .title = "Three", .first_hint = "h3", .grade = Grade::kDoesNotBuild,
           .output = "error: \"x\" undeclared"},
          {.name = "q5", .title = "Five", .first_hint = "h5", .grade = Grade::kPassed}};
}

TEST(ProgressReportTest, TableShowsEachStatusAndTheFirstUndoneAsNext) {
  const std::string table = ProgressTable(TwoOfThreeDone());
  EXPECT_THAT(table, HasSubstr("| q1 | One | done |"));
  EXPECT_THAT(table, HasSubstr("| q3 | Three | not yet (does not build) |"));
  EXPECT_THAT(table, HasSubstr("2 of 3 done."));
  EXPECT_THAT(table, HasSubstr("Next: q3 (Three)"));
  EXPECT_THAT(table, HasSubstr("hint   h3"));
}

TEST(ProgressReportTest, AllDoneIsCongratulated) {
  std::vector<ExerciseResult> results = TwoOfThreeDone();
  results[1].grade = Grade::kPassed;
  EXPECT_THAT(ProgressTable(results), HasSubstr("Every exercise passes its grader."));
}

TEST(ProgressReportTest, GradescopeScoresOnePointPerExerciseAndEscapesOutput) {
  const Json json = Json::parse(GradescopeJson(TwoOfThreeDone()));
  EXPECT_EQ(json["score"], 2);
  EXPECT_EQ(json["max_score"], 3);
  EXPECT_EQ(json["tests"][1],
            Json({{"name", "q3: Three"}, {"score", 0}, {"max_score", 1}, {"status", "failed"},
                  {"output", "error: \"x\" undeclared"}}));
}

}  // namespace
}  // namespace mp::exercises
