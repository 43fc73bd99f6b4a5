"""The reminders' texts: the digest a subscriber gets, the .ics titles, the confirmations.

The sentences live in the language packs' gettext catalogues
(``understanding/lang/<code>/messages.po``: ``digest.*`` and ``ics.*`` keys; the confirmations
are :mod:`understanding.messages`' own); this module only fills them in. Dates are formatted by
:mod:`understanding.fmt` (the one date formatter) in the reminder's language; FY labels are given in both conventions with the calendar months
they mean (SPEC rule 8), and every claim reminder carries the proof-of-execution retention
sentence (SPEC rule 9).

>>> from datetime import date
>>> from reminders.schedule import due_reminders
>>> items = due_reminders(date(2022, 8, 8), date(2022, 8, 7))
>>> print(digest_text(items, date(2022, 8, 8), "en", "en-US"))  # doctest: +NORMALIZE_WHITESPACE
**Co-op reminder**
- **7 days left** to claim co-op funds earned July – December 2021 (FY22 H1): the claiming period closes on August 15, 2022.
Keep the original proof-of-execution documents for 24 months after each activity date.
Say "stop reminders" to stop these messages.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

from core import calendar, load_policy
from understanding import fmt, registry
from understanding import messages as catalogue


def _lang(lang: str | None) -> str:
    return registry.norm_lang(lang)


def text(lang: str | None, key: str, count: int | None = None, **values) -> str:
    """The catalogue's ``digest.<key>`` sentence in ``lang``, filled in (``count`` picks the
    plural form of a plural entry)."""
    return catalogue.t(_lang(lang), f"digest.{key}", count=count, **values)


def fmt_date(day: date, lang: str | None, locale: str | None = None) -> str:
    """A date in the reminder's language (``August 15, 2022``, ``15 août 2022``):
    :func:`understanding.fmt.fmt_date`, the one date formatter."""
    lang = _lang(lang)
    return fmt.fmt_date(day, locale, lang)


def _months(first: date, last: date, lang: str, locale: str | None) -> str:
    f = fmt.fmt_month(first, locale, lang, year=first.year != last.year)
    return text(lang, "months", first=f, last=fmt.fmt_month(last, locale, lang))


def fy_labels(cycle, lang: str, convention: str | None) -> str:
    """The earning half's FY label as every surface writes it (SPEC rule 8: Microsoft's)."""
    cal = calendar()
    convention = convention or load_policy().fy_default
    other = "microsoft" if convention == "seed" else "seed"
    return catalogue.fy_text(lang, cal.fy_label(cycle.earning, convention), cal.fy_label(cycle.earning, other),
                             convention)


def item_text(item, as_of: date, lang: str | None, locale: str | None = None,
              convention: str | None = None) -> str:
    """One line of a digest for one :class:`~reminders.schedule.ReminderItem`."""
    lang = _lang(lang)
    cyc = item.cycle
    values = dict(earning=_months(cyc.earning.start, cyc.earning.end, lang, locale),
                  labels=fy_labels(cyc, lang, convention),
                  start=fmt_date(cyc.claiming.start, lang, locale),
                  end=fmt_date(item.deadline, lang, locale),
                  days=(item.deadline - as_of).days)
    key = item.kind
    if key == "claim_close" and values["days"] <= 1:
        key = "claim_close_today" if values["days"] == 0 else "claim_close_one"
    return text(lang, key, count=values["days"], **values)


def digest_text(items: Sequence, as_of: date, lang: str | None, locale: str | None = None,
                convention: str | None = None) -> str:
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
    return tuple(registry.available())
