#!/usr/bin/env bash
# Test for //exercises:progress against a made-up repository with three exercises and a
# stand-in for Bazel that writes a build event file: one grade passes, one fails, one
# does not compile. The table must say so, name the failing one as next with its first
# hint, and the Gradescope file must score 1 of 3 with the grader's words (from its
# test.xml) and the compiler's. Bad usage exits 2.
set -euo pipefail
progress="$1"
workspace="${TEST_TMPDIR:-/tmp}/workspace"
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$workspace/exercises/a_done" "$workspace/exercises/b_todo" "$workspace/exercises/no_hints"
printf '# Exercise A: done already\n' > "$workspace/exercises/a_done/README.md"
printf '# Hints\n\n1. First hint of A.\n2. Second.\n' > "$workspace/exercises/a_done/HINTS.md"
printf '# Exercise B: still to do\n' > "$workspace/exercises/b_todo/README.md"
printf '# Hints\n\n1. Look at the\n   TODO first.\n2. Then the rest.\n' > "$workspace/exercises/b_todo/HINTS.md"
mkdir -p "$workspace/exercises/c_broken"
printf '# Exercise C: does not compile\n' > "$workspace/exercises/c_broken/README.md"
printf '# Hints\n\n1. Read the error.\n' > "$workspace/exercises/c_broken/HINTS.md"
# A stand-in for Bazel: `test --keep_going ... --build_event_json_file=F //exercises/...`.
# It writes the build event file Bazel would: a_done passes, b_todo fails with the
# grader's words in its test.xml, c_broken does not compile.
cat > "$workspace/fake_bazel" <<'FAKE'
#!/usr/bin/env bash
out=""
for arg in "$@"; do
  case "$arg" in --build_event_json_file=*) out="${arg#--build_event_json_file=}" ;; esac
done
dir="$(dirname "$out")"
cat > "$dir/b_todo.xml" <<'XML'
<testsuites><testsuite><testcase name="x"><failure message="e.cc:45&#x0A;Failed&#x0A;&#x0A;Expected the answer, but the program printed &quot;nothing&quot;.&#x0A;" type=""><![CDATA[...]]></failure></testcase></testsuite></testsuites>
XML
echo "e.cc:3:1: error: 'syntax' does not name a type" > "$dir/c_broken.stderr"
cat > "$out" <<EVENTS
{"id":{"testResult":{"label":"//exercises/a_done:grade","run":1}},"testResult":{"testActionOutput":[{"name":"test.log","uri":"file://$dir/none.log"},{"name":"test.xml","uri":"file://$dir/none.xml"}],"status":"PASSED"}}
{"id":{"testSummary":{"label":"//exercises/a_done:grade","configuration":{"id":"c"}}},"testSummary":{"totalRunCount":1,"overallStatus":"PASSED"}}
{"id":{"testResult":{"label":"//exercises/b_todo:grade","run":1}},"testResult":{"testActionOutput":[{"name":"test.log","uri":"file://$dir/b.log"},{"name":"test.xml","uri":"file://$dir/b_todo.xml"}],"status":"FAILED"}}
{"id":{"testSummary":{"label":"//exercises/b_todo:grade","configuration":{"id":"c"}}},"testSummary":{"totalRunCount":1,"overallStatus":"FAILED"}}
{"id":{"actionCompleted":{"primaryOutput":"x.o","label":"//exercises/c_broken:c_broken"}},"action":{"exitCode":1,"stderr":{"name":"stderr","uri":"file://$dir/c_broken.stderr"},"type":"CppCompile"}}
EVENTS
echo "INFO: Build completed, 1 test FAILED"
exit 3
FAKE
chmod +x "$workspace/fake_bazel"

table=$("$progress" --workspace="$workspace" --bazel="$workspace/fake_bazel" 2>/dev/null)
echo "$table" | grep -q "| a_done | Exercise A: done already | done |" || fail "no done row: $table"
echo "$table" | grep -q "| b_todo | Exercise B: still to do | not yet |" || fail "no todo row: $table"
echo "$table" | grep -q "no_hints" && fail "a folder without HINTS.md is listed: $table"
echo "$table" | grep -q "| c_broken | Exercise C: does not compile | not yet (does not build) |" || fail "no broken row: $table"
echo "$table" | grep -q "1 of 3 done" || fail "no count: $table"
echo "$table" | grep -q "Next: b_todo" || fail "no next: $table"
echo "$table" | grep -q "hint   Look at the TODO first." || fail "no first hint: $table"

"$progress" --workspace="$workspace" --bazel="$workspace/fake_bazel" --format=gradescope \
  --output="$workspace/results.json" > /dev/null 2>&1 || fail "gradescope format failed"
grep -q '"score": 1,' "$workspace/results.json" || fail "score: $(cat "$workspace/results.json")"
grep -q '"max_score": 3,' "$workspace/results.json" || fail "max score"
grep -q 'printed \\"nothing\\".' "$workspace/results.json" || fail "the grader's words (from test.xml) are not in the output: $(cat "$workspace/results.json")"
grep -q "does not name a type" "$workspace/results.json" || fail "the compiler's words are not in the output"
if command -v python3 > /dev/null; then
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$workspace/results.json" || fail "bad JSON"
fi

for bad in --format=xml --workspace=/no/such/place; do
  status=0
  "$progress" "$bad" --bazel=/bin/false > /dev/null 2>&1 || status=$?
  [[ "$status" -eq 2 ]] || fail "$bad exited $status, not 2"
done
echo PASS
