#!/usr/bin/env bash
# Test for //exercises:progress against a made-up repository with two exercises and a
# stand-in for Bazel that passes one grader and fails the other: the table must say so,
# name the failing one as next with its first hint, and the Gradescope file must score 1
# of 2. Bad usage exits 2.
set -euo pipefail
progress="$1"
workspace="${TEST_TMPDIR:-/tmp}/workspace"
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$workspace/exercises/a_done" "$workspace/exercises/b_todo" "$workspace/exercises/no_hints"
printf '# Exercise A: done already\n' > "$workspace/exercises/a_done/README.md"
printf '# Hints\n\n1. First hint of A.\n2. Second.\n' > "$workspace/exercises/a_done/HINTS.md"
printf '# Exercise B: still to do\n' > "$workspace/exercises/b_todo/README.md"
printf '# Hints\n\n1. Look at the\n   TODO first.\n2. Then the rest.\n' > "$workspace/exercises/b_todo/HINTS.md"
cat > "$workspace/fake_bazel" <<'FAKE'
#!/usr/bin/env bash
# test //exercises/<name>:grade ...
case "$2" in
  //exercises/a_done:grade) echo "PASSED"; exit 0 ;;
  *) echo "Expected the answer, but the program printed nothing."; exit 3 ;;
esac
FAKE
chmod +x "$workspace/fake_bazel"

table=$("$progress" --workspace="$workspace" --bazel="$workspace/fake_bazel" 2>/dev/null)
echo "$table" | grep -q "| a_done | Exercise A: done already | done |" || fail "no done row: $table"
echo "$table" | grep -q "| b_todo | Exercise B: still to do | not yet |" || fail "no todo row: $table"
echo "$table" | grep -q "no_hints" && fail "a folder without HINTS.md is listed: $table"
echo "$table" | grep -q "1 of 2 done" || fail "no count: $table"
echo "$table" | grep -q "Next: b_todo" || fail "no next: $table"
echo "$table" | grep -q "hint   Look at the TODO first." || fail "no first hint: $table"

"$progress" --workspace="$workspace" --bazel="$workspace/fake_bazel" --format=gradescope \
  --output="$workspace/results.json" > /dev/null 2>&1 || fail "gradescope format failed"
grep -q '"score": 1,' "$workspace/results.json" || fail "score: $(cat "$workspace/results.json")"
grep -q '"max_score": 2,' "$workspace/results.json" || fail "max score"
grep -q 'printed nothing' "$workspace/results.json" || fail "the grader's words are not in the output"
if command -v python3 > /dev/null; then
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$workspace/results.json" || fail "bad JSON"
fi

for bad in --format=xml --workspace=/no/such/place; do
  status=0
  "$progress" "$bad" --bazel=/bin/false > /dev/null 2>&1 || status=$?
  [[ "$status" -eq 2 ]] || fail "$bad exited $status, not 2"
done
echo PASS
