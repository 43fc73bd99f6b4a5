"""A pasted ticket read as a careful person reads it: the newest message first.

Support staff paste whole e-mail threads, forwards, chat transcripts and ticket-system dumps.
Only part of such a text is the partner's question; the rest is history and metadata whose
dates (when a mail was sent, when a ticket was opened) are not activity or earning dates.
:func:`focus` returns the text to understand:

1. the thread is cut into messages, newest first: replies and forwards by **quotequail**
   (``unwrap``, applied again to what it unwraps: a forward inside a reply), ``>``-quoted
   blocks, and chat transcripts by their ``[10:42] Name`` lines;
2. each message is cleaned: header lines (``From:``/``De :``…, with their dates), separators,
   "Sent from my iPhone", legal notices, signatures after a closing, ticket metadata
   (``Priority:``, ``Created: 01/12/2026``) and log timestamps (a date with a time of day) are
   set aside; a subject line is kept only where the message asks nothing else;
3. the newest message is read first; when it points to the older part ("see below", "same
   question for our March event", "^^") or asks nothing, the older message that asks is read
   for what it points to; a quoted question the newest message does not point to is not
   answered again.

Every word (header names, pointers, closings, metadata keys) is data: ``[mail]`` and
``[segment]`` in each pack's ``vocab.toml``.

>>> print(focus('''Thanks Ana, one more: when do we claim our webinar of 12 March 2026?
... Tom
...
... On Tue, 3 Mar 2026 at 10:12, Ana <ana@x.com> wrote:
... > How long do we keep invoices of the 2 Feb 2026 event?''').text)
Thanks Ana, one more: when do we claim our webinar of 12 March 2026?
>>> print(focus('''see below, can you confirm?
... Anna
...
... From: Tom <tom@x.com>
... Sent: Tuesday, March 3, 2026 10:12 AM
... Subject: co-op
...
... Our roadshow ran on 21 April 2026. When do we have to file?''').text)
Our roadshow ran on 21 April 2026. When do we have to file?
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core import fold

from . import packs
from .reading import alternation as _alt

MAX_INPUT = 20_000  # a thread is read from its first 20 000 characters (its newest messages)


@dataclass
class Focus:
    """What to understand of a message, and what was set aside."""

    text: str
    thread: bool = False  # the message was a thread (several messages, or headers)
    older_used: bool = False  # the newest message pointed to an older one, which was read
    set_aside: int = 0  # lines set aside (headers, signatures, metadata, quoted history)


@dataclass
class _Message:
    lines: list[str] = field(default_factory=list)
    subject: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass(frozen=True)
class _Cues:
    header: re.Pattern[str]
    subject: re.Pattern[str]
    separator: re.Pattern[str]
    wrote: re.Pattern[str]
    pointer: re.Pattern[str]
    same_as: re.Pattern[str]
    sent_from: re.Pattern[str]
    auto_reply: re.Pattern[str]
    disclaimer: re.Pattern[str]
    metadata: re.Pattern[str]
    closing: re.Pattern[str]
    question: re.Pattern[str]
    marker: re.Pattern[str]
    place: re.Pattern[str]
    when: re.Pattern[str]


_TIME = r"\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?"
# a chat line: "[10:42] Jane Doe: …", "[10:42 AM] Jane", "Jane Doe  [9:14 AM]  …", "10:42 - Jane: …"
# a chat line's stamp: a time, after a day when the app writes one ("[03/12/2026, 10:15]")
_CHAT_STAMP = r"\[\s*(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?,?\s*)?" + _TIME + r"\s*\]"
# WhatsApp's export without brackets: "03/12/2026, 10:15 - Jane Doe: …"
_CHAT_EXPORT = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4},?\s+" + _TIME + r"\s+[-–]\s+"
_CHAT = re.compile(r"^\s*(?:" + _CHAT_STAMP + r"\s*|" + _CHAT_EXPORT + r")(?P<a>[^:\n]{0,60}?)(?::\s*|\s*$)(?P<t>.*)$"
                   r"|^\s*(?P<b>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s+\[\s*" + _TIME + r"\s*\]\s*(?P<u>.*)$", re.I)
# a log timestamp: a date with a time of day ("2026-12-02 08:14:55", "03/12/2026 10:02", "4 déc. 2026 à 15:32")
_STAMP = re.compile(r"(?<![\w/.-])(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})[ T,]+(?:a\s+|at\s+)?" + _TIME
                    + r"(?:\s?(?:utc|gmt|cet|cest|[+-]\d{2}:?\d{2}|z))?", re.I)
_PHONE = re.compile(r"(?:\+|\b00)\d[\d ().-]{7,}\d|\(\d{2,4}\)\s?\d[\d .-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:re|tr|fw|fwd|aw|wg|rv|ref)\s*(?:\[\d+\])?\s*:\s*)+", re.I)


@lru_cache(maxsize=4)
def _cues(gen: int) -> _Cues:
    v = packs.vocab()
    names = _alt(v.words("mail.header_names"))
    seps = _alt(v.words("mail.separators"))
    closing = _alt(v.words("segment.closings"))
    qwords = _alt(v.words("segment.question_words") + v.words("segment.request_starts"))
    return _Cues(
        header=re.compile(r"^\s*\**" + names + r"\**\s*:\s*\S", re.I),
        subject=re.compile(r"^\s*\**" + _alt(v.words("mail.subject_names")) + r"\**\s*:\s*(?P<s>.*)$", re.I),
        separator=re.compile(r"^\s*[-_=*]{2,}\s*" + seps + r"\s*[-_=*]{2,}\s*$|^\s*" + seps + r"\s*:?\s*$"),
        wrote=re.compile(r"^\s*(?:on|le|am|el|il)\s.{4,200}(?:wrote|a\s+ecrit|schrieb|escribio|ha\s+scritto)\s*:\s*$"
                         r"|^.{0,200}\b(?:wrote|a\s+ecrit)\s*:\s*$"),
        pointer=re.compile(r"(?<![\w])" + _alt(v.words("mail.pointers")) + r"(?![\w])"),
        same_as=re.compile(r"(?<![\w])" + _alt(v.words("mail.same_as")) + r"(?![\w])"),
        sent_from=re.compile(r"^\s*" + _alt(v.words("mail.sent_from")) + r"(?![\w])"),
        auto_reply=re.compile(r"(?<![\w])" + _alt(v.words("mail.auto_reply")) + r"(?![\w])"),
        disclaimer=re.compile(r"(?<![\w])" + _alt(v.words("mail.disclaimer")) + r"(?![\w])"),
        metadata=re.compile(r"^\s*" + _alt(v.words("mail.metadata_keys")) + r"\.?\s*(?:\([^()]{0,60}\)\s*)?(?:#|n[°o]\.?\s*\d|:|\s\d)"),
        closing=re.compile(r"^\W*" + closing + r"(?![\w])"),
        place=re.compile(r"^\s*\**" + _alt(v.words("mail.place_names")) + r"\**\s*:\s*\S", re.I),
        when=re.compile(r"^\s*\**" + _alt(v.words("mail.when_names")) + r"\**\s*:\s*(?P<w>\S.*)$", re.I),
        question=re.compile(r"\?|^\W*" + qwords + r"(?![\w])"),
        marker=re.compile(r"^\s*(?:>|\**" + names + r"\**\s*:|[-_=*]{2,}\s*" + seps + r"|" + _CHAT_STAMP + r"|" + _CHAT_EXPORT + r")|\s\[\s*" + _TIME + r"\s*\]\s"
                          r"|(?:wrote|a\s+ecrit)\s*:\s*$|^\s*" + _alt(v.words("mail.metadata_keys")) + r"\s*(?:#|:)", re.I),
    )


def cues() -> _Cues:
    return _cues(packs.generation())


def looks_like_thread(text: str) -> bool:
    """Whether ``text`` holds mail headers, quoted lines, separators, chat or ticket lines
    (a cheap test: an ordinary question skips the rest)."""
    if re.search(r"(?m)^--\s*$", text):
        return True  # a signature delimiter: what follows is set aside
    if ":" not in text and ">" not in text and "]" not in text:
        return False
    marker = cues().marker
    return any(marker.search(fold(line)) for line in text.split("\n"))


# ------------------------------------------------------------------------------------------
# cutting a thread into messages


def _chat_messages(text: str) -> list[_Message] | None:
    """A pasted chat transcript, one message per speaker's line, oldest first; None if the
    text is not one (fewer than two chat lines)."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _CHAT.match(line)]
    if len(starts) < 2:
        return None
    out: list[_Message] = []
    if starts[0] > 0:
        out.append(_Message(lines[:starts[0]]))
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        m = _CHAT.match(lines[i])
        first = (m["t"] if m["t"] is not None else m["u"]) or ""
        out.append(_Message([first] + lines[i + 1:end]))
    return out


