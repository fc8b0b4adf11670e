#!/usr/bin/env bash
# Interop checks: the embedded emulator (internal/emulator) driven by
# foreign clients. `interop/run.sh [node] [python]` runs the ones named,
# by default both:
#
# node: the official Node.js @google-cloud/pubsub v5.
#   1. builds and starts interop/seed, which starts the emulator on a free
#      port and seeds topics and subscriptions, and prints its address;
#   2. installs the Node.js client into interop/node;
#   3. runs interop/check.mjs against it.
#   The seed process is stopped on exit, whatever happens.
#
# python: a FastAPI app (uvicorn) receives push requests from
#   `pubsubctl emulator --config interop/python/config` and verifies their
#   OIDC tokens with google-auth against the emulator's certificate URL
#   (interop/python/check.py says what it asserts). interop/python/deps.sh
#   installs Debian's python3-fastapi, python3-uvicorn, python3-google-auth
#   and python3-requests when /usr/bin/python3 cannot import them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
project="interop-project"
work="$(mktemp -d)"
seed_pid=""

cleanup() {
  local rc=$?
  if [[ -n "$seed_pid" ]] && kill -0 "$seed_pid" 2>/dev/null; then
    kill -TERM "$seed_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$seed_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$seed_pid" 2>/dev/null || true
    wait "$seed_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -s "$work/seed.err" ]]; then
    echo "--- seed stderr ---" >&2
    cat "$work/seed.err" >&2
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=(node python)
for s in "${suites[@]}"; do
  [[ "$s" == node || "$s" == python ]] || { echo "usage: interop/run.sh [node] [python]" >&2; exit 2; }
done
wants() { [[ " ${suites[*]} " == *" $1 "* ]]; }

run_python() {
  echo "== python: installing fastapi, uvicorn, google-auth and requests if missing"
  bash "$here/python/deps.sh"
  echo "== python: building pubsubctl and interop/python/publish"
  (cd "$root" && go build -o "$work/pubsubctl" ./cmd/pubsubctl && go build -o "$work/publish" ./interop/python/publish)
  echo "== python: running interop/python/check.py"
  (cd "$here/python" && PYTHONDONTWRITEBYTECODE=1 "${PYTHON:-/usr/bin/python3}" check.py "$work/pubsubctl" "$work/publish")
}

if ! wants node; then
  run_python
  exit 0
fi

command -v node >/dev/null || { echo "FAIL node is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "FAIL npm is not installed" >&2; exit 1; }

echo "== building interop/seed"
(cd "$root" && go build -o "$work/seed" ./interop/seed)

echo "== starting the seeded emulator"
"$work/seed" -project "$project" >"$work/seed.out" 2>"$work/seed.err" &
seed_pid=$!
addr=""
for _ in $(seq 1 300); do
  addr="$(sed -n 's/^EMULATOR_ADDR=//p' "$work/seed.out" | head -n1)"
  [[ -n "$addr" ]] && break
  kill -0 "$seed_pid" 2>/dev/null || { echo "FAIL seed exited before printing its address" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$addr" ]] || { echo "FAIL seed printed no address within 30 s" >&2; exit 1; }
echo "emulator at $addr"

echo "== installing @google-cloud/pubsub"
(cd "$here/node" && npm install --no-audit --no-fund --loglevel=error)

echo "== running check.mjs"
# No GCE metadata probes (check.mjs sets these too): stay on loopback.
METADATA_SERVER_DETECTION=none GCE_METADATA_HOST=127.0.0.1:9 GCE_METADATA_IP=127.0.0.1:9 \
  PUBSUB_EMULATOR_HOST="$addr" PUBSUB_PROJECT_ID="$project" node "$here/check.mjs"

if wants python; then
  run_python
fi
