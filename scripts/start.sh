#!/usr/bin/env bash
# Set up from nothing (if needed) and start the bot on its embedded defaults (SQLite, localhost:3978).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
exec "$here/.venv/bin/python" "$here/app.py" "$@"