def _quotequail(text: str) -> list[_Message]:
    """Newest first: quotequail's reply/forward split, applied again to what it unwraps (a
    forward inside a reply); each older message keeps the subject of the header above it."""
    import quotequail

    out: list[_Message] = []
    subject, rest = "", text
    for _ in range(8):  # a thread of up to nine messages; the rest stays with the ninth
        try:
            u = quotequail.unwrap(rest)
        except Exception:  # noqa: BLE001 - a parser's surprise on odd text: read it unsplit
            u = None
        if not u or not (u.get("text") or "").strip():
            break
        out.append(_Message((u.get("text_top") or "").split("\n"), subject))
        subject, older = u.get("subject") or "", u["text"]
        when = _invitation_when(_read_off(rest, older), u.get("date"))
        if when:
            # "Objet : Séminaire … / Date : 10 mars 2027 / Lieu : Tunis", "Quand : … / Où : …": a
            # forwarded invitation's date is the day of what it invites to, not when a mail was sent
            head = _SUBJECT_PREFIX.sub("", subject).strip()
            older = "".join(f"{head}: {w}.\n" if head else f"{w}.\n" for w in when) + older
        rest = older
    out.append(_Message(rest.split("\n"), subject))
    return out


def _read_off(whole: str, body: str) -> list[str]:
    """The lines of ``whole`` that quotequail read off as a forwarded message's header (not in ``body``)."""
    kept = set(body.split("\n"))
    return [line for line in whole.split("\n") if line not in kept]


