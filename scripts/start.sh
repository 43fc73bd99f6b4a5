#!/usr/bin/env bash
# Set up from nothing (if needed), bring the database schema up to date, and start the bot on
# its embedded defaults (SQLite, localhost:3978) or on what .env / the environment say.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/.venv/bin/python" "$here/app.py" migrate
exec "$here/.venv/bin/python" "$here/app.py" "$@"
