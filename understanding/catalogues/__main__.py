"""``python -m understanding.catalogues extract|update|init CODE|check``: see the package."""
from __future__ import annotations

import logging
import sys
from typing import Sequence

from . import _rel, compile_all, extract, init, port_dicts, problems, update


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m understanding.catalogues",
                                     description="Maintain the gettext catalogues of the language packs.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="write understanding/lang/messages.pot from the English catalogue")
    sub.add_parser("update", help="extract, then merge the template into every other language")
    p_init = sub.add_parser("init", help="start a new language pack from the template")
    p_init.add_argument("code", help="language code, e.g. de or pt_BR")
    sub.add_parser("check", help="fail unless the template is current and every catalogue complete")
    sub.add_parser("compile", help="compile every pack's messages.po into messages.mo (not committed)")
    p_port = sub.add_parser("port-dicts", help="bring sentences from former messages_en.py / messages_fr.py "
                                                "files (a branch that still edits them) into the catalogues")
    p_port.add_argument("english", help="the branch's messages_en.py")
    p_port.add_argument("french", help="the branch's messages_fr.py")
    p_port.add_argument("base_english", help="messages_en.py as the branch started from it")
    p_port.add_argument("base_french", help="messages_fr.py as the branch started from it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.command == "extract":
        print("messages.pot updated" if extract() else "messages.pot already current")
    elif args.command == "update":
        print("updated: " + ", ".join(update()))
    elif args.command == "init":
        print(f"created {_rel(init(args.code))}: translate its msgstr entries, then run check")
    elif args.command == "port-dicts":
        for line in port_dicts(args.english, args.french, args.base_english, args.base_french) or ["nothing new"]:
            print(line)
    elif args.command == "compile":
        print("compiled: " + ", ".join(_rel(p) for p in compile_all()))
    else:
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "catalogues OK")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