def _invitation_when(header: list[str], date_value: str | None) -> list[str]:
    """The days a forwarded message's header gives, when it is an invitation's (a place line,
    "Lieu :", "Location:", "Ort:", is among them): its "Quand :"/"When:"/"Wann:" lines, else the
    "Date:" quotequail read."""
    c = cues()
    folded = [fold(line) for line in header]
    if not any(c.place.match(f) for f in folded):
        return []
    when = [line[m.start("w"):].strip() for line, f in zip(header, folded)
            for m in [c.when.match(f)] if m and not c.header.match(f)]
    return when or ([date_value] if date_value else [])


def _quoted_blocks(msgs: list[_Message]) -> list[_Message]:
    """``>``-quoted lines left inside a message are an older message of their own."""
    out = []
    for m in msgs:
        own = [ln for ln in m.lines if not ln.lstrip().startswith(">")]
        quoted = [ln.lstrip()[1:].lstrip(">").lstrip() for ln in m.lines if ln.lstrip().startswith(">")]
        out.append(_Message(own, m.subject))
        if quoted and any(q.strip() for q in quoted):
            out.append(_Message(quoted))
    return out


def split(text: str) -> list[_Message]:
    """The messages of a thread, newest first (a single message when it is none)."""
    chat = _chat_messages(text)
    if chat is not None:
        return list(reversed(chat))
    return _quoted_blocks(_at_separators(_quotequail(text)))


def _at_separators(msgs: list[_Message]) -> list[_Message]:
    """A separator line quotequail does not know ("---- original ----", "-----Message d'origine-----"
    in some clients) still starts an older message: the packs' ``mail.separators``."""
    sep = cues().separator
    out = []
    for m in msgs:
        cut = [i for i, ln in enumerate(m.lines) if i and sep.match(fold(ln))]
        if not cut:
            out.append(m)
            continue
        bounds = [0, *cut, len(m.lines)]
        for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
            lines = m.lines[a + (1 if n else 0):b]
            out.append(_Message(lines, m.subject if n == 0 else ""))
    return out


