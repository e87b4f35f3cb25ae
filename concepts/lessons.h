// The course's lessons, in reading order: what the tour walks and the course map lists.

#ifndef MP_CONCEPTS_LESSONS_H_
#define MP_CONCEPTS_LESSONS_H_

#include <string>
#include <vector>

namespace mp::concepts {

struct Lesson {
  // "1" to "10", and "3b" for the chapter inserted after lesson 3, so that the numbers
  // learners know stay what they were.
  std::string label = {};
  std::string package = {};   // under concepts/, e.g. "03_create_a_process"
  std::string question = {};  // what the lesson answers
  // The demo's flags in the tour: a full run, and a --quick one.
  std::vector<std::string> tour_args = {};
  std::vector<std::string> quick_args = {};
};

const std::vector<Lesson>& Lessons();

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_LESSONS_H_
