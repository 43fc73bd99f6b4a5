"""Slots: the periods, amounts, splits and programs a message names.

Periods come from :func:`understanding.reading.find_periods`. Amounts are found here, in the
forms partners type (thousands with dots, spaces, NBSP, apostrophes or commas; decimals with
commas or dots; "k"/"M"/"mio"/"million" suffixes; the currency before or after, as a symbol or
an ISO code, "$ CA" and Québec's "8 000 $"), and only where a number is money: a year, a date, a
percentage, a phone, reference or product number is not an amount. The number's value is read by
``price-parser`` (its separator rule: three digits after the last separator are a thousands
group, one, two or four and more are decimals). Splits as "60/40", "60% rebate - 40% co-op",
"70 % de remise et 30 % de co-op", "co-op 40%", "rebate is 70%"; an amount named as the co-op
or the rebate part ("4 000 of co-op") has that role, so the total can be worked back from it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core import CoopError, InvalidAmount, InvalidSplit, find_programs
from core.policy import Program
from core.reading import PeriodReading, fold

from . import packs
from .reading import alternation as _alt, find_periods

# A number as written, in folded text (NBSP, narrow NBSP and thin spaces are spaces there, a
# typographic apostrophe is "'"): digit groups of three after one to three digits, with the same
# separator throughout (1,250,000 / 1.250.000 / 1 250 000 / 1'250'000), then decimals after the
# other sign ("1.250,50", "1,250.50") or the Swiss ".-"/".–" (no cents); or digits with an
# optional decimal part ("12.5k", "1,2 M€"); Indian groups of two before the last three ("12,50,000").
_NUM = (r"(?P<num>\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2}(?!\d))?"  # the Indian lakh grouping: 12,50,000
        r"|\d{1,3}(?P<grp>[ .,'])\d{3}(?:(?P=grp)\d{3})*(?:(?!(?P=grp))[.,](?:\d{1,2}(?!\d)|-{1,2}))?"
        r"|\d+(?:[.,](?:\d+|-{1,2}))?)")
# what ends an amount: not a letter or digit run, a percentage, a time ("16:41"), a range or
# phone number ("10-15", "555-0100"), a fraction or date ("1/2")
_END = r"(?![\w%/]|\s?%|[.,:]\d|-\d)"


@dataclass(frozen=True)
class _Patterns:
    amount: re.Pattern[str]
    neg_word: re.Pattern[str]
    currency: dict[str, str]
    multipliers: dict[str, int]
    splits: list[re.Pattern[str]]
    split_cue: re.Pattern[str]
    coop_only: list[re.Pattern[str]]
    rebate_only: list[re.Pattern[str]]
    not_money_after: re.Pattern[str]
    not_money_before: re.Pattern[str]
    part_after: re.Pattern[str]
    part_before: re.Pattern[str]
    part_asked: re.Pattern[str]
    coop_words: frozenset[str]


def _cldr_symbols(tag: str) -> dict[str, str]:
    """A locale's currency signs (CLDR, through Babel), folded, to ISO codes: "$" is the US
    dollar in en-US, the Canadian dollar in en-CA and fr-CA, "$CA" and "CA$" the Canadian one
    everywhere. Only signs with a symbol in them: CLDR's letter abbreviations ("F", "FB",
    "CFA") are words too often."""
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return {}
    out: dict[str, str] = {}
    for code, sign in sorted(loc.currency_symbols.items()):
        if code != "XXX" and sign != code and not sign.replace(".", "").isalpha():
            out.setdefault(fold(sign), code)
            out.setdefault(fold(sign).replace(" ", ""), code)
    return out


@lru_cache(maxsize=64)
def _locale_symbols(tag: str | None) -> dict[str, str]:
    return _cldr_symbols(tag) if tag else {}


@lru_cache(maxsize=4)
def _patterns(gen: int) -> _Patterns:
    """The amount and split readers, built from every pack's ``[amounts]`` words."""
    v = packs.vocab()
    codes = {c.lower(): c.upper() for c in v.words("amounts.currency_codes")}
    cldr: dict[str, str] = {}
    for p in packs.packs():  # the signs of each pack's language ("CA$" in English, "$CA" in French)
        for sign, code in _cldr_symbols(p.code).items():
            cldr.setdefault(sign, code)
    before = {**cldr, **codes, **v.table("amounts.currency_before")}
    after = {**cldr, **codes, **v.table("amounts.currency_after")}
    currency = {**cldr, **codes, **v.table("amounts.currency_after"), **v.table("amounts.currency_before")}
    mult = {str(k): int(val) for k, val in v.table("amounts.multipliers").items()}
    neg = _alt(v.words("amounts.negative"))
    cur_before = r"(?P<cb>" + _alt(before) + r")\s?"
    cur_after = r"\s?(?P<ca>" + _alt(after) + r")"
    multiplier = r"\s?(?P<mult>" + _alt(mult) + r")"
    # (_END after the whole: a suffix or currency that runs into a word is not one, "5 min", "usda")
    amount = re.compile(r"(?<![\w.,/%'#+-])(?<!\d:)(?P<neg>-|" + neg + r"\s)?(?:" + cur_before + r")?" + _NUM
                        + r"(?:" + multiplier + r")?(?:" + cur_after + r")?" + _END)
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
    share = r"(?P<{}>\d{{1,3}}(?:[.,]\d+)?)\s?%"

    def one_side(words: str) -> list[re.Pattern[str]]:
        # "40% co-op", "40 % de co-op", "30% goes to co-op"; "co-op 40%", "co-op is 40%", "rebate at 60%"
        return [re.compile(share.format("p") + r"\s?" + of + r"(?:the\s)?" + words),
                re.compile(words + links + r"\s?:?\s?" + share.format("p"))]

    nouns = r"(?:\s(?:" + _alt(v.words("amounts.part_nouns")) + r"))?"
    part = r"(?P<part>" + coop + r"|" + rebate + r")"
    return _Patterns(
        amount, re.compile(r"(?:^|\s)(?:-|" + neg + r")\s?$"), currency, mult, splits,
        re.compile(_alt(v.words("amounts.split_cues"))), one_side(coop), one_side(rebate),
        re.compile(r"\s?(?:" + _alt(v.words("amounts.not_money_after") + ["%"]) + r")(?![\w])"),
        re.compile(r"(?<![\w])" + _alt(v.words("amounts.not_money_before")) + r"\s?[#:]?\s?$"),
        # "4 000 of co-op", "$6,000 in rebate" (not "co-op eligible", "co-op-eligible")
        re.compile(r"\s?(?:" + _alt(v.words("amounts.part_after")) + r"\s?)?" + part
                   + r"(?![\w-]|\s(?:" + _alt(v.words("amounts.part_not")) + r"))"),
        # "co-op of 4 000", "our co-op came to 4,000", "la remise s'eleve a 6 000"
        re.compile(r"(?<![\w-])" + part + nouns + r"\s?(?:" + _alt(v.words("amounts.part_before")) + r")\s?$"),
        re.compile(r"(?<![\w])" + _alt(v.words("amounts.part_asked")) + r"\s?$"),
        frozenset(v.words("amounts.coop_words")),
    )


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
    # what the amount is: the eligible incentive earnings ("total"), or one part of them
    # ("coop": "4 000 of co-op", "rebate": "the rebate was $6,000")
    amount_role: str = "total"
    # "Is H1 January to June?": the months a message says a bare half term is (month numbers),
    # a question about the term, not dates
    term_months: tuple[int, ...] = ()
    term_half: str | None = None  # ... and the term ("H1")

    @property
    def error(self) -> CoopError | None:
        return self.period_error or self.split_error or self.amount_error

    @property
    def has_period(self) -> bool:
        return bool(self.periods)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse_number(text: str, lang: str | None = None) -> Decimal:
    """A number written with either locale's separators, read by price-parser: three digits
    after the last separator are a thousands group, one or two (or four and more) are decimals;
    spaces, NBSP and apostrophes group thousands; the Swiss ".-" is no cents.

    >>> parse_number("5,000"), parse_number("5 000,50"), parse_number("5.000,5"), parse_number("8'000.-")
    (Decimal('5000'), Decimal('5000.50'), Decimal('5000.5'), Decimal('8000'))
    """
    from price_parser import Price  # here: ~50 ms of import (attrs) that a question without an amount never pays

    s = fold(text).strip().rstrip("-").rstrip(".,")
    value = Price.fromstring(s).amount if s[:1].isdigit() else None
    if value is None:
        raise InvalidAmount(f"{text!r} is not an amount of money.", value=text)
    return value


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
    # one side named: "40% co-op", "co-op is 40%"; "rebate is 70%", "70 % de remise"
    for side, patterns in (("coop", pt.coop_only), ("rebate", pt.rebate_only)):
        found = [m for p in patterns for m in [p.search(folded)] if m]
        if not found:
            continue
        m = min(found, key=lambda m: m.start())
        pct = _dec(m["p"])
        try:
            pair = (Decimal(100) - pct, pct) if side == "coop" else (pct, Decimal(100) - pct)
            return check_split(*pair), m.span(), None
        except InvalidSplit as err:
            return None, m.span(), err
    return None, None, None


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _currency(pt: _Patterns, token: str | None, locale: str | None) -> str | None:
    """The ISO code of a currency as written: the asker's locale says first what its signs
    mean ("$" in fr-CA), then the packs' words and codes."""
    if not token:
        return None
    token = re.sub(r"\s+", " ", token)
    signs = _locale_symbols(locale)
    for form in (token, token.replace(" ", "")):
        if form in signs:
            return signs[form]
    return pt.currency.get(token) or pt.currency.get(token.replace(" ", "")) or None


