#!/usr/bin/env bash
# Every program of the course refuses what it does not understand (parse_flags.h): run
# with an unknown flag, each PROGRAM given must exit 2 and name that flag on stderr; and
# each "PROGRAM [--good=value...] --bad=value" case after "--" must exit 2 and name its
# last flag, the bad one.
#
#   refuses_bad_flags.sh PROGRAM... [-- "PROGRAM --flag=bad" ...]
#
# A program that ignored the flag would run instead: each gets 60 s, then counts as a
# failure (it did not refuse).
set -u
failures=0

# expect_refusal FLAG_NAME PROGRAM ARGS...
expect_refusal() {
  local name="$1"
  shift
  local stderr code
  stderr="$(timeout 60 "$@" < /dev/null 2>&1 > /dev/null)"
  code=$?
  if [[ "$code" -ne 2 || "$stderr" != *"$name"* ]]; then
    echo "FAIL: '$*' exited $code (want 2, naming $name); it said: ${stderr:0:300}"
    failures=$((failures + 1))
  else
    echo "ok: '$*' refused: ${stderr%%$'\n'*}"
  fi
}

while [[ $# -gt 0 && "$1" != "--" ]]; do
  expect_refusal no_such_flag_for_this_test "$1" --no_such_flag_for_this_test=1
  shift
done
[[ $# -gt 0 ]] && shift  # the "--"
for case in "$@"; do
  read -r -a words <<< "$case"
  flag="${words[-1]%%=*}"
  expect_refusal "${flag#--}" "${words[@]}"
done

if [[ "$failures" -ne 0 ]]; then
  echo "$failures program(s) did not refuse a bad flag"
  exit 1
fi