# ------------------------------------------------------------------------------------------
# cleaning one message


def _signature_like(line: str, folded: str) -> bool:
    words = folded.split()
    if "?" in folded or len(words) > 14:
        return False
    return (len(words) <= 8 or "|" in line or bool(_PHONE.search(line)) or bool(_EMAIL.search(line))
            or bool(_URL.search(line)))


def clean(lines: list[str], keep_subject: bool = False) -> tuple[list[str], str, int]:
    """(content lines, subject, lines set aside) of one message."""
    c = cues()
    out: list[str] = []
    subject = ""
    dropped = 0
    in_signature = False
    # an invitation (a place line), or a form or flyer whose only "header" is its date line
    # ("Date: Tuesday, 11 May 2027" under an event's name): that date is the event's
    headers = [line for line in lines if c.header.match(fold(line))]
    invitation = any(c.place.match(fold(line)) for line in lines) or (
        len(headers) == 1 and c.when.match(fold(headers[0])) is not None and not c.subject.match(fold(headers[0])))
    for line in lines:
        folded = fold(line)
        wm = c.when.match(folded) if invitation else None
        if wm:
            # "Objet : Séminaire … / Date : 10 mars 2027 / Lieu : Tunis": an invitation's date is
            # the day of what it invites to (its subject), not when a mail was sent
            out.append(f"{subject or line[:wm.start('w')].rstrip(' :*')}: {line[wm.start('w'):].strip()}")
            continue
        stripped = folded.strip()
        if stripped in ("--", "-- ", "__"):
            dropped += len(lines)  # "-- ": the signature delimiter; the rest of the message is signature
            break
        if re.fullmatch(r"[-_=*~]{3,}", stripped):
            dropped += 1
            continue
        if not stripped:
            in_signature = False if not out or out[-1] else in_signature
            out.append("")
            continue
        sm = c.subject.match(folded)
        if sm:
            subject = _SUBJECT_PREFIX.sub("", line[sm.start("s"):]).strip()
            dropped += 1
            continue
        if (c.header.match(folded) or c.separator.match(folded) or c.wrote.match(folded)
                or c.sent_from.match(folded) or (c.disclaimer.search(folded) and len(stripped) > 30)):
            dropped += 1
            continue
        parts = re.split(r"\s*\|\s*|\t+|\s{3,}", line)
        if len(parts) > 1 or c.metadata.match(folded):
            kept = [p for p in parts if p.strip() and not c.metadata.match(fold(p))]
            if not kept and len(parts) == 1 and "?" in line and ":" in line:
                line = line.split(":", 1)[1]  # "Internal note (agent): when does the partner's window close?": its value
                folded = fold(line)
            elif not kept or all(re.fullmatch(r"[\w#-]*\d[\w-]*", p.strip()) for p in kept):
                dropped += 1
                continue  # "INC0048812 | Priority: 3 - Moderate | State: In Progress"
            if len(kept) < len(parts) and not any("?" in p for p in kept) and c.metadata.match(folded):
                line = " ".join(kept)
                folded = fold(line)
        if in_signature and _signature_like(line, folded):
            dropped += 1
            continue
        in_signature = False
        if c.closing.match(folded) and "?" not in folded and len(stripped.split()) <= 6:
            in_signature = True  # what follows a "Thanks," is the signature
            dropped += 1
            continue
        if _PHONE.search(line) and ("|" in line or _EMAIL.search(line) or len(stripped.split()) <= 8):
            dropped += 1  # a signature's phone line, wherever it is
            continue
        if line.count("|") >= 2 and "?" not in line and not any(ch.isdigit() for ch in line):
            dropped += 1  # "Name | Title | Company": a signature (a table row carries numbers)
            continue
        line = _STAMP.sub(" ", line)  # when something was logged or sent: never an activity date
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    for _ in range(2):  # a name signed under the message ("Tom", "Marie D.") without a closing
        if len(out) > 1 and _sign_off(out[-1]):
            out.pop()
            dropped += 1
            while out and not out[-1].strip():
                out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return out, subject, dropped