def _digits_beside(folded: str, start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """More digits right before or after, across one space, dot, dash or bracket: a phone or
    account number ("+44 113 496 0721", "(425) 555-0100"), not an amount. Digits that belong to
    a period or split already read do not count ("60/40 5000")."""
    before = re.search(r"\d\)?[ .\-/]\(?$", folded[max(0, start - 3):start])
    after = re.match(r"\)?[ .\-]\(?\d", folded[end:end + 3])
    if before and not _overlaps((start - 3, start - 1), taken):
        return True
    return bool(after and not _overlaps((end + 1, end + 3), taken))


def _role(pt: _Patterns, folded: str, start: int, end: int, split_span: tuple[int, int] | None) -> str:
    """"coop" or "rebate" when the words beside the amount name it as that part of the split
    ("4 000 of co-op", "our co-op came to 4,000"), else "total"."""
    m = pt.part_after.match(folded, end)
    if m:
        return "coop" if m["part"] in pt.coop_words else "rebate"
    m = pt.part_before.search(folded[max(0, start - 40):start])
    if m:
        at = max(0, start - 40) + m.start("part")
        if split_span and split_span[0] <= at < split_span[1]:
            return "total"  # "40% co-op of 25000": the share's own word
        if pt.part_asked.search(folded[max(0, at - 16):at]):
            return "total"  # "how much co-op is 5000": what is asked
        return "coop" if m["part"] in pt.coop_words else "rebate"
    return "total"


def find_amount(folded: str, lang: str, taken: list[tuple[int, int]], locale: str | None = None,
                split_span: tuple[int, int] | None = None):
    """(amount, text, currency, error, span, role) of the amount a message names, outside the
    taken spans (periods, the split). A number with a currency or a "k"/"M" suffix is money
    wherever it stands and the first one wins; a bare number only when nothing says it is
    something else (a year, a count of days or attendees, a reference or product number, a
    phone number), and only if no number with a currency follows.

    >>> find_amount(fold("PO 4471, 140 attendees, CHF 8'000.-"), "en", [])[:3]
    (Decimal('8000'), "chf 8'000.-", 'CHF')
    """
    pt = _patterns(packs.generation())
    bare = None
    for m in pt.amount.finditer(folded):
        if _overlaps(m.span("num"), taken):
            continue
        num, mult = m["num"], m["mult"]
        cur_text = m["cb"] or m["ca"]
        currency = _currency(pt, cur_text, locale)
        if sum(ch.isdigit() for ch in num) > 15:
            continue  # a serial number, not money (and past what an answer can format)
        strong = bool(cur_text or mult)
        start, end = m.span()
        if not strong:
            if bare is not None:
                continue
            if (pt.not_money_after.match(folded, end) or pt.not_money_before.search(folded[max(0, start - 20):start])
                    or re.fullmatch(r"(?:19|20|21)\d{2}", num)  # a year
                    or re.match(r"0\d", num)  # "0800 123 456", "0721"
                    or _digits_beside(folded, start, end, taken)):
                continue
        try:
            value = parse_number(num)
        except InvalidAmount:
            continue
        if mult:
            value = (value * pt.multipliers[re.sub(r"\s+", " ", mult)]).normalize()
            value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value
        negative = bool(m["neg"]) or bool(pt.neg_word.search(folded[max(0, start - 8):start]))
        role = _role(pt, folded, start, end, split_span)
        if negative:
            err = InvalidAmount(f"An amount cannot be negative (-{value}).", value=f"-{value}")
            found = (None, m.group(0).strip(), currency, err, m.span(), role)
        else:
            found = (value, m.group(0).strip(), currency, None, m.span(), role)
        if strong:
            return found
        bare = found
    return bare or (None, None, None, None, None, "total")


def _names_use(folded: str) -> bool:
    """Whether a message names funds, an activity or a plan ("my H1 funds for an event in May"):
    then its months are dates, not what a term means."""
    from .frames import cues

    c = cues()
    return any(c.roles[k].search(folded) for k in ("earnings", "activity", "plan", "plan_funds")) or bool(
        packs.words_pattern("roles.earnings_after").search(folded))


def _month_words(folded: str) -> tuple[int, ...]:
    """The months named in words, in the order written ("janvier a juin" -> (1, 6))."""
    by_word = packs.vocab().months_by_word
    found = [(m.start(), by_word[m.group(0).rstrip(".")]) for m in _month_words_pattern(packs.generation()).finditer(folded)
             if m.group(0).rstrip(".") in by_word]
    return tuple(n for _, n in sorted(found))


@lru_cache(maxsize=4)
def _month_words_pattern(gen: int) -> re.Pattern[str]:
    words = sorted(packs.vocab().months_by_word, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in words) + r")\.?(?![\w])")


