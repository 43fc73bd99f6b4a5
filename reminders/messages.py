"""The reminders' texts: the digest a subscriber gets, the .ics titles, the confirmations.

The sentences live in the message catalogues (``understanding/messages_en.py`` and
``understanding/messages_fr.py``: ``digest.*`` and ``ics.*`` keys; the confirmations are
:mod:`understanding.messages`' own); this module only fills them in. Dates are formatted by
Babel for the user's locale; FY labels are given in both conventions with the calendar months
they mean (SPEC rule 8), and every claim reminder carries the proof-of-execution retention
sentence (SPEC rule 9).

>>> from datetime import date
>>> from reminders.schedule import due_reminders
>>> items = due_reminders(date(2022, 8, 8), date(2022, 8, 7))
>>> print(digest_text(items, date(2022, 8, 8), "en", "en-US"))  # doctest: +NORMALIZE_WHITESPACE
**Co-op reminder**
- **7 days left** to claim co-op funds earned July – December 2021 (FY21 H1; FY22 H1 in Microsoft's fiscal-year naming): the claiming window closes on August 15, 2022.
Keep the original proof-of-execution documents for 24 months after each activity date.
Say "stop reminders" to stop these messages.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

from babel.dates import format_date

from core import calendar, load_policy
from understanding import messages as catalogue

SUPPORTED = ("en", "fr")
DEFAULT_LOCALE = {"en": "en-US", "fr": "fr-FR"}


def _lang(lang: str | None) -> str:
    lang = (lang or "en").split("-")[0].lower()
    return lang if lang in SUPPORTED else "en"


def _locale(lang: str, locale: str | None) -> str:
    if locale and locale.split("-")[0].lower() == lang:
        return locale.replace("-", "_")
    return DEFAULT_LOCALE[lang].replace("-", "_")


def text(lang: str | None, key: str, **values) -> str:
    """The catalogue's ``digest.<key>`` sentence in ``lang``, filled in."""
    return catalogue.CATALOGUES[_lang(lang)][f"digest.{key}"].format(**values)


def fmt_date(day: date, lang: str | None, locale: str | None = None) -> str:
    """A date in the user's locale, long form (``August 15, 2022``, ``15 août 2022``): the
    answers' own formatter (``understanding.fmt.fmt_date``), so reminders, cards and calendar
    files write dates alike."""
    from understanding.fmt import fmt_date as answer_date

    return answer_date(day, locale, _lang(lang))


def _months(first: date, last: date, lang: str, locale: str | None) -> str:
    loc = _locale(lang, locale)
    f = format_date(first, "MMMM yyyy", locale=loc) if first.year != last.year else format_date(first, "MMMM", locale=loc)
    return text(lang, "months", first=f, last=format_date(last, "MMMM yyyy", locale=loc))


def _labels(cycle, lang: str, convention: str) -> str:
    cal = calendar()
    other = "microsoft" if convention == "seed" else "seed"
    return text(lang, "labels", label=cal.fy_label(cycle.earning, convention),
                other=cal.fy_label(cycle.earning, other), other_name=text(lang, f"convention.{other}"))


def item_text(item, as_of: date, lang: str | None, locale: str | None = None,
              convention: str = "seed") -> str:
    """One line of a digest for one :class:`~reminders.schedule.ReminderItem`."""
    lang = _lang(lang)
    cyc = item.cycle
    values = dict(earning=_months(cyc.earning.start, cyc.earning.end, lang, locale),
                  labels=_labels(cyc, lang, convention),
                  start=fmt_date(cyc.claiming.start, lang, locale),
                  end=fmt_date(item.deadline, lang, locale),
                  days=(item.deadline - as_of).days)
    key = item.kind
    if key == "claim_close" and values["days"] <= 1:
        key = "claim_close_today" if values["days"] == 0 else "claim_close_one"
    return text(lang, key, **values)


def digest_text(items: Sequence, as_of: date, lang: str | None, locale: str | None = None,
                convention: str = "seed") -> str:
    """The single message a subscriber gets for everything due in one sweep."""
    lang = _lang(lang)
    lines = [text(lang, "title")]
    lines += [f"- {item_text(i, as_of, lang, locale, convention)}" for i in sorted(items)]
    if any(i.kind in ("claim_open", "claim_close") for i in items):
        lines.append(text(lang, "poe", months=load_policy().retention.poe_months))
    lines.append(text(lang, "footer"))
    return "\n".join(lines)


def confirm_subscribed(lang: str | None, next_date: date | None, locale: str | None = None) -> str:
    """The subscribe confirmation, naming the next reminder's date (the bot's sentence,
    :func:`understanding.messages.confirm_subscribed`)."""
    return catalogue.confirm_subscribed(_lang(lang), next_date, locale)


def confirm_unsubscribed(lang: str | None) -> str:
    return catalogue.confirm_unsubscribed(_lang(lang))


def calendar_names(lang: str | None) -> dict[str, str]:
    """Event titles of the .ics file (the catalogue's ``ics.*`` templates)."""
    return catalogue.calendar_names(_lang(lang))


def months_text(first: date, last: date, lang: str | None, locale: str | None = None) -> str:
    lang = _lang(lang)
    return _months(first, last, lang, locale)


def all_languages() -> Iterable[str]:
    return SUPPORTED
