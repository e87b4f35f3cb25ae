// The rules a Chrome trace event file must keep for Perfetto and chrome://tracing to open
// it as intended, checked: so a test (and `timeline_tool --check`) can tell a trace that
// only looks right from one that is.

#ifndef MP_POOL_TRACE_TRACE_FORMAT_H_
#define MP_POOL_TRACE_TRACE_FORMAT_H_

#include <string>
#include <vector>

#include "base/json.h"

namespace mp::trace {

// What breaks the trace event format's rules in `trace`, one line each; empty if nothing:
// - the JSON object form: {"traceEvents": [...]}, with "displayTimeUnit" "ms" or "ns" if present;
// - every event has "name" (string), "ph" (a phase this project writes: X, i, M), "pid"
//   and "tid" (integers) and "ts" (a number of microseconds, not negative);
// - a complete event ("X") has "dur" (not negative); an instant ("i") has scope "s" of
//   g, p or t if any; metadata ("M") is process_name or thread_name with args.name;
// - every process with events is named by a process_name event;
// - complete events on one thread nest or follow one another (a worker runs one chunk at
//   a time); slices that overlap without nesting are drawn wrongly.
std::vector<std::string> TraceFormatProblems(const Json& trace);

}  // namespace mp::trace

#endif  // MP_POOL_TRACE_TRACE_FORMAT_H_
