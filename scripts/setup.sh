#!/usr/bin/env bash
# Idempotent set-up from nothing: a virtualenv with the pinned requirements in .venv.
# With --e2e it also installs what the browser end-to-end test needs: Debian's Chromium and
# the pinned Microsoft 365 Agents Playground from the npm registry (into e2e/node_modules),
# and Debian's HAProxy for the scale-out test (tests/test_scale_out.py).
# With --playground only the playground (what scripts/start.sh --playground needs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $py" >&2
  "$py" -m venv .venv
fi
stamp=.venv/.requirements.sha
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned requirements" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
# The language packs' compiled catalogues (messages.mo, not committed): faster to load than the
# .po, which the bot reads instead whenever a .mo is missing or older than its .po.
.venv/bin/python -m understanding.catalogues compile >/dev/null
if [ "${1:-}" = "--e2e" ] || [ "${1:-}" = "--playground" ]; then
  if [ "${1:-}" = "--e2e" ] && [ ! -x /usr/bin/chromium ]; then
    echo "setup: installing Debian's chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
  if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
    echo "setup: installing Debian's haproxy" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq haproxy >/dev/null
  fi
  if [ -f e2e/package.json ]; then
    # installed unless the pinned version is already there (not by file dates: a fresh clone's
    # package-lock.json is always newer than node_modules)
    want_pg="$(sed -n 's/.*"@microsoft\/m365agentsplayground": *"\([^"]*\)".*/\1/p' e2e/package.json)"
    have_pg=""  # none on a fresh clone (sed on a missing file would fail the script under pipefail)
    if [ -f e2e/node_modules/@microsoft/m365agentsplayground/package.json ]; then
      have_pg="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' e2e/node_modules/@microsoft/m365agentsplayground/package.json | head -1)"
    fi
    # (and axe-core, the support desk's accessibility scan, added to package.json later)
    if [ -z "$have_pg" ] || [ "$have_pg" != "$want_pg" ] || [ ! -f e2e/node_modules/axe-core/axe.min.js ]; then
      echo "setup: installing the Agents Playground (npm ci)" >&2
      (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
fi
