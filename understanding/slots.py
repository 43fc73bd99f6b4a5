"""Slots: the periods, amounts, splits and programs a message names.

Periods come from :func:`understanding.reading.find_periods`; amounts are read with either locale's
separators ("5,000.50", "5 000,50", "5.000,50 €", "$5k"); splits as "60/40",
"60% rebate - 40% co-op", "70 % de remise et 30 % de co-op", "co-op 40%".
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from core import CoopError, InvalidAmount, InvalidSplit, find_programs
from core.policy import Program
from core.reading import PeriodReading

from . import packs
from .reading import alternation as _alt, find_periods

_SP = "[ \u00a0\u202f]"
_NUM = r"(?P<num>\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"


@dataclass(frozen=True)
class _Patterns:
    amount: re.Pattern[str]
    neg_word: re.Pattern[str]
    currency: dict[str, str]
    splits: list[re.Pattern[str]]
    split_cue: re.Pattern[str]
    coop_only: re.Pattern[str]
    rebate_only: re.Pattern[str]
    not_money_after: re.Pattern[str]


@lru_cache(maxsize=4)
def _patterns(gen: int) -> _Patterns:
    """The amount and split readers, built from every pack's ``[amounts]`` words."""
    v = packs.vocab()
    before, after = v.table("amounts.currency_before"), v.table("amounts.currency_after")
    currency = {k: val for k, val in {**after, **before}.items() if val}
    neg = _alt(v.words("amounts.negative"))
    cur_before = r"(?P<cb>" + _alt(before) + r")\s?"
    cur_after = r"\s?(?P<ca>" + _alt(after) + r")"
    amount = re.compile(r"(?<![\w.,/%-])(?P<neg>-|" + neg + r"\s)?" + r"(?:" + cur_before + r")?" + _NUM + r"(?:" + cur_after
                        + r")?(?![\w%/]|\s?%|[.,]\d)")
    pct = r"(?P<{}>\d{{1,3}}(?:[.,]\d+)?)\s?%?"
    rebate = _alt(v.words("amounts.rebate_words"))
    coop = _alt(v.words("amounts.coop_words"))
    of = r"(?:" + _alt(v.words("reading.of") + v.words("amounts.split_links")) + r"\s)?"
    joins = r"[\s,;/&+-]*(?:" + _alt(v.words("reading.range_sep")) + r"\s)?"
    splits = [
        # 60/40, 60-40, 60 / 40 (percent signs optional); not a date such as 1/2/2024
        re.compile(r"(?<![\w/.,-])(?P<r>\d{1,3}(?:[.,]\d+)?)\s?%?\s?(?:/|-|:)\s?(?P<c>\d{1,3}(?:[.,]\d+)?)\s?%?(?![\w/]|[.,]\d|-\d)"),
        # "split 60 40 on 9000": two numbers side by side, only beside a split word and adding up to 100
        re.compile(r"(?<![\w/.,-])(?P<r>\d{1,2}(?:[.,]\d+)?)\s?%?\s(?P<c>\d{1,2}(?:[.,]\d+)?)\s?%?(?![\w/%]|[.,]\d|-\d|\s\d)"),
        # 60% rebate - 40% co-op / 70 % de remise et 30 % de co-op
        re.compile(pct.format("r") + r"\s?" + of + rebate + joins + of + pct.format("c") + r"\s?" + of + coop),
        # 40% co-op - 60% rebate
        re.compile(pct.format("c") + r"\s?" + of + coop + joins + pct.format("r") + r"\s?" + of + rebate),
        # rebate 60% co-op 40%
        re.compile(rebate + r"\s?:?\s?" + pct.format("r") + joins + coop + r"\s?:?\s?" + pct.format("c")),
    ]
    links = r"(?:\s" + _alt(v.words("amounts.split_links")) + r")*"
    coop_only = re.compile(r"(?P<c>\d{1,3}(?:[.,]\d+)?)\s?%\s?" + of + r"(?:the\s)?" + coop
                           + r"|" + coop + links + r"\s?:?\s?(?P<c2>\d{1,3}(?:[.,]\d+)?)\s?%")
    rebate_only = re.compile(r"(?P<r>\d{1,3}(?:[.,]\d+)?)\s?%\s?" + of + r"(?:the\s)?" + rebate)
    return _Patterns(amount, re.compile(r"(?:^|\s)(?:-|" + neg + r")\s?$"), currency, splits,
                     re.compile(_alt(v.words("amounts.split_cues"))), coop_only, rebate_only,
                     re.compile(r"\s?(?:" + _alt(v.words("amounts.not_money_after") + ["%"]) + r")(?![\w])"))


