"""Dialog tests: the main dialog with botbuilder-testing's DialogTestClient, and the
multi-turn exchanges surviving a restart (a NEW bot on a NEW SqlStorage on the same file)."""
from __future__ import annotations

from datetime import date

from botbuilder.core import ConversationState, MemoryStorage
from botbuilder.dialogs import DialogTurnStatus
from botbuilder.schema import Activity, ActivityTypes
from botbuilder.testing import DialogTestClient

from bot.cards import CardRenderer
from dialogs import Actions, Conversation, CoopRecognizer, MainDialog, TurnInfo, awaiting
from test_bot_support import Client, FakeReminders, card_of, message, new_bot, said, sql_storage
from understanding import messages, respond


def _main_dialog(reminders=None) -> MainDialog:
    state = ConversationState(MemoryStorage())
    conversation = Conversation(state.create_property("ConversationData"))
    forgotten = []

    async def forget_state(turn_context):
        forgotten.append(turn_context.activity.from_property.id)

    return MainDialog(CoopRecognizer(context_of=conversation.context), conversation, CardRenderer(),
                      Actions(reminders), forget_state)


async def test_main_dialog_with_dialog_test_client_split_follow_up():
    client = DialogTestClient("msteams", _main_dialog())
    reply = await client.send_activity("split 5000")
    assert "Which split" in said(reply)
    assert card_of(reply)["version"] == "1.5"
    reply = await client.send_activity("70/30")
    assert "1,500" in said(reply)  # 30% of 5,000
    assert client.dialog_turn_result.status == DialogTurnStatus.Complete  # the follow-up ended the split dialog


async def test_help_interrupts_a_follow_up_without_losing_it():
    client = DialogTestClient("msteams", _main_dialog())
    await client.send_activity("split 5000")
    help_reply = await client.send_activity("help")
    assert "co-op" in said(help_reply).lower()
    reply = await client.send_activity("60/40")
    assert "2,000" in said(reply)


async def test_awaiting_reads_the_reply_context():
    assert awaiting(respond("split 5000", today=date(2025, 3, 1))) == "split"
    assert awaiting(respond("When must I claim H1 funds?", today=date(2025, 3, 1))) is None


async def test_recognizer_result_has_intent_and_entities():
    from botbuilder.core import TurnContext
    from botbuilder.core.adapters import TestAdapter
    from botbuilder.schema import Activity
    from dialogs import set_turn_info

    adapter = TestAdapter()
    ctx = TurnContext(adapter, Activity(type="message", text="split 5000 60/40"))
    set_turn_info(ctx, TurnInfo(today=date(2025, 3, 1), locale="en-US", text="split 5000 60/40"))
    result = await CoopRecognizer().recognize(ctx)
    assert CoopRecognizer.top_intent(result) == "split"
    assert result.entities["amount"] == "5000"


async def test_split_follow_up_survives_a_restart(tmp_path):
    path = tmp_path / "restart.sqlite3"
    db, storage = await sql_storage(path)
    out = await Client(new_bot(storage)).send("split 5000")
    assert "Which split" in said(out[0])
    await db.close()  # the server stops

    db, storage = await sql_storage(path)  # a new process: new Database, new SqlStorage, new bot
    try:
        out = await Client(new_bot(storage)).send("60/40")
        assert "**2,000 of co-op**" in said(out[0])
        # and the dialog is finished: the next message is a fresh question
        out = await Client(new_bot(storage)).send("When must I claim H1 funds?")
        assert "August 15, 2025" in said(out[0])
    finally:
        await db.close()


