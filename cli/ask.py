"""``python app.py ask "question" [--lang en|fr] [--today YYYY-MM-DD] [--locale xx-YY] [--json]``

Answers one partner question for support staff: the text to paste back (plain text, no
Markdown: what ``answer`` writes in its ``answer`` column), or with ``--json``
the whole reply (text, timelines, ISO dates, links). Imports only ``understanding`` and
``core`` (no botbuilder, no aiohttp), so it answers well within 1.5 s of process start.
Exit status: 0 answered, 2 usage error (e.g. a bad ``--today``).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli import convention_of, default_today, known_lang, pack_lang, today_arg


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", help="the partner's question, in English or French")
    parser.add_argument("--lang", type=pack_lang, help="answer in this language, a registered language pack "
                        "(default: the question's)")
    parser.add_argument("--today", type=today_arg, metavar="YYYY-MM-DD",
                        help="the asker's day (default: this machine's date)")
    parser.add_argument("--locale", metavar="xx-YY",
                        help="the asker's locale, e.g. en-GB: orders numeric dates and formats the answer")
    parser.add_argument("--convention", choices=("seed", "microsoft"),
                        help="FY label convention (default: FY_LABEL_CONVENTION, else Microsoft's, SPEC rule 8)")
    parser.add_argument("--json", action="store_true", help="print the whole reply as JSON")


add_arguments = configure_parser


def run(args: argparse.Namespace, settings: Any = None) -> int:
    from understanding import respond

    reply = respond(args.question, lang=known_lang(args.lang), locale=args.locale, today=args.today or default_today(),
                    convention=convention_of(args, settings))
    if args.json:
        json.dump(reply.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(reply.plain_text + "\n")  # as `answer` writes it: no Markdown
        if reply.choices:
            sys.stdout.write("\n" + "\n".join(f"  > {c}" for c in reply.choices) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ask", description="Answer one co-op question.")
    configure_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