@dataclass
class Slots:
    periods: list[PeriodReading] = field(default_factory=list)
    period_error: CoopError | None = None
    amount: Decimal | None = None
    amount_text: str | None = None
    currency: str | None = None
    amount_error: CoopError | None = None
    split: tuple[Decimal, Decimal] | None = None  # (rebate %, co-op %)
    split_text: str | None = None
    split_error: CoopError | None = None
    programs: list[Program] = field(default_factory=list)
    split_span: tuple[int, int] | None = None
    amount_span: tuple[int, int] | None = None

    @property
    def error(self) -> CoopError | None:
        return self.period_error or self.split_error or self.amount_error

    @property
    def has_period(self) -> bool:
        return bool(self.periods)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse_number(text: str, lang: str) -> Decimal:
    """A number written with either locale's separators.

    >>> parse_number("5,000", "en"), parse_number("5 000,50", "fr"), parse_number("5.000,5", "fr")
    (Decimal('5000'), Decimal('5000.50'), Decimal('5000.5'))
    """
    s = re.sub(_SP, " ", text).strip()
    s = s.replace(" ", "")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        grp = "." if dec == "," else ","
        s = s.replace(grp, "").replace(dec, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        if len(parts) > 2 or len(parts[-1]) == 3:
            # 1,000 / 1.000 / 1,000,000: thousands groups (a decimal part has 1 or 2 digits)
            s = "".join(parts)
        else:
            s = parts[0] + "." + parts[1]
    try:
        return Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex only passes digits
        raise InvalidAmount(f"{text!r} is not an amount of money.", value=text) from exc


def _split_from(m: re.Match[str]) -> tuple[Decimal, Decimal]:
    return _dec(m["r"]), _dec(m["c"])


def find_split(folded: str) -> tuple[tuple[Decimal, Decimal] | None, tuple[int, int] | None, CoopError | None]:
    from core import check_split

    pt = _patterns(packs.generation())
    sp = pt.splits
    for pattern in sp[2:] + sp[:2]:
        for m in pattern.finditer(folded):
            r, c = _split_from(m)
            if pattern is sp[0] and (r > 100 or c > 100 or (r + c != 100 and not pt.split_cue.search(folded))):
                continue  # not percentages: "10-15 days", "2021-2022"
            if pattern is sp[1] and (r + c != 100 or not pt.split_cue.search(folded)):
                continue
            try:
                return check_split(r, c), m.span(), None
            except InvalidSplit as err:
                return None, m.span(), err
    m = pt.coop_only.search(folded)
    if m:
        c = _dec(m["c"] or m["c2"])
        try:
            return check_split(Decimal(100) - c, c), m.span(), None
        except InvalidSplit as err:
            return None, m.span(), err
    m = pt.rebate_only.search(folded)
    if m:
        r = _dec(m["r"])
        try:
            return check_split(r, Decimal(100) - r), m.span(), None
        except InvalidSplit as err:
            return None, m.span(), err
    return None, None, None


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def find_amount(folded: str, lang: str, taken: list[tuple[int, int]]):
    """(amount, text, currency, error, span) of the first amount outside the taken spans."""
    pt = _patterns(packs.generation())
    for m in pt.amount.finditer(folded):
        if _overlaps(m.span("num"), taken):
            continue
        num = m["num"]
        cur_text = m["cb"] or m["ca"]
        if m["cb"] and m["ca"] and m["ca"].startswith("k"):
            cur_text = "k" + m["cb"]  # "$40k": forty thousand dollars
        # a bare small integer next to nothing money-like is not an amount (e.g. "H1", "24 months")
        after = folded[m.end():m.end() + 12]
        if not cur_text and pt.not_money_after.match(after):
            continue
        if sum(ch.isdigit() for ch in num) > 15:
            continue  # a serial number, not money (and past what an answer can format)
        if not cur_text and re.fullmatch(r"(?:19|20|21)\d{2}", num):
            continue  # a year
        value = parse_number(num, lang)
        if cur_text and cur_text.startswith("k"):
            value *= 1000
            cur_text = cur_text[1:] or None
        currency = pt.currency.get(cur_text) if cur_text else None
        negative = bool(m["neg"]) or bool(pt.neg_word.search(folded[max(0, m.start() - 8):m.start()]))
        if negative:
            err = InvalidAmount(f"An amount cannot be negative (-{value}).", value=f"-{value}")
            return None, m.group(0).strip(), currency, err, m.span()
        return value, m.group(0).strip(), currency, None, m.span()
    return None, None, None, None, None


def extract(text: str, folded: str, *, lang: str, locale: str | None, today: date,
            convention: str | None) -> Slots:
    slots = Slots()
    try:
        slots.periods = find_periods(text, locale=locale, today=today, convention=convention)
    except CoopError as err:
        slots.period_error = err
    slots.periods = _corrected(slots.periods, folded)
    # "today" / "aujourd'hui" means "now" (status questions), not a period to answer for
    slots.periods = [p for p in slots.periods if not (p.kind == "relative" and p.primary is not None
                                                       and p.primary.day == today)]
    # a bare "H1"/"H2" beside a named period is a label ("is August 2022 H1 or H2?"), not
    # the "H1 funds whose window is open" reading
    if any(p.kind != "half" for p in slots.periods):
        from .frames import cues

        c = cues()  # ... unless it names earnings: "can I use my H1 funds for an event in May?", "mes fonds H1"
        slots.periods = [p for p in slots.periods if p.kind != "half" or c.earnings_after.match(folded[p.end:p.end + 20])
                         or c.earnings_before.search(folded[max(0, p.start - 24):p.start])]
    taken = [(p.start, p.end) for p in slots.periods]
    split, span, err = find_split(folded)
    if span:
        taken.append(span)
        slots.split, slots.split_error = split, err
        slots.split_text = text[span[0]:span[1]]
        slots.split_span = span
    slots.amount, slots.amount_text, slots.currency, slots.amount_error, slots.amount_span = find_amount(folded, lang, taken)
    slots.programs = find_programs(text)
    return slots


def _corrected(periods: list[PeriodReading], folded: str) -> list[PeriodReading]:
    """A date the writer takes back is no date of the message: "the booth is 30 June - sorry,
    3 July 2027", "le 3 mars - pardon, le 13 septembre 2027" keep the second date only.
    (The words between the two dates are ``reading.corrections`` of the packs.)"""
    if len(periods) < 2:
        return periods
    words = packs.vocab().words("reading.corrections")
    pattern = _correction_pattern(tuple(words))
    out: list[PeriodReading] = []
    for i, p in enumerate(periods):
        nxt = periods[i + 1] if i + 1 < len(periods) else None
        between = folded[p.end:nxt.start] if nxt is not None else ""
        if nxt is not None and len(between) <= 30 and pattern.search(between) and p.kind == nxt.kind or (
                nxt is not None and len(between) <= 30 and pattern.search(between) and {p.kind, nxt.kind} <= {"date", "month"}):
            continue  # taken back by the next one
        out.append(p)
    return out


@lru_cache(maxsize=4)
def _correction_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?:^|[\s,;:(—–-])" + _alt(words) + r"(?![\w])")


def mask_spans(slots: Slots) -> list[tuple[int, int, str]]:
    """Where the slots lie in the text, with the placeholder word the classifier sees instead."""
    spans = []
    for r in slots.periods:
        start, end = r.start, r.end
        day = r.primary is not None and r.primary.day is not None or r.kind == "date"
        spans.append((start, end, "zday" if day else "zperiod"))
    if slots.split_span:
        spans.append((*slots.split_span, "zsplit"))
    if slots.amount_span:
        spans.append((*slots.amount_span, "zamount"))
    return spans
