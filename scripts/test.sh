#!/usr/bin/env bash
# Set up from nothing (if needed, including the browser end-to-end tools) and run every test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh" --e2e
cd "$here"
exec .venv/bin/python -m pytest "$@"