async def test_forget_confirmation_survives_a_restart_and_deletes(tmp_path):
    path = tmp_path / "forget.sqlite3"
    db, storage = await sql_storage(path)
    reminders = FakeReminders()
    client = Client(new_bot(storage, reminders))
    await client.send(message(None, value={"verb": "remind"}))
    out = await client.send("forget my data")
    card = card_of(out[0])
    assert [(a["type"], a["verb"], a["data"]["answer"]) for a in card["actions"]] == [
        ("Action.Execute", "confirm", "yes"), ("Action.Execute", "confirm", "no")]
    assert "forget_user" not in reminders.names()  # nothing deleted before the answer
    await db.close()

    db, storage = await sql_storage(path)
    try:
        # the "Yes" button (Universal Actions): the card itself says what was done
        yes = card["actions"][0]
        out = await Client(new_bot(storage, reminders)).send(Activity(
            type=ActivityTypes.invoke, name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": yes["verb"], "data": yes["data"]}}))
        assert [a.type for a in out] == [ActivityTypes.invoke_response]
        refreshed = out[0].value.body["value"]
        assert refreshed["body"][-1]["text"].startswith("Done: I deleted")
        assert not refreshed.get("actions")  # answered: no buttons left
        assert reminders.names()[-1] == "forget_user"
        keys = await storage.keys("msteams/users/")
        assert keys == []
    finally:
        await db.close()


async def test_forget_in_french_and_no_keeps_everything(tmp_path):
    db, storage = await sql_storage(tmp_path / "f.sqlite3")
    try:
        reminders = FakeReminders()
        client = Client(new_bot(storage, reminders))
        out = await client.send(message("oublie mes données", locale="en-US"))
        assert "Oui" in [a["title"] for a in card_of(out[0])["actions"]]
        out = await client.send(message("peut-être", locale="en-US"))  # neither: asked again
        assert "oui ou par non" in said(out[0])
        out = await client.send(message("non", locale="en-US"))
        assert "rien supprimé" in said(out[0])
        assert "forget_user" not in reminders.names()
    finally:
        await db.close()


async def test_clarifying_choice_button_continues_the_question(tmp_path):
    db, storage = await sql_storage(tmp_path / "c.sqlite3")
    try:
        client = Client(new_bot(storage))
        out = await client.send(message("When do I claim co-op earned on 3/4/2024?", locale=None))
        card = card_of(out[0])
        choices = [a for a in card.get("actions", []) if a.get("data", {}).get("verb") == "choose"]
        if not choices:  # the understanding layer answered directly: nothing to choose
            return
        out = await client.send(message(None, value=choices[0]["data"], locale=None))
        assert out and said(out[0])
    finally:
        await db.close()


# --- "cancel" interrupts a follow-up ---------------------------------------------------------


async def test_cancel_ends_the_split_follow_up_and_the_next_question_is_answered():
    client = DialogTestClient("msteams", _main_dialog())
    reply = await client.send_activity("split 60/40")
    assert said(reply).startswith("Which amount")  # the dialog waits for the amount
    reply = await client.send_activity("cancel")
    assert said(reply) == messages.t("en", "cancelled")
    assert client.test_adapter.get_next_activity() is None  # nothing else: no re-prompt
    reply = await client.send_activity("When must I claim H1 funds?")
    assert "claim" in said(reply) and not said(reply).startswith("Which amount")
    # the cancelled question is gone: a bare amount is no longer taken as its answer
    reply = await client.send_activity("5000")
    assert "60%" not in said(reply) and "2,000" not in said(reply)


async def test_annuler_ends_the_split_follow_up_in_french(tmp_path):
    db, storage = await sql_storage(tmp_path / "annuler.sqlite3")
    client = Client(new_bot(storage))
    out = await client.send(message("Quelle part de co-op avec une répartition 60/40 ?", locale="fr-FR"))
    assert said(out[0]).startswith("Quel montant")
    out = await client.send(message("annuler", locale="fr-FR"))
    assert [said(a) for a in out] == [messages.t("fr", "cancelled")]
    out = await client.send(message("Quand dois-je réclamer les fonds H1 ?", locale="fr-FR"))
    assert "réclam" in said(out[0]) and not said(out[0]).startswith("Quel montant")
    await db.close()


async def test_laisse_tomber_and_never_mind_cancel_too():
    for text, lang in (("laisse tomber", "fr"), ("Never mind!", "en"), ("non, laissez tomber svp", "fr")):
        client = DialogTestClient("msteams", _main_dialog())
        await client.send_activity("split 60/40")
        reply = await client.send_activity(text)
        assert said(reply) == messages.t(lang, "cancelled"), text


async def test_a_question_with_cancel_in_it_does_not_cancel():
    client = DialogTestClient("msteams", _main_dialog())
    await client.send_activity("split 60/40")
    reply = await client.send_activity("can I cancel a claim?")
    # answered as the question it is (how to manage a submitted claim), not taken as "cancel"
    assert said(reply) != messages.t("en", "cancelled") and "create-incentives-claims" in said(reply)


async def _stacks(storage) -> list:
    """The dialog stack of every conversation record (None where no dialog state is stored)."""
    keys = [k for k in await storage.keys() if "/conversations/" in k]
    records = await storage.read(keys)
    return [getattr(r.get("DialogState"), "dialog_stack", None) for r in records.values()]


async def test_a_one_shot_answer_begins_no_dialog_and_a_follow_up_begins_it_answering_once(tmp_path):
    db, storage = await sql_storage(tmp_path / "fast.sqlite3")
    calls = []

    def counting(text, **kwargs):
        calls.append(text)
        return respond(text, **kwargs)

    try:
        client = Client(new_bot(storage, respond=counting))
        out = await client.send("When must I claim H1 funds?")
        assert "August 15, 2025" in said(out[0]) and calls == ["When must I claim H1 funds?"]
        assert await _stacks(storage) in ([None], [[]])  # nothing open, nothing begun
        out = await client.send("split 5000")
        assert "Which split" in said(out[0])
        assert calls[1:] == ["split 5000"]  # the reply that begins the follow-up is computed once
        [stack] = await _stacks(storage)
        assert [d.id for d in stack] == ["MainDialog"]  # begun as before: MainDialog holds the follow-up
        out = await client.send("60/40")
        assert "**2,000 of co-op**" in said(out[0])
        assert await _stacks(storage) == [[]]  # the follow-up ended
    finally:
        await db.close()
