#!/usr/bin/env bash
# Test for //exercises:watch against a made-up exercise and a stand-in for Bazel whose
# grader fails the first time and passes the second: watch grades at once, shows the
# grader's first message, grades again when a file of the exercise is saved, and ends
# cleanly (exit 0) on Ctrl-C. Bad usage exits 2.
set -euo pipefail
watch="$1"
workspace="${TEST_TMPDIR:-/tmp}/watch_workspace"
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$workspace/exercises/q9_demo"
printf '# Exercise Q9: a demo\n' > "$workspace/exercises/q9_demo/README.md"
printf '# Hints\n\n1. Hint.\n' > "$workspace/exercises/q9_demo/HINTS.md"
printf 'int main() {}\n' > "$workspace/exercises/q9_demo/demo.cc"
cat > "$workspace/fake_bazel" <<'FAKE'
#!/usr/bin/env bash
out=""
for arg in "$@"; do
  case "$arg" in --build_event_json_file=*) out="${arg#--build_event_json_file=}" ;; esac
done
dir="$(dirname "$out")"
count_file="$(dirname "$0")/grades_so_far"
count=$(( $(cat "$count_file" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "$count_file"
status=FAILED; [[ "$count" -ge 2 ]] && status=PASSED
cat > "$dir/q9.xml" <<'XML'
<testsuites><testcase><failure message="g.cc:1&#x0A;Failed&#x0A;&#x0A;First problem.&#x0A;&#x0A;Second problem." type=""></failure></testcase></testsuites>
XML
cat > "$out" <<EVENTS
{"id":{"testResult":{"label":"//exercises/q9_demo:grade","run":1}},"testResult":{"testActionOutput":[{"name":"test.xml","uri":"file://$dir/q9.xml"}]}}
{"id":{"testSummary":{"label":"//exercises/q9_demo:grade"}},"testSummary":{"overallStatus":"$status"}}
EVENTS
exit 0
FAKE
chmod +x "$workspace/fake_bazel"

# Waits (up to 60 s) until file $1 contains $2.
wait_for() {
  for _ in $(seq 600); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  fail "never saw '$2' in: $(cat "$1")"
}

# A save re-grades: fails first (first message only), then passes.
rm -f "$workspace/grades_so_far"
output="$workspace/out1.txt"
"$watch" q9_demo --workspace="$workspace" --bazel="$workspace/fake_bazel" --grades=2 > "$output" 2>&1 &
pid=$!
wait_for "$output" "watching exercises/q9_demo"
printf 'int main() { return 0; }\n' > "$workspace/exercises/q9_demo/demo.cc"
wait "$pid" || fail "watch exited $?: $(cat "$output")"
grep -q "\[grade 1\] q9_demo: not yet." "$output" || fail "first grade: $(cat "$output")"
grep -q "First problem." "$output" || fail "no first message: $(cat "$output")"
grep -q "Second problem." "$output" && fail "more than the first message: $(cat "$output")"
grep -q "\[grade 2\] q9_demo: PASSES" "$output" || fail "no second grade after a save: $(cat "$output")"

# Ctrl-C while waiting ends it cleanly.
output="$workspace/out2.txt"
"$watch" q9_demo --workspace="$workspace" --bazel="$workspace/fake_bazel" > "$output" 2>&1 &
pid=$!
wait_for "$output" "watching exercises/q9_demo"
kill -INT "$pid"
status=0
wait "$pid" || status=$?
[[ "$status" -eq 0 ]] || fail "Ctrl-C: exit $status, not 0"
grep -q "watch: stopped." "$output" || fail "Ctrl-C: $(cat "$output")"

for bad in "" "no_such_exercise" "q9_demo --grades=-1"; do
  status=0
  # shellcheck disable=SC2086
  "$watch" $bad --workspace="$workspace" --bazel=/bin/false > /dev/null 2>&1 || status=$?
  [[ "$status" -eq 2 ]] || fail "'$bad' exited $status, not 2"
done
echo PASS
