#include "pool/trace/timeline.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/xml_text.h"

namespace mp::trace {
namespace {

int64_t Number(const internal::PoolEvent& event, const std::string& field) {
  int64_t value = 0;
  return absl::SimpleAtoi(event.Field(field), &value) ? value : 0;
}

void Widen(Timeline& timeline, int64_t at_us) {
  if (at_us <= 0) return;
  if (timeline.begin_us == 0 || at_us < timeline.begin_us) timeline.begin_us = at_us;
  timeline.end_us = std::max(timeline.end_us, at_us);
}

// The chunk a "ran", "thread_ran" or "remote_ran" line says ran, widening the timeline
// to its start. `task` names it where the line does not.
ChunkRun ChunkOf(const internal::PoolEvent& event, const std::string& task, Timeline& timeline) {
  const int64_t at_us = Number(event, "us");
  const int64_t start_us = Number(event, "start_us");
  Widen(timeline, start_us);
  return {task, static_cast<uint64_t>(Number(event, "first")), static_cast<uint64_t>(Number(event, "count")),
          start_us > 0 ? start_us : at_us, at_us};
}

}  // namespace

Timeline FromPoolRecord(const std::vector<internal::PoolEvent>& events, const std::string& pool) {
  // The workers of `pool`: their "ran" lines carry no pool id, but their pids are known.
  // Every pool's workers are processes too, with "process" lines of their own: those are
  // left to the pool's lines.
  std::set<pid_t> workers_of_pool, workers_of_any_pool;
  for (const internal::PoolEvent& event : events) {
    if (event.what != "worker") continue;
    const pid_t pid = static_cast<pid_t>(Number(event, "pid"));
    workers_of_any_pool.insert(pid);
    if (event.Field("pool") == pool) workers_of_pool.insert(pid);
  }
  Timeline timeline;
  std::map<int64_t, std::string> host_addresses;  // by host pid
  std::map<int64_t, int64_t> host_started;
  std::vector<std::pair<int64_t, int64_t>> lost_hosts;  // host pid, when
  std::vector<const internal::PoolEvent*> collected;      // matched to their chunks at the end
  for (const internal::PoolEvent& event : events) {
    const int64_t at_us = Number(event, "us");
    if (at_us == 0) continue;
    if (!pool.empty()) {
      const bool ours = event.what == "ran" ? workers_of_pool.count(event.writer) > 0
                                            : event.Field("pool") == pool;
      if (!ours) continue;
    }
    if (event.what == "process" || event.what == "process_exit") {  // a plain mp::Process
      const pid_t pid = static_cast<pid_t>(Number(event, "pid"));
      if (workers_of_any_pool.count(pid) > 0) continue;
      Widen(timeline, at_us);
      WorkerTrack& track = timeline.workers[pid];
      track.pid = pid;
      track.plain_process = true;
      if (timeline.parent == 0) timeline.parent = event.writer;
      if (event.what == "process") {
        track.started_us = at_us;
      } else {
        track.ended_us = at_us;
        track.exit_code = static_cast<int>(Number(event, "code"));
      }
      continue;
    }
    if (event.what == "collected") {
      collected.push_back(&event);
      continue;
    }
    Widen(timeline, at_us);
    if (event.what == "wait") {
      const int64_t start_us = Number(event, "start_us");
      Widen(timeline, start_us);
      timeline.waits.push_back({event.writer, static_cast<pid_t>(Number(event, "tid")),
                                start_us > 0 ? start_us : at_us, at_us, event.Field("collecting") == "1",
                                event.Field("timed_out") == "1"});
      continue;
    }
    if (event.what == "host" || event.what == "remote_ran" || event.what == "host_lost") {  // a RemotePool's
      const int64_t host_pid = Number(event, "host_pid");
      if (event.what == "host") {
        host_addresses[host_pid] = event.Field("address");
        host_started[host_pid] = at_us;
        continue;
      }
      if (event.what == "host_lost") {
        lost_hosts.push_back({host_pid, at_us});
        continue;
      }
      const int lane = static_cast<int>(Number(event, "lane"));
      WorkerTrack& track = timeline.workers[RemoteTrackId(host_pid, lane)];
      track.pid = static_cast<pid_t>(host_pid);
      track.tid = lane + 1;
      track.host = host_addresses[host_pid];
      track.started_us = host_started[host_pid];
      const ChunkRun chunk = ChunkOf(event, event.Field("task"), timeline);
      if (event.Field("status") == "OK") track.chunks.push_back(chunk);  // else its chunk went elsewhere
      continue;
    }
    if (event.what == "thread" || event.what == "thread_ran") {  // a ThreadPool's thread
      const pid_t tid = static_cast<pid_t>(Number(event, "tid"));
      WorkerTrack& track = timeline.workers[tid];
      track.pid = event.writer;
      track.tid = tid;
      if (event.what == "thread") {
        track.started_us = at_us;
        continue;
      }
      track.chunks.push_back(ChunkOf(event, "chunk", timeline));
    } else if (event.what == "ran") {
      WorkerTrack& track = timeline.workers[event.writer];
      track.pid = event.writer;
      track.chunks.push_back(ChunkOf(event, event.Field("task"), timeline));
    } else if (event.what == "worker") {
      const pid_t pid = static_cast<pid_t>(Number(event, "pid"));
      WorkerTrack& track = timeline.workers[pid];
      track.pid = pid;
      track.started_us = at_us;
      if (timeline.parent == 0) timeline.parent = event.writer;
    } else if (event.what == "exit") {
      const pid_t pid = static_cast<pid_t>(Number(event, "pid"));
      WorkerTrack& track = timeline.workers[pid];
      track.pid = pid;
      track.deaths.push_back({at_us, static_cast<int>(Number(event, "code")),
                              !event.Field("chunk_first").empty(),
                              static_cast<uint64_t>(Number(event, "chunk_first")),
                              event.Field("retried") == "1"});
    } else {
      if (timeline.parent == 0 && event.what == "create") timeline.parent = event.writer;
      timeline.marks.push_back({event.what, event.Field("pool"), at_us});
      if (event.what == "join" && Number(event, "start_us") > 0) {
        timeline.waits.push_back({event.writer, static_cast<pid_t>(Number(event, "tid")), Number(event, "start_us"),
                                  at_us, false, event.Field("status") == "DEADLINE_EXCEEDED", true});
        Widen(timeline, Number(event, "start_us"));
      }
    }
  }
  // A chunk's round trip, on the chunk its worker ran (the last with that first task: a
  // chunk retried elsewhere ran on another worker).
  for (const internal::PoolEvent* event : collected) {
    auto track = timeline.workers.find(Number(*event, "worker"));
    if (track == timeline.workers.end()) continue;
    const uint64_t first = static_cast<uint64_t>(Number(*event, "first"));
    for (auto chunk = track->second.chunks.rbegin(); chunk != track->second.chunks.rend(); ++chunk) {
      if (chunk->first != first) continue;
      chunk->sent_us = Number(*event, "sent_us");
      chunk->collected_us = Number(*event, "collected_us");
      Widen(timeline, chunk->sent_us);
      Widen(timeline, chunk->collected_us);
      break;
    }
  }
  // A lost host: a death on its first lane that ran anything (its calls then in flight
  // were sent to other hosts again).
  for (const auto& [host_pid, at_us] : lost_hosts) {
    for (auto& [key, track] : timeline.workers) {
      if (!track.host.empty() && track.pid == host_pid) {
        track.deaths.push_back({at_us, 0, false, 0, true});
        break;
      }
    }
  }
  return timeline;
}

std::vector<std::string> PoolIds(const std::vector<internal::PoolEvent>& events) {
  std::vector<std::string> ids;
  for (const internal::PoolEvent& event : events) {
    if (event.what == "create") ids.push_back(event.Field("pool"));
  }
  return ids;
}

double IdleAtTheEnd(const Timeline& timeline) {
  int64_t job_start = 0, job_end = 0;
  for (const auto& [pid, track] : timeline.workers) {
    for (const ChunkRun& chunk : track.chunks) {
      if (job_start == 0 || chunk.start_us < job_start) job_start = chunk.start_us;
      job_end = std::max(job_end, chunk.end_us);
    }
  }
  if (job_end <= job_start) return 0;
  int64_t idle_us = 0;
  int workers = 0;
  for (const auto& [pid, track] : timeline.workers) {
    if (!track.deaths.empty() || track.plain_process) continue;
    ++workers;
    int64_t last_end = job_start;
    for (const ChunkRun& chunk : track.chunks) last_end = std::max(last_end, chunk.end_us);
    idle_us += job_end - last_end;
  }
  return workers == 0 ? 0 : static_cast<double>(idle_us) / (static_cast<double>(workers) * (job_end - job_start));
}

Json ChromeTrace(const Timeline& timeline) {
  Json events = Json::array();
  auto micros = [&](int64_t at_us) { return at_us - timeline.begin_us; };
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", timeline.parent}, {"tid", 0},
                    {"ts", 0}, {"args", {{"name", absl::StrCat("parent ", timeline.parent)}}}});
  for (const PoolMark& mark : timeline.marks) {
    events.push_back({{"name", absl::StrCat(mark.what, " ", mark.pool)}, {"ph", "i"}, {"s", "p"},
                      {"pid", timeline.parent}, {"tid", 0}, {"ts", micros(mark.at_us)}});
  }
  std::set<pid_t> named{timeline.parent};
  std::set<std::pair<pid_t, pid_t>> named_threads;
  for (const CallerWait& wait : timeline.waits) {
    if (named.insert(wait.pid).second) {
      events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", wait.pid}, {"tid", 0}, {"ts", 0},
                        {"args", {{"name", absl::StrCat("process ", wait.pid)}}}});
    }
    if (named_threads.insert({wait.pid, wait.tid}).second) {
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", wait.pid}, {"tid", wait.tid}, {"ts", 0},
                        {"args", {{"name", absl::StrCat("caller thread ", wait.tid)}}}});
    }
    events.push_back({{"name", wait.join ? "waiting in Join" : (wait.collecting ? "collecting results" : "waiting for results")},
                      {"cat", "wait"},
                      {"ph", "X"},
                      {"pid", wait.pid},
                      {"tid", wait.tid},
                      {"ts", micros(wait.start_us)},
                      {"dur", wait.end_us - wait.start_us},
                      {"args", {{"timed_out", wait.timed_out}}}});
  }
  for (const auto& [key, track] : timeline.workers) {
    const pid_t pid = track.pid, tid = track.tid;
    const bool remote = !track.host.empty();
    if (tid != 0) {
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"ts", 0},
                        {"args", {{"name", remote ? absl::StrCat("call lane ", tid - 1) : absl::StrCat("thread ", tid)}}}});
    }
    if (named.insert(pid).second) {
      events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", 0}, {"ts", 0},
                        {"args", {{"name", remote ? absl::StrCat("host ", track.host, " (pid ", pid, ")")
                                              : absl::StrCat(tid != 0 || track.plain_process ? "process " : "worker ", pid)}}}});
    }
    if (track.plain_process && track.started_us > 0 && track.ended_us >= track.started_us) {
      events.push_back({{"name", absl::StrCat("alive (exit code ", track.exit_code, ")")},
                        {"cat", "process"},
                        {"ph", "X"},
                        {"pid", pid},
                        {"tid", 0},
                        {"ts", micros(track.started_us)},
                        {"dur", track.ended_us - track.started_us},
                        {"args", {{"exit_code", track.exit_code}}}});
    } else if (track.started_us > 0) {
      events.push_back({{"name", tid != 0 ? "thread started" : (track.plain_process ? "process started" : "worker started")}, {"ph", "i"}, {"s", tid != 0 ? "t" : "p"},
                        {"pid", pid}, {"tid", tid}, {"ts", micros(track.started_us)}});
    }
    for (const ChunkRun& chunk : track.chunks) {
      events.push_back({{"name", absl::StrCat(chunk.task, " [", chunk.first, "..",
                                              chunk.first + chunk.count - 1, "]")},
                        {"cat", "chunk"},
                        {"ph", "X"},
                        {"pid", pid},
                        {"tid", tid},
                        {"ts", micros(chunk.start_us)},
                        {"dur", chunk.end_us - chunk.start_us},
                        {"args", {{"first", chunk.first},
                                  {"count", chunk.count},
                                  {"sent_us", chunk.sent_us > 0 ? micros(chunk.sent_us) : -1},
                                  {"collected_us", chunk.collected_us > 0 ? micros(chunk.collected_us) : -1}}}});
    }
    for (const WorkerDeath& death : track.deaths) {
      events.push_back({{"name", death.mid_chunk ? (death.retried ? "died mid-chunk (retried)"
                                                                  : "died mid-chunk (failed)")
                                                 : "died"},
                        {"ph", "i"}, {"s", "p"}, {"pid", pid}, {"tid", 0}, {"ts", micros(death.at_us)},
                        {"args", {{"exit_code", death.exit_code}, {"chunk_first", death.chunk_first}}}});
    }
  }
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