def _sign_off(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 3 and "?" not in line and not any(ch.isdigit() for ch in line) and line[:1].isupper() \
        and not line.rstrip().endswith((":", ",")) and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _sentences(text: str) -> list[str]:
    return [x for x in re.split(r"(?<=[.?!\n])\s+", text) if x.strip()]


def _asks(text: str) -> bool:
    """Whether a sentence of ``text`` asks something (other than to look at the older part)."""
    c = cues()
    return any(c.question.search(f) and not c.pointer.search(f) for f in map(fold, _sentences(text)))


def _points(text: str) -> bool:
    """Whether a message points to the older part: it says so ("see below", "voir ci-dessous"),
    or asks something that names nothing of co-op ("tu peux m'aider ?", "any idea?")."""
    folded = fold(text)
    from .frames import about_coop

    return bool(cues().pointer.search(folded)) or not about_coop(folded)


def _same_as(text: str) -> bool:
    """"same question for our March event", "pareil pour notre salon": the older question, asked
    again for what this message names."""
    return bool(cues().same_as.search(fold(text)))


def _statements(text: str) -> str:
    """The sentences of ``text`` that ask nothing (the facts a quoted message gives)."""
    from .frames import segment

    segments = segment(text)
    if not _asks(text):  # a message that only states (segment() makes its last sentence the question)
        return "\n".join(s.text for s in segments)  # (one a line: a list's items stay items)
    return "\n".join(s.text for s in segments if s.kind == "context")


def _questions_without_periods(text: str) -> str:
    """The question sentences of ``text`` with the periods they name taken out ("our webinar
    of 12 January 2026, what is the deadline?" → "what is the deadline?")."""
    from .frames import segment
    from .reading import find_periods

    out = []
    for s in segment(text):
        if s.kind != "question":
            continue
        sentence = s.text
        try:
            found = find_periods(sentence)
        except Exception:  # noqa: BLE001 - an unreadable date: keep the sentence as written
            found = []
        for r in sorted(found, key=lambda r: -r.start):
            sentence = sentence[:r.start] + sentence[r.end:]
        out.append(sentence.strip(" ,;"))
    return " ".join(out)


def _names_role(text: str) -> bool:
    """Whether ``text`` names a period its own words give a role (an activity held, co-op earned,
    a plan): facts a question elsewhere in the thread can rest on."""
    from .frames import NOT_PERIODS, role_of
    from .reading import find_periods

    try:
        found = find_periods(text)
    except Exception:  # noqa: BLE001 - an unreadable date gives no facts
        return False
    folded = fold(text)
    return len(folded) == len(text) and any(
        role_of(folded, r.start, r.end) not in (None, *NOT_PERIODS) for r in found)


def _names_period(text: str) -> bool:
    """Whether ``text`` names a period of its own: not one its words set aside ("like last year",
    "wie letztes Jahr": a comparison). (A thread asks this of the same text several times.)"""
    return _names_period_at(text, packs.generation())


@lru_cache(maxsize=256)
def _names_period_at(text: str, gen: int) -> bool:
    from .frames import compared
    from .reading import find_periods

    try:
        found = find_periods(text)
    except Exception:  # noqa: BLE001 - an unreadable date is still a date it names
        return True
    folded = fold(text)
    if any(r.kind == "relative" and " " not in r.text.strip() for r in found):
        # ("hier" is German for here, French for yesterday: no day in a German message)
        from .detect import detect, foreign_day_word

        lang, source = detect(text, None, folded)
        if source == "text":
            found = [r for r in found if not foreign_day_word(r, lang)]
    if len(folded) != len(text):
        return bool(found)
    return any(not compared(folded, r.start, r.end) for r in found)


def _with_subject(body: str, subject: str) -> str:
    """The body, with the subject line first when the question is only there."""
    if subject and not _asks(body) and (_asks(subject) or _names_period(subject)):
        return (subject + "\n" + body).strip()
    return body


# how far into a message an automatic reply says what it is (its subject, its first lines)
AUTO_REPLY_REACH = 300


def _auto_reply(msg: _Message, cleaned: tuple[str, str]) -> bool:
    head = fold(" ".join([msg.subject or "", cleaned[1], " ".join(msg.lines)[:AUTO_REPLY_REACH]]))
    return cues().auto_reply.search(head) is not None and not _asks(cleaned[0])


def focus(text: str | None) -> Focus:
    """The text to understand of a message (see the module's docstring)."""
    text = text if isinstance(text, str) else ""
    subject, _, body = text.partition("\n")
    if _SUBJECT_PREFIX.match(subject) and body.strip() and _asks(body) and not _asks(subject):
        # "Re: Reminder: unused co-op funds will be forfeited on 31 December 2026" over a question
        # of its own: the reply's subject names what the older mail was about, not what is asked
        # (the same as a thread's subject, :func:`_with_subject`)
        return focus(body.lstrip("\n")) if looks_like_thread(body) else Focus(body.strip(), set_aside=1)
    if not text or not looks_like_thread(text):
        return Focus(text)
    text = text[:MAX_INPUT].replace("\r\n", "\n").replace("\r", "\n")
    chat = _chat_messages(text)
    if chat is not None:
        # a chat is one conversation: read in order, speakers and times set aside; a last line
        # that only points up ("^^ can we?") adds nothing
        bodies = [clean(m.lines)[0] for m in chat]
        texts = ["\n".join(b).strip() for b in bodies]
        if texts and _points(texts[-1]) and not _names_period(texts[-1]):
            texts = texts[:-1] + [_questions_without_periods(texts[-1]) or texts[-1]]
        return Focus("\n".join(t for t in texts if t), thread=True, older_used=True)
    msgs = split(text)
    cleaned: list[tuple[str, str]] = []
    dropped = 0
    for m in msgs:
        lines, subject, n = clean(m.lines)
        dropped += n
        cleaned.append(("\n".join(lines).strip(), _SUBJECT_PREFIX.sub("", m.subject or subject).strip()))
    while len(cleaned) > 1 and not cleaned[0][0] and not cleaned[0][1]:
        cleaned = cleaned[1:]  # a thread pasted from its first header line: nothing before it
    if len(cleaned) > 1:
        # "Automatic reply: RE: …", "Abwesenheitsnotiz": an out-of-office's dates are no one's
        # question; the messages around it are read as if it were not there
        kept = [c for m, c in zip(msgs, cleaned) if not _auto_reply(m, c)]
        cleaned = kept or cleaned
    newest = _with_subject(*cleaned[0])
    older = [_with_subject(t, s) for t, s in cleaned[1:]]
    older = [t for t in older if t]
    if not older:
        return Focus(newest or text, thread=True, set_aside=dropped)
    own_period = _names_period(newest)
    if _same_as(newest) and own_period:
        # "same question for our March event": this message's event, the older message's question
        asking = [t for t in older if _asks(t)]
        if asking:
            asked = _questions_without_periods(asking[0])
            return Focus((newest + "\n" + asked).strip(), thread=True, older_used=True, set_aside=dropped)
    if _asks(newest) and (own_period or not _points(newest)):
        # the newest message asks its own question: the history is not answered again, but a
        # question naming no date may rest on the facts the older messages state
        if own_period:
            return Focus(newest, thread=True, set_aside=dropped + sum(len(t.split("\n")) for t in older))
        facts = " ".join(x for x in (_statements(t) for t in reversed(older)) if x and _names_period(x))
        return Focus((facts + "\n" + newest).strip(), thread=True, older_used=bool(facts), set_aside=dropped)
    # the newest message points to the older part, or asks nothing: the older message that asks
    asking = [t for t in older if _asks(t)] or older
    target = asking[0]
    if _asks(newest) and not own_period and _names_role(target):
        # "see below. When do we have to file it?": the older part's facts (an event held on a
        # day, co-op earned in a half), the newest question
        return Focus((target + "\n" + newest).strip(), thread=True, older_used=True, set_aside=dropped)
    if own_period and newest:
        return Focus((newest + "\n" + target).strip(), thread=True, older_used=True, set_aside=dropped)
    return Focus(target, thread=True, older_used=True, set_aside=dropped)
