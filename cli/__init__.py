"""Command-line entry points dispatched by ``app.py`` (each module is imported only when its
command runs): ``ask`` and ``answer`` for support staff, ``notify`` for operators.

Each module provides ``configure_parser(parser)`` (alias ``add_arguments``) and
``run(args, settings=None) -> int``, and runs standalone with ``python -m cli.<name>``.
Nothing here imports botbuilder or aiohttp: ``ask`` answers well within 1.5 s of process start.
"""
