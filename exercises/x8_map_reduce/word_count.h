// The map and reduce functions of exercise X8's word count, and the files between them.
// Do not edit: the grader watches MapTask and ReduceTask.
//
// A word is a run of letters, lowercased. MapTask turns one input file into (word, 1)
// pairs; Partition says which reduce task a word belongs to; ReduceTask sums the pairs of
// its partition's intermediate files. Every file is written whole (to a temporary name,
// then renamed): a task killed half-way leaves no half-written file under the real name,
// so running it again is safe.
//
// Under the grader (X8_GRADER_DIR set) each MapTask and ReduceTask call also records
// which process runs it and waits at a gate the grader holds (exercises/grading/
// task_gate.h): the grader decides when tasks may finish, and kills some mid-task.

#ifndef MP_EXERCISES_X8_MAP_REDUCE_WORD_COUNT_H_
#define MP_EXERCISES_X8_MAP_REDUCE_WORD_COUNT_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace x8 {

using Pairs = std::vector<std::pair<std::string, long>>;
using Counts = std::map<std::string, long>;  // word -> count, in word order

// Map task `map_task` (1, 2, ...): (word, 1) for every word of `file`.
Pairs MapTask(int map_task, const std::string& file);

// Which of `reduce_tasks` reduce tasks (0 .. reduce_tasks - 1) counts `word`.
int Partition(const std::string& word, int reduce_tasks);

void WriteIntermediate(const std::string& path, const Pairs& pairs);

// Reduce task `reduce_task` (1, 2, ...): the sum of the pairs in `files` for each word.
Counts ReduceTask(int reduce_task, const std::vector<std::string>& files);

void WriteCounts(const std::string& path, const Counts& counts);
Counts ReadCounts(const std::string& path);

}  // namespace x8

#endif  // MP_EXERCISES_X8_MAP_REDUCE_WORD_COUNT_H_
