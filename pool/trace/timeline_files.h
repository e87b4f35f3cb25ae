// The files around a timeline: the pool's record it is read from, and the pictures it is
// written to. For the timeline tool and for demos that draw their own runs.

#ifndef MP_POOL_TRACE_TIMELINE_FILES_H_
#define MP_POOL_TRACE_TIMELINE_FILES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "process/life_record.h"

namespace mp::trace {

// Makes this program record its pools into `path` (RecordPools), emptied first so a rerun
// does not append to the last run. Call it before the pools to be drawn are created.
absl::Status StartPoolRecord(const std::string& path);

// Where a demo writes its timelines: `chosen` if not empty, else $TMPDIR/`default_name`
// (or /tmp/`default_name`); created if missing.
absl::StatusOr<std::string> TimelineDirectory(const std::string& chosen, const std::string& default_name);

// A record's lines, as ParsePoolRecord reads them.
absl::StatusOr<std::vector<internal::PoolEvent>> ReadPoolRecordFile(const std::string& path);

// Writes `text` as the whole of file `path`, replacing what was there.
absl::Status WriteWholeFile(const std::string& path, std::string_view text);

}  // namespace mp::trace

#endif  // MP_POOL_TRACE_TIMELINE_FILES_H_