std::string Svg(const Timeline& timeline, const std::string& title, int64_t axis_us) {
  std::vector<const WorkerTrack*> rows;
  for (const auto& [pid, track] : timeline.workers) rows.push_back(&track);
  auto first_seen = [](const WorkerTrack* track) {
    return track->started_us > 0 ? track->started_us
                                 : (track->chunks.empty() ? 0 : track->chunks.front().start_us);
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const WorkerTrack* a, const WorkerTrack* b) {
    return first_seen(a) < first_seen(b);
  });
  constexpr double kLeft = 120, kWidth = 760, kRow = 28, kTop = 40;
  const double span_us = std::max<int64_t>({timeline.end_us - timeline.begin_us, axis_us, 1});
  auto x = [&](int64_t at_us) { return kLeft + kWidth * static_cast<double>(at_us - timeline.begin_us) / span_us; };
  const size_t row_count = rows.size() + (timeline.waits.empty() ? 0 : 1);  // the caller's row last
  const double height = kTop + kRow * static_cast<double>(row_count) + 40;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>\n",
      static_cast<int>(kLeft + kWidth + 20), static_cast<int>(height), XmlEscaped(title));
  for (size_t row = 0; row < rows.size(); ++row) {
    const WorkerTrack& track = *rows[row];
    const double y = kTop + kRow * static_cast<double>(row);
    if (!track.host.empty()) {
      // A long address (unix:/a/long/path) keeps its end, which tells hosts apart.
      const std::string label = track.host.size() > 16 ? "..." + track.host.substr(track.host.size() - 13) : track.host;
      absl::StrAppendFormat(&svg, "<text x=\"10\" y=\"%.1f\"><title>%s</title>%s #%d</text>\n", y + 17,
                            XmlEscaped(track.host), XmlEscaped(label), track.tid - 1);
    } else {
      absl::StrAppendFormat(&svg, "<text x=\"10\" y=\"%.1f\">%s %d</text>\n", y + 17,
                            track.tid != 0 ? "thread" : (track.plain_process ? "process" : "worker"),
                            track.tid != 0 ? track.tid : track.pid);
    }
    if (track.plain_process && track.started_us > 0) {
      const int64_t end_us = track.ended_us > 0 ? track.ended_us : timeline.end_us;
      const double left = x(track.started_us);
      const double width = std::max(x(end_us) - left, 1.0);
      absl::StrAppendFormat(&svg,
                            "<rect class=\"process\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            "fill=\"#c8c8c8\" stroke=\"#333\" stroke-width=\"0.5\"/>\n"
                            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%s</text>\n",
                            left, y + 4, width, kRow - 10, left + width + 3, y + 16,
                            track.ended_us > 0 ? absl::StrCat("exit ", track.exit_code) : std::string("running"));
    }
    absl::StrAppendFormat(&svg, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                          kLeft, y + kRow - 2, kLeft + kWidth, y + kRow - 2);
    for (const ChunkRun& chunk : track.chunks) {  // round trips first, behind every bar
      if (chunk.sent_us > 0 && chunk.collected_us > 0) {
        absl::StrAppendFormat(&svg,
                              "<line class=\"round_trip\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                              "stroke=\"#999\" stroke-width=\"1\"/>\n",
                              x(chunk.sent_us), y + kRow / 2 - 3, x(chunk.collected_us), y + kRow / 2 - 3);
      }
    }
    for (size_t i = 0; i < track.chunks.size(); ++i) {
      const ChunkRun& chunk = track.chunks[i];
      const double left = x(chunk.start_us);
      const double width = std::max(x(chunk.end_us) - left, 1.0);
      absl::StrAppendFormat(&svg,
                            "<rect class=\"chunk\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            "fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"><title>%s [%d..%d]</title></rect>\n",
                            left, y + 4, width, kRow - 10, i % 2 == 0 ? "#6a9fd4" : "#9cc3e8",
                            XmlEscaped(chunk.task), chunk.first, chunk.first + chunk.count - 1);
      if (width > 24) {
        absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%d</text>\n", left + 2,
                              y + 16, chunk.first);
      }
    }
    for (const WorkerDeath& death : track.deaths) {
      const double cx = x(death.at_us);
      absl::StrAppendFormat(&svg,
                            "<g class=\"death\" stroke=\"#c00\" stroke-width=\"2\"><line x1=\"%.1f\" y1=\"%.1f\" "
                            "x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
                            cx - 6, y + 4, cx + 6, y + kRow - 6, cx - 6, y + kRow - 6, cx + 6, y + 4);
      absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#c00\" font-size=\"9\">%s</text>\n",
                            cx + 8, y + 12,
                            !track.host.empty() ? "host lost: its calls sent elsewhere"
                            : death.mid_chunk   ? (death.retried ? "died: chunk retried" : "died: chunk failed")
                                                : "died");
    }
  }
  if (!timeline.waits.empty()) {
    const double y = kTop + kRow * static_cast<double>(rows.size());
    absl::StrAppendFormat(&svg, "<text x=\"10\" y=\"%.1f\">caller %d</text>\n", y + 17, timeline.waits.front().pid);
    for (const CallerWait& wait : timeline.waits) {
      const double left = x(wait.start_us);
      absl::StrAppendFormat(&svg,
                            "<rect class=\"wait\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            "fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"><title>%s</title></rect>\n",
                            left, y + 4, std::max(x(wait.end_us) - left, 1.0), kRow - 10,
                            wait.join ? "#c77a2e" : (wait.collecting ? "#f5c77e" : "#f0a04b"),
                            wait.join ? "waiting in Join" : (wait.collecting ? "collecting results" : "waiting for results"));
    }
  }
  const double axis_y = kTop + kRow * static_cast<double>(row_count) + 12;
  absl::StrAppendFormat(&svg, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                        kLeft, axis_y, kLeft + kWidth, axis_y);
  for (int tick = 0; tick <= 4; ++tick) {
    const double at = kLeft + kWidth * tick / 4.0;
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%.1f ms</text>\n", at,
                          axis_y + 14, tick == 0 ? "start" : (tick == 4 ? "end" : "middle"),
                          span_us * tick / 4.0 / 1000.0);
  }
  return svg + "</svg>\n";
}

}  // namespace mp::trace
