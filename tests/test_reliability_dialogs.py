"""Reliability (issue #11, finding 1): a dialog that re-asks loops in place, so the dialog
stack stored in conversation state stays bounded whatever the user types."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from test_bot_support import Client, new_bot, said, sql_storage

MAX_DEPTH = 6  # main > its waterfall > follow-up > its waterfall > prompt, +1 for forget


def stack_depth(node) -> int:
    """How many dialog instances the deepest chain of nested dialog stacks holds, in a stored
    conversation-state document (jsonpickle: ``DialogState._dialog_stack``)."""
    if isinstance(node, list):
        return max((stack_depth(v) for v in node), default=0)
    if not isinstance(node, dict):
        return 0
    stack = node.get("_dialog_stack")
    if isinstance(stack, list):
        return max((i + 1 + stack_depth(inst.get("state") if isinstance(inst, dict) else None)
                    for i, inst in enumerate(stack)), default=0)
    return max((stack_depth(v) for v in node.values()), default=0)


async def stored_depth(db) -> int:
    rows = await db.fetch("SELECT storage_key, document FROM bot_state")
    return max((stack_depth(json.loads(r["document"])) for r in rows
                if "/conversations/" in r["storage_key"]), default=0)


async def test_re_asking_the_split_50_times_keeps_the_dialog_depth_constant(tmp_path):
    db, storage = await sql_storage(tmp_path / "loop.sqlite3")
    try:
        client = Client(new_bot(storage))
        out = await client.send("work out my split")
        assert out and "Sorry" not in said(out[0])
        depths = []
        for _ in range(50):
            out = await client.send("5000")  # an amount, but never the split: asked again
            assert len(out) == 1 and not said(out[0]).startswith("Sorry"), said(out[0])
            depths.append(await stored_depth(db))
        assert max(depths) <= MAX_DEPTH and depths[-1] == depths[0], depths
        out = await client.send("60/40")  # and the dialog still completes
        assert "2,000" in said(out[0])
    finally:
        await db.close()


WORDS = ["5000", "split", "work out my split", "60/40", "help", "cancel", "H2", "forget my data",
         "no", "yes", "3/4/2024", "when must I claim H1 funds?", "oui", "remind me", "FY21"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(WORDS), min_size=5, max_size=40))
def test_any_sequence_of_messages_keeps_the_stack_bounded(tmp_path_factory, sequence):
    import asyncio

    async def run():
        db, storage = await sql_storage(tmp_path_factory.mktemp("seq") / "s.sqlite3")
        try:
            client = Client(new_bot(storage))
            for text in sequence:
                out = await client.send(text)
                assert all(not said(a).startswith("Sorry") for a in out), (text, said(out[0]))
                assert await stored_depth(db) <= MAX_DEPTH, sequence
        finally:
            await db.close()

    asyncio.run(run())
