"""Run a dialog for one turn: continue the active one, else begin it (as in 13.core-bot)."""
from __future__ import annotations

from botbuilder.core import StatePropertyAccessor, TurnContext
from botbuilder.dialogs import Dialog, DialogSet, DialogTurnResult, DialogTurnStatus


async def run_dialog(dialog: Dialog, turn_context: TurnContext,
                     accessor: StatePropertyAccessor) -> DialogTurnResult:
    dialog_set = DialogSet(accessor)
    dialog_set.add(dialog)
    dialog_context = await dialog_set.create_context(turn_context)
    results = await dialog_context.continue_dialog()
    if results.status == DialogTurnStatus.Empty:
        results = await dialog_context.begin_dialog(dialog.id)
    return results


async def cancel_all(turn_context: TurnContext, dialog: Dialog, accessor: StatePropertyAccessor) -> None:
    """Drop the dialog stack (after a failed turn, so the next one starts clean)."""
    dialog_set = DialogSet(accessor)
    dialog_set.add(dialog)
    dialog_context = await dialog_set.create_context(turn_context)
    await dialog_context.cancel_all_dialogs()
