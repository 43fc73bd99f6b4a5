#!/usr/bin/env bash
# Set up from nothing (if needed, including the browser end-to-end tools) and run every test.
#
#   scripts/test.sh [pytest arguments]     everything: real servers, processes, PostgreSQL,
#                                          HAProxy and Chromium (what CI runs, ~6-10 min)
#   scripts/test.sh --fast [arguments]     the tests that start no process and no browser
#                                          (pytest -m fast; the pure packages, the bot over
#                                          loopback HTTP, SQLite and PostgreSQL) in under a
#                                          minute; sets up only the virtualenv
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--fast" ]; then
  shift
  "$here/scripts/setup.sh"
  cd "$here"
  exec .venv/bin/python -m pytest -m fast "$@"
fi
"$here/scripts/setup.sh" --e2e
cd "$here"
exec .venv/bin/python -m pytest "$@"
