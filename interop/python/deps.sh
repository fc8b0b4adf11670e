#!/usr/bin/env bash
# Makes fastapi, uvicorn, google-auth and requests importable by Debian's
# /usr/bin/python3 (or $PYTHON), installing Debian's packages (as root,
# with apt-get) when they are not.
# PyPI is not used: Debian's packages are what every machine of this
# project (developers' and CI's) can reach.
set -euo pipefail

python="${PYTHON:-/usr/bin/python3}"
modules="fastapi uvicorn google.auth requests"
check='import importlib, sys
missing = []
for m in sys.argv[1:]:
    try:
        importlib.import_module(m)
    except Exception as e:
        missing.append(f"{m} ({e})")
print(", ".join(missing))'

if [[ -x "$python" ]] || command -v "$python" >/dev/null; then
  missing="$("$python" -c "$check" $modules)"
  [[ -z "$missing" ]] && exit 0
else
  missing="$python itself"
fi
echo "python3 lacks: $missing; installing Debian's packages" >&2
if ! command -v apt-get >/dev/null; then
  echo "FAIL no apt-get to install python3-fastapi python3-uvicorn python3-google-auth python3-requests; install them (or fastapi, uvicorn, google-auth and requests with pip) for $python" >&2
  exit 1
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "FAIL not root and no sudo: cannot apt-get install the Python packages" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends python3 python3-fastapi python3-uvicorn python3-google-auth python3-requests >/dev/null
missing="$("$python" -c "$check" $modules)"
if [[ -n "$missing" ]]; then
  echo "FAIL still missing after apt-get install: $missing (is $python Debian's /usr/bin/python3?)" >&2
  exit 1
fi
