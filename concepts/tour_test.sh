#!/usr/bin/env bash
# Test for //concepts:tour: the quick tour runs every lesson's demo in order and ends with
# the scaling table; --lesson=N runs only that lesson; --list lists them all; bad usage
# exits 2. The timelines the tour's demos draw are written, and their Chrome traces keep
# the trace event format's rules (checked by timeline_tool --check).
# (Timing is not checked here: "--quick takes under 30 s" is measured, not tested.)
set -uo pipefail
tour="$1"
timeline_tool="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }

export TMPDIR="$TEST_TMPDIR"  # where the demos write their timelines
output=$("$tour" --quick --max_workers=2 2>/dev/null) || fail "the quick tour failed: $output"
previous=0
for n in 1 2 3 3b 4 5 6 7 8 9 9b 10; do
  line=$(grep -n "^Lesson $n: " <<<"$output" | head -1 | cut -d: -f1)
  [[ -n "$line" ]] || fail "lesson $n is missing from the tour"
  (( line > previous )) || fail "lesson $n is out of order"
  previous=$line
done
grep -q "All processes have completed." <<<"$output" || fail "lesson 6's demo did not run"
grep -q "The interleaving explorer: 100 runs of 4 processes" <<<"$output" || fail "lesson 6's explorer did not run"
grep -q "fork returned 0 in the child" <<<"$output" || fail "lesson 3b's demo did not run"
grep -q "reaping in a loop: *5 reaped" <<<"$output" || fail "lesson 9b's demo did not run"
grep -q "the map came back" <<<"$output" || fail "lesson 9's demo did not run"
grep -q "tasks started twice" <<<"$output" || fail "lesson 10's demo did not run"
table=$(sed -n '/^Finally: how does CPU-bound work scale/,$p' <<<"$output")
for row in "| Pool (processes) | 1.00 |" "| ThreadPool (threads) | 1.00 |" "| threads + global lock | 1.00 |"; do
  grep -qF "$row" <<<"$table" || fail "the final table has no row '$row': $table"
done
grep -q "^Tour done in" <<<"$output" || fail "no closing line"

for picture in mp-lesson4/chunksize_1.svg mp-lesson4/chunksize_auto.svg mp-lesson4/chunksize_too_large.svg \
               mp-lesson9/worker_crash.svg mp-lesson6/orders.svg; do
  grep -q "</svg>" "$TMPDIR/$picture" 2>/dev/null || fail "the tour drew no $picture"
  grep -qF "$TMPDIR/$picture" <<<"$output" || fail "the tour did not say where $picture is"
done
for trace in mp-lesson4/lesson4_trace.json mp-lesson9/lesson9_trace.json; do
  checked=$("$timeline_tool" --check="$TMPDIR/$trace") || fail "$trace breaks the trace event format: $checked"
done

one=$("$tour" --lesson=3 2>/dev/null) || fail "--lesson=3 failed"
grep -q "^Lesson 3: How do you create a process?" <<<"$one" || fail "--lesson=3 did not run lesson 3"
grep -q "^Lesson [^3]" <<<"$one" && fail "--lesson=3 ran other lessons: $one"
grep -q "^Finally" <<<"$one" && fail "--lesson=3 measured the table"

listed=$("$tour" --list) || fail "--list failed"
[[ $(grep -c "README.md" <<<"$listed") -eq 12 ]] || fail "--list does not list 12 lessons: $listed"

for bad in --lesson=11 --lesson=-1 --lesson=3c --max_workers=-3 --no_such_flag; do
  "$tour" "$bad" >/dev/null 2>&1
  [[ $? -eq 2 ]] || fail "$bad did not exit 2"
done
echo "PASS"