def extract(text: str, folded: str, *, lang: str, locale: str | None, today: date,
            convention: str | None) -> Slots:
    slots = Slots()
    try:
        slots.periods = find_periods(text, locale=locale, today=today, convention=convention)
    except CoopError as err:
        slots.period_error = err
    slots.periods = _restated(_corrected(slots.periods, folded), folded)
    # "un client de 2027 utilisateurs", "2025 seats": a year followed by what it counts is a count
    counted = packs.words_pattern("amounts.not_money_after")
    slots.periods = [p for p in slots.periods if not (p.kind == "year" and counted.match(folded[p.end:p.end + 20].lstrip()))]
    # "for next year's budget: co-op we'll earn in FY28 H1": a relative period said as a possessive
    # names what the budget is for; the period written out is the one asked about
    if any(p.kind != "relative" for p in slots.periods):
        slots.periods = [p for p in slots.periods if not (p.kind == "relative" and re.match(r"['’]s\b", folded[p.end:p.end + 3]))]
    # "today" / "aujourd'hui" means "now" (status questions), not a period to answer for
    slots.periods = [p for p in slots.periods if not (p.kind == "relative" and p.primary is not None
                                                       and p.primary.day == today)]
    if any(p.kind == "half" for p in slots.periods) and all(
            p.kind == "half" or (p.kind in ("month", "range") and p.primary is not None and p.primary.reading == "most_recent")
            for p in slots.periods) and _month_words(folded) and not _names_use(folded):
        # "Is H1 January to June?", "H2 c'est bien juillet-décembre ?": months without a year beside a bare
        # half term say what the term means; no month of any year is asked about
        slots.term_months = _month_words(folded)
        slots.periods = [p for p in slots.periods if p.kind == "half"]
        slots.term_half = slots.periods[0].half_name
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
    (slots.amount, slots.amount_text, slots.currency, slots.amount_error, slots.amount_span,
     slots.amount_role) = find_amount(folded, lang, taken, locale, slots.split_span)
    if slots.amount_text is not None:
        slots.amount_text = text[slots.amount_span[0]:slots.amount_span[1]].strip()
    slots.programs = find_programs(text)
    return slots


