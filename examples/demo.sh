#!/usr/bin/env bash
# The README's main command (make demo): no cloud account, no credentials.
# Starts pubsubctl's embedded emulator, plans examples/shop against it,
# applies it, and shows that a second plan has no changes.
set -euo pipefail
bin=${1:-bin/pubsubctl}
example=${EXAMPLE:-examples/shop}
work=$(mktemp -d)
cleanup() {
  if [ -n "${emu_pid:-}" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting the embedded Pub/Sub emulator"
"$bin" emulator --port 0 --print-env >"$work/env" 2>"$work/emulator.log" &
emu_pid=$!
for _ in $(seq 1 100); do
  grep -q PUBSUB_EMULATOR_HOST "$work/env" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.log"; exit 1; }
  sleep 0.1
done
# shellcheck disable=SC1091
. "$work/env"
export PUBSUB_EMULATOR_HOST
echo "PUBSUB_EMULATOR_HOST=$PUBSUB_EMULATOR_HOST"

step "pubsubctl validate $example"
"$bin" validate "$example"

step "pubsubctl plan $example (empty emulator: everything is created)"
"$bin" plan "$example"

step "pubsubctl apply --auto-approve $example"
"$bin" apply --auto-approve "$example"

step "pubsubctl plan --detailed-exitcode $example (exit 0 means no changes)"
"$bin" plan --detailed-exitcode "$example"
echo "exit code: $?"
