#!/usr/bin/env bash
# RemotePool across network namespaces: three worker hosts, each in a namespace this test
# creates, at an address it assigns (10.213.N.2, reached over a veth pair from 10.213.N.1).
# Kills one host mid-map, sends a wrong token, and asks a host whose link is down.
# Traffic goes only to those addresses. Skips, saying why, without the privilege to
# create namespaces. Removes everything it made, however it ends.
set -uo pipefail
worker="$1"
client="$2"
token="netns-test-token"
tag="mp$$"

if ! command -v ip > /dev/null || ! ip netns add "${tag}probe" 2> /dev/null; then
  echo "SKIPPED: cannot create network namespaces here (needs root and iproute2)"
  exit 0
fi
ip netns del "${tag}probe"

host_pids=()
cleanup() {
  # SIGTERM: a host shuts down in order and removes its shared memory.
  for pid in "${host_pids[@]}"; do kill -TERM "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; done
  ip route del blackhole 10.213.0.0/16 2> /dev/null
  for n in 1 2 3; do
    ip link del "${tag}v$n" 2> /dev/null
    ip netns del "${tag}n$n" 2> /dev/null
  done
  rm -rf "$fifos"
}
fifos=$(mktemp -d)
trap cleanup EXIT

# Nothing for 10.213.x.x may leave this machine, whatever happens to the links below.
ip route add blackhole 10.213.0.0/16 || exit 1
# Namespace N: a veth pair, 10.213.N.1 on our side, 10.213.N.2 inside.
for n in 1 2 3; do
  ip netns add "${tag}n$n" || exit 1
  ip link add "${tag}v$n" type veth peer name "${tag}p$n" || exit 1
  ip link set "${tag}p$n" netns "${tag}n$n"
  ip addr add "10.213.$n.1/24" dev "${tag}v$n"
  ip link set "${tag}v$n" up
  ip netns exec "${tag}n$n" ip addr add "10.213.$n.2/24" dev "${tag}p$n"
  ip netns exec "${tag}n$n" ip link set "${tag}p$n" up
  ip netns exec "${tag}n$n" ip link set lo up
done

# A host in each namespace; each says "listening on ..." when it serves.
for n in 1 2 3; do
  mkfifo "$fifos/$n"
  ip netns exec "${tag}n$n" "$worker" --address="10.213.$n.2:7070" --workers=2 \
    --auth_token="$token" > "$fifos/$n" &
  host_pids+=($!)
  exec {fd}< "$fifos/$n"
  if ! read -r -t 30 -u "$fd" line; then echo "FAIL: host $n did not start"; exit 1; fi
  echo "host $n (pid ${host_pids[-1]}): $line"
done
hosts="10.213.1.2:7070,10.213.2.2:7070,10.213.3.2:7070"

failures=0
check() {
  local what="$1"
  shift
  if timeout 120 "$client" "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

check "a wrong token is refused" --hosts="$hosts" --auth_token=wrong --expect=unauthenticated
check "the map completes with host 1 killed mid-map" --hosts="$hosts" --auth_token="$token" \
  --expect=map_survives_a_kill --kill_pid="${host_pids[0]}"
# Host 3's side of its link down: our packets to it vanish on the wire, as to a machine
# that lost its network (our side stays up, so they still go only down that link).
ip netns exec "${tag}n3" ip link set "${tag}p3" down
check "an unreachable host is an error within the deadline" --hosts="10.213.3.2:7070" \
  --auth_token="$token" --expect=unavailable --connect_timeout_ms=2000

echo "$failures failed"
[[ $failures -eq 0 ]]