def _restated(periods: list[PeriodReading], folded: str) -> list[PeriodReading]:
    """A period said twice, the second time in brackets ("cet automne (sept-nov 2026)", "next
    quarter (Q1 2027)"): the explicit one in brackets is kept."""
    out: list[PeriodReading] = []
    for i, p in enumerate(periods):
        nxt = periods[i + 1] if i + 1 < len(periods) else None
        if nxt is not None and re.fullmatch(r"\s*[(\[]\s*", folded[p.end:nxt.start]) and p.kind == "relative":
            continue
        if out and _inside_brackets_of(out[-1], p, folded):
            continue  # "the second half of 2025 (i.e. July to December)": the months of the half, said again
        out.append(p)
    return out


def _inside_brackets_of(outer: PeriodReading, p: PeriodReading, folded: str) -> bool:
    """Whether ``p`` is said in brackets right after ``outer`` and names part of it again: its
    months lie in ``outer``'s (a month without a year: its month of the year does)."""
    if outer.primary is None or p.primary is None or p.kind not in ("month", "date", "range"):
        return False
    if not re.fullmatch(r"\s*(?:\d{4}\s*)?[(\[][^()\[\]]{0,25}", folded[outer.end:p.start]):  # ("… last year 2025 (")
        return False
    o, q = outer.primary, p.primary
    if o.start <= q.start and q.end <= o.end:
        return True
    if q.reading == "most_recent" and (o.end - o.start).days < 366:
        months = {(o.start.month + k - 1) % 12 + 1 for k in range(o.months.last - o.months.first + 1)}
        return q.start.month in months and q.end.month in months
    return False


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
