#!/usr/bin/env bash
# Every test a lesson's README names as the proof of a claim (`Suite.TestName`, with or
# without a /parameter suffix) must exist in this repository's test sources, so that a
# renamed or deleted test cannot leave a claim unproved without this test failing; and
# every lesson says, claim by claim, what would make its proof fail (below).
set -uo pipefail
sources=$(find concepts pool ipc process benchmarks -name '*_test.cc' 2>/dev/null)
[[ -n "$sources" ]] || { echo "FAIL: no test sources found (run from the workspace root)"; exit 1; }
named=$(grep -ohE '`[A-Z][A-Za-z]+Test\.[A-Za-z0-9]+(/[^`]*)?`' concepts/*/README.md concepts/README.md | tr -d '`' |
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
[[ $missing -eq 0 ]] || exit 1

# Every lesson has one table "What would make each proof fail" with a row per claim, in
# order, each saying what would make its test fail and what shows it failing: a test that
# runs the counterfactual (for a bug in the library or the lesson's own code: the claim's
# test run again with that bug put back, process/testing/counterfactual.h), the same test
# run both ways, or "—" for a measurement. "not run by the suite" is counted and may not
# come back.
shown_by_suite=0
not_run=0
bad=0
for readme in concepts/[0-9]*/README.md; do
  headers=$(grep -c '^| # |.*| fails if | shown failing by |$' "$readme")
  if [[ $headers -ne 1 ]]; then
    echo "FAIL: $readme has $headers tables with 'fails if' and 'shown failing by' columns, not 1"
    bad=$((bad + 1))
    continue
  fi
  rows=$(awk '/^\| # \|.*\| fails if \| shown failing by \|$/ {on = 1; getline; next}
              on && /^\|/ {print; next} on {exit}' "$readme")
  prose_claims=$(grep -cE '^[0-9]+\. \*\*' "$readme")
  row_count=$(wc -l <<<"$rows")
  if [[ $prose_claims -gt 0 && $prose_claims -ne $row_count ]]; then
    echo "FAIL: $readme has $prose_claims claims but $row_count rows in its table"
    bad=$((bad + 1))
  fi
  expected=1
  while IFS= read -r row; do
    number=$(awk -F'|' '{gsub(/ /, "", $2); print $2}' <<<"$row")
    fails_if=$(awk -F'|' '{print $(NF-2)}' <<<"$row" | sed 's/^ *//; s/ *$//')
    shown=$(awk -F'|' '{print $(NF-1)}' <<<"$row" | sed 's/^ *//; s/ *$//')
    if [[ $number != "$expected" ]]; then
      echo "FAIL: $readme: row '$number' where claim $expected was due"
      bad=$((bad + 1))
    fi
    expected=$((expected + 1))
    if [[ -z $fails_if || -z $shown ]]; then
      echo "FAIL: $readme claim $number: an empty 'fails if' or 'shown failing by' cell"
      bad=$((bad + 1))
    elif [[ $shown == "not run by the suite" ]]; then
      not_run=$((not_run + 1))
    elif [[ $shown == —* ]]; then
      :
    elif grep -qE '`[A-Z][A-Za-z]+Test\.[A-Za-z0-9]+`|both ways|the other'"'"'s counterfactual' <<<"$shown"; then
      shown_by_suite=$((shown_by_suite + 1))
    else
      echo "FAIL: $readme claim $number: 'shown failing by' names no test: $shown"
      bad=$((bad + 1))
    fi
  done <<<"$rows"
done
echo "counterfactuals: $shown_by_suite shown failing by the suite, $not_run not run by it"

# The table from Python's API to ours: every row names the test that shows the
# counterpart behaves as documented, or says that it is not provided and why.
api_rows=$(awk '/^\| Python \| C\+\+ here \| lesson \|$/ {on = 1; getline; next}
                on && /^\|/ {print; next} on {exit}' concepts/README.md)
[[ $(wc -l <<<"$api_rows") -ge 40 ]] || { echo "FAIL: the API table was not found or is short"; bad=$((bad + 1)); }
while IFS= read -r row; do
  ours=$(awk -F'|' '{print $3}' <<<"$row")
  if ! grep -qE '`[A-Z][A-Za-z]+Test(/\*)?\.[A-Za-z]+|not provided' <<<"$ours"; then
    echo "FAIL: the API table's row names no test: $row"
    bad=$((bad + 1))
  fi
done <<<"$api_rows"
# The floor keeps a counterfactual test from quietly going away; raise it as tests come.
[[ $shown_by_suite -ge 77 ]] || { echo "FAIL: only $shown_by_suite counterfactuals run"; bad=$((bad + 1)); }
[[ $not_run -eq 0 ]] || { echo "FAIL: $not_run claims' counterfactuals are not run by the suite"; bad=$((bad + 1)); }
[[ $bad -eq 0 ]]
