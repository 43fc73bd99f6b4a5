#!/usr/bin/env bash
# Set up from nothing (if needed), bring the database schema up to date, and start the bot on
# its embedded defaults (SQLite, localhost:3978) or on what .env / the environment say.
#
#   scripts/start.sh                 the bot alone (extra arguments go to app.py)
#   scripts/start.sh --playground    the bot on 127.0.0.1 plus the Microsoft 365 Agents
#                                    Playground (a Teams-like client, channel msteams) opened in
#                                    your browser; installs the pinned playground on first use.
#                                    PORT (bot, default 3978) and PLAYGROUND_PORT (default 56150)
#                                    are honoured; the playground's URL is printed once it
#                                    listens, and its log goes to
#                                    ${XDG_STATE_HOME:-~/.local/state}/coop-assistant/playground/,
#                                    never into the repository. Ctrl-C stops both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" != "--playground" ]; then
  "$here/scripts/setup.sh"
  "$here/.venv/bin/python" "$here/app.py" migrate
  exec "$here/.venv/bin/python" "$here/app.py" "$@"
fi
shift
"$here/scripts/setup.sh" --playground
command -v node >/dev/null 2>&1 || { echo "start: node (20 or later) is needed for the playground" >&2; exit 1; }
port="${PORT:-3978}"
# The playground sends no token: the bot runs in local-development mode for it (empty values
# also hide credentials kept in .env), on the loopback interface only.
export HOST=127.0.0.1 PORT="$port" MicrosoftAppId="" MicrosoftAppPassword="" MicrosoftAppTenantId=""
"$here/.venv/bin/python" "$here/app.py" migrate
"$here/.venv/bin/python" "$here/app.py" "$@" &
bot=$!
trap 'kill "$bot" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$bot" 2>/dev/null; then echo "start: the bot exited (see above)" >&2; exit 1; fi
  sleep 0.2
done
cli="$here/e2e/node_modules/@microsoft/m365agentsplayground/cli.js"
# The playground writes its log (devTools/ by default) and reads .m365agentsplayground.yml in its
# working directory: it runs in the user's state folder, so nothing lands in the repository.
state="${XDG_STATE_HOME:-$HOME/.local/state}/coop-assistant/playground"
mkdir -p "$state"
export M365_AGENTS_PLAYGROUND_LOGFILE="$state/m365agentsplayground.log"
echo "start: bot on http://127.0.0.1:$port/api/messages, starting the Agents Playground (log: $M365_AGENTS_PLAYGROUND_LOGFILE)" >&2
# It takes another port when the one asked for is busy: its "Listening on N" line says which.
(cd "$state" && exec node "$cli" -e "http://127.0.0.1:$port/api/messages" -c msteams \
    -p "${PLAYGROUND_PORT:-56150}" --disable-telemetry) |
  while IFS= read -r line; do
    printf '%s\n' "$line"
    listening="$(printf '%s' "$line" | sed -n 's/.*Listening on \([0-9][0-9]*\).*/\1/p')"
    if [ -n "$listening" ]; then
      echo "start: the Agents Playground: http://localhost:$listening (open it if no browser window came up)" >&2
    fi
  done
