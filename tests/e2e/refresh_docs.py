"""Refresh the README's pictures: ``python -m tests.e2e.refresh_docs`` (from the repository).

The browser tests take their screenshots into a temporary folder, so that running the tests
never changes a tracked file. This command runs them with the pictures going to ``docs/``
instead (``E2E_SCREENSHOTS`` for the Agents Playground conversation, ``UPDATE_SCREENSHOTS`` for
the support desk's), then lists what changed; review the pictures and commit them. Extra
arguments go to pytest (``-k playground``). Needs what ``scripts/setup.sh --e2e`` installs.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def main(argv: list[str] | None = None) -> int:
    env = {**os.environ, "E2E_SCREENSHOTS": str(DOCS), "UPDATE_SCREENSHOTS": "1", "CI": "true"}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-m", "e2e", "-p", "no:cacheprovider",
                            "tests/e2e", *(argv if argv is not None else sys.argv[1:])],
                           cwd=REPO, env=env)
    changed = subprocess.run(["git", "status", "--porcelain", "--", "docs"], cwd=REPO,
                             capture_output=True, text=True).stdout
    print(changed.rstrip() or "docs/: no picture changed")
    return tests.returncode


if __name__ == "__main__":
    sys.exit(main())
