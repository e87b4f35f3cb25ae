#!/usr/bin/env bash
# Every test a lesson's README names as the proof of a claim (`Suite.TestName`, with or
# without a /parameter suffix) must exist in this repository's test sources, so that a
# renamed or deleted test cannot leave a claim unproved without this test failing.
set -uo pipefail
sources=$(find concepts pool ipc process benchmarks -name '*_test.cc' 2>/dev/null)
[[ -n "$sources" ]] || { echo "FAIL: no test sources found (run from the workspace root)"; exit 1; }
named=$(grep -ohE '`[A-Z][A-Za-z]+Test\.[A-Za-z]+(/[^`]*)?`' concepts/*/README.md | tr -d '`' |
        sed 's|/.*||' | sort -u)
[[ $(wc -l <<<"$named") -ge 40 ]] || { echo "FAIL: too few claims' tests found: $named"; exit 1; }
missing=0
while read -r name; do
  suite=${name%%.*}
  test=${name#*.}
  if ! grep -qE "TEST(_F|_P)?\($suite, *$test\)" $sources; then
    echo "FAIL: a lesson names $name, which no test source defines"
    missing=$((missing + 1))
  fi
done <<<"$named"
echo "$(wc -l <<<"$named") tests named by the lessons; $missing missing"
[[ $missing -eq 0 ]]
