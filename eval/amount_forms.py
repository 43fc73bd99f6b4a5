"""Amounts as partners type them, and numbers that are not amounts: the list the amount reader
is measured on (``tests/test_amounts.py`` asserts every row).

    .venv/bin/python -m eval.amount_forms [-v]

prints, for each reader, how many rows it reads right:

- ``slots``: the product's reader (``understanding.slots.extract``, with the period reader
  taking dates first, as a message is read);
- ``price-parser``: ``price_parser.Price.fromstring`` given the whole sentence (what it was
  made for is one price string scraped from a web page: it takes the first number it sees);
- ``price-parser on the amount``: the same given only the amount's own text (the ``form``
  column), i.e. once something else has found the amount in the sentence.

A row is ``(sentence, lang, locale, value, currency)``; ``value`` None means the sentence
names no amount. The currency is an ISO 4217 code (None: none named). The price-parser
columns count the value only, and a currency as the symbol it returns is mapped by
:data:`_AS_WRITTEN` (it names no ISO code itself).
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

D = Decimal
TODAY = date(2026, 12, 7)

# (sentence, lang, locale, value, currency, form): ``form`` is the amount as written in it
AMOUNTS: list[tuple[str, str, str | None, Decimal, str | None, str]] = [
    # plain, thousands with commas, dots, spaces (NBSP, narrow NBSP), apostrophes
    ("split 5000 at 60/40", "en", None, D("5000"), None, "5000"),
    ("We earned 12,500 of incentives.", "en", "en-US", D("12500"), None, "12,500"),
    ("On a gagné 12.500 d'incentives.", "fr", "fr-FR", D("12500"), None, "12.500"),
    ("On a gagné 12 500 d'incentives.", "fr", "fr-FR", D("12500"), None, "12 500"),
    ("On a gagné 12\u00a0500\u00a0€ d'incentives.", "fr", "fr-FR", D("12500"), "EUR", "12\u00a0500\u00a0€"),
    ("On a gagné 12\u202f500,00\u00a0€ d'incentives.", "fr", "fr-FR", D("12500.00"), "EUR", "12\u202f500,00\u00a0€"),
    ("We earned CHF 8'000 of incentives.", "en", "de-CH", D("8000"), "CHF", "CHF 8'000"),
    ("We earned CHF 8’000.– of co-op.", "en", "de-CH", D("8000"), "CHF", "CHF 8’000.–"),
    ("We earned 8’000.– of co-op.", "en", None, D("8000"), None, "8’000.–"),
    ("Nous avons reçu Fr. 8'000.- de co-op.", "fr", "fr-CH", D("8000"), "CHF", "Fr. 8'000.-"),
    ("We earned 1'250'000.50 CHF this year.", "en", "de-CH", D("1250000.50"), "CHF", "1'250'000.50 CHF"),
    ("We earned 1,250,000 of incentives.", "en", "en-US", D("1250000"), None, "1,250,000"),
    # decimals with commas or dots
    ("On a gagné 1 250,50 € de co-op.", "fr", "fr-FR", D("1250.50"), "EUR", "1 250,50 €"),
    ("We earned 1,250.50 USD of co-op.", "en", "en-US", D("1250.50"), "USD", "1,250.50 USD"),
    ("We earned 8.000,50 EUR of co-op.", "en", "en-IE", D("8000.50"), "EUR", "8.000,50 EUR"),
    ("Our co-op came to EUR 1.850,00 for the half.", "en", "en-IE", D("1850.00"), "EUR", "EUR 1.850,00"),
    ("On a 1.250.000,00 € d'incentives.", "fr", "fr-FR", D("1250000.00"), "EUR", "1.250.000,00 €"),
    ("We earned 1 250.50 $ this half.", "en", None, D("1250.50"), "USD", "1 250.50 $"),
    # k and M suffixes
    ("We had $12.5k co-op earned.", "en", None, D("12500"), "USD", "$12.5k"),
    ("We had 12.5k$ of co-op.", "en", None, D("12500"), "USD", "12.5k$"),
    ("On a 12 k€ de co-op.", "fr", "fr-FR", D("12000"), "EUR", "12 k€"),
    ("On a 12,5 k€ de co-op.", "fr", "fr-FR", D("12500"), "EUR", "12,5 k€"),
    ("We have 12k € of co-op.", "en", None, D("12000"), "EUR", "12k €"),
    ("We have 12K of co-op.", "en", None, D("12000"), None, "12K"),
    ("We have 300k of incentives.", "en", None, D("300000"), None, "300k"),
    ("1,2 M€ d'incentives cette année.", "fr", "fr-FR", D("1200000"), "EUR", "1,2 M€"),
    ("1.2M of incentive earnings this year.", "en", None, D("1200000"), None, "1.2M"),
    ("$1.2M of incentive earnings this year.", "en", None, D("1200000"), "USD", "$1.2M"),
    ("AUD 1.2M incentive earnings.", "en", "en-AU", D("1200000"), "AUD", "AUD 1.2M"),
    ("We earned 2 mio CHF in incentives.", "en", "de-CH", D("2000000"), "CHF", "2 mio CHF"),
    ("We earned CHF 2 Mio. in incentives.", "en", "de-CH", D("2000000"), "CHF", "CHF 2 Mio."),
    ("We earned 1.5 million dollars in incentives.", "en", None, D("1500000"), "USD", "1.5 million dollars"),
    ("We earned $3 million in incentives.", "en", None, D("3000000"), "USD", "$3 million"),
    ("On a gagné 2 millions d'euros d'incentives.", "fr", "fr-FR", D("2000000"), "EUR", "2 millions d'euros"),
    ("On a gagné 1,2 million € d'incentives.", "fr", "fr-FR", D("1200000"), "EUR", "1,2 million €"),
    ("On a 3 M$ d'incentives.", "fr", "fr-CA", D("3000000"), "CAD", "3 M$"),
    # currency before or after, symbol or code
    ("We earned $ 5,000 of co-op.", "en", "en-US", D("5000"), "USD", "$ 5,000"),
    ("We earned USD5000 of co-op.", "en", None, D("5000"), "USD", "USD5000"),
    ("We earned 5000USD of co-op.", "en", None, D("5000"), "USD", "5000USD"),
    ("We earned £4,000 of co-op.", "en", "en-GB", D("4000"), "GBP", "£4,000"),
    ("We earned GBP 4,000.00 of co-op.", "en", "en-GB", D("4000.00"), "GBP", "GBP 4,000.00"),
    ("We earned €5,000 of co-op.", "en", "en-IE", D("5000"), "EUR", "€5,000"),
    ("On a gagné 5 000 euros de co-op.", "fr", "fr-FR", D("5000"), "EUR", "5 000 euros"),
    ("We earned 5000 dollars of co-op.", "en", None, D("5000"), "USD", "5000 dollars"),
    ("We earned CAD 12,500 of co-op.", "en", "en-CA", D("12500"), "CAD", "CAD 12,500"),
    ("We earned CA$12,500 of co-op.", "en", "en-US", D("12500"), "CAD", "CA$12,500"),
    ("We earned C$ 12,500 of co-op.", "en", "en-CA", D("12500"), "CAD", "C$ 12,500"),
    ("We earned US$ 5,000 of co-op.", "en", "en-CA", D("5000"), "USD", "US$ 5,000"),
    ("We earned NZD 4,500 of co-op.", "en", None, D("4500"), "NZD", "NZD 4,500"),
    ("We earned ¥500,000 of co-op.", "en", None, D("500000"), "JPY", "¥500,000"),
    ("On a 12 500 $ CA de co-op.", "fr", "fr-CA", D("12500"), "CAD", "12 500 $ CA"),
    ("On a 12 500 $CA de co-op.", "fr", "fr-FR", D("12500"), "CAD", "12 500 $CA"),
    ("On a 12 500 $ CAN de co-op.", "fr", "fr-CA", D("12500"), "CAD", "12 500 $ CAN"),
    ("On a 5 000 $ US de co-op.", "fr", "fr-CA", D("5000"), "USD", "5 000 $ US"),
    ("On a 8 000 $ de co-op.", "fr", "fr-CA", D("8000"), "CAD", "8 000 $"),  # Québec: $ is the Canadian dollar
    ("We have 8,000 $ of co-op.", "en", "en-CA", D("8000"), "CAD", "8,000 $"),
    ("We have $8,000 of co-op.", "en", "en-US", D("8000"), "USD", "$8,000"),
    ("We have $8,000 of co-op.", "en", "en-AU", D("8000"), "AUD", "$8,000"),
    # the money, not the numbers around it
    ("Roadshow on 21 April 2026, 140 attendees, purchase order 4471: how much co-op on $5,000?", "en", "en-GB",
     D("5000"), "USD", "$5,000"),
    ("Invoice #88213 of 3 March 2026 was 4 200 €, 2 sessions.", "fr", "fr-FR", D("4200"), "EUR", "4 200 €"),
    ("Call me on +44 113 496 0721 about the 7,500 of co-op.", "en", "en-GB", D("7500"), None, "7,500"),
]

# sentences that name no amount (every number in them is something else)
NOT_AMOUNTS: list[tuple[str, str, str | None, str]] = [
    ("claim deadline for March 2025", "en", None, "a month's year"),
    ("what about 2026?", "en", None, "a bare year"),
    ("when does FY26 H2 claiming close?", "en", None, "an FY label"),
    ("Q3 FY27 deadline?", "en", None, "a fiscal quarter"),
    ("T3 2026, date limite ?", "fr", "fr-FR", "a French quarter"),
    ("S1 2027 c'est quand ?", "fr", "fr-FR", "a French semester"),
    ("event 05.11.2026 claim deadline?", "en", None, "a dotted date"),
    ("webinar on 12/03/2025, deadline?", "en", "en-GB", "a slashed date"),
    ("event on 2026-10-22", "en", None, "an ISO date"),
    ("the split is 40% co-op", "en", None, "a percentage"),
    ("40 percent goes to co-op", "en", None, "a percentage in words"),
    ("40 pour cent en co-op", "fr", "fr-FR", "a percentage in French words"),
    ("keep the documents for 24 months", "en", None, "months"),
    ("on a 90 jours pour réclamer ?", "fr", "fr-FR", "days"),
    ("call +44 113 496 0721", "en", None, "a phone number"),
    ("appelez le +33 1 23 45 67 89", "fr", "fr-FR", "a French phone number"),
    ("call 0800 123 456", "en", None, "a freephone number"),
    ("tel (425) 555-0100", "en", None, "a US phone number"),
    ("purchase order 4471 was approved", "en", None, "a purchase order"),
    ("PO 4471 approved", "en", None, "a PO number"),
    ("PO#4471", "en", None, "a PO number with #"),
    ("invoice 88213 arrived", "en", None, "an invoice number"),
    ("Ref 88213-CX", "en", None, "a reference"),
    ("ticket 12345 about co-op", "en", None, "a ticket number"),
    ("facture n° 4471 reçue", "fr", "fr-FR", "an invoice number, French"),
    ("bon de commande 4471 validé", "fr", "fr-FR", "a French purchase order"),
    ("réf. 88213 du dossier", "fr", "fr-FR", "a French reference"),
    ("we upgraded to Windows 11 24H2", "en", None, "a product version"),
    ("SQL Server 2022 licences", "en", None, "a product name with a year"),
    ("Office 2019 migration campaign", "en", None, "a product year"),
    ("Dynamics 365 webinar", "en", None, "a product name with a number"),
    ("Microsoft 365 E3 event", "en", None, "a product name with a number"),
    ("2024 release wave 2 launch event", "en", None, "a release wave"),
    ("version 2.1 of the guide", "en", None, "a document version"),
    ("140 attendees came", "en", None, "a head count"),
    ("2 sessions in Leeds", "en", None, "a count of sessions"),
    ("the meeting is at 16:41", "en", None, "a time"),
    ("rendez-vous à 9h30", "fr", "fr-FR", "a French time"),
    ("KW 31 event", "en", None, "an ISO week"),
    ("wk 31 2027 roadshow", "en", None, "a week"),
    ("see page 3 of the guide", "en", None, "a page"),
]


# the symbols price-parser returns, as ISO codes, only for the comparison
_AS_WRITTEN = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "CA$": "CAD", "C$": "CAD", "US$": "USD",
               "A$": "AUD", "AU$": "AUD", "Fr.": "CHF", "euro": "EUR", "eur": "EUR"}


def _iso(symbol: str | None) -> str | None:
    if not symbol:
        return None
    return _AS_WRITTEN.get(symbol, symbol.upper() if len(symbol) == 3 and symbol.isalpha() else symbol)


def read_slots(text: str, lang: str, locale: str | None) -> tuple[Decimal | None, str | None]:
    """The product's reading: (amount, ISO currency)."""
    from core.reading import fold
    from understanding.slots import extract

    s = extract(text, fold(text), lang=lang, locale=locale, today=TODAY, convention=None)
    return s.amount, s.currency


def read_price_parser(text: str) -> tuple[Decimal | None, str | None]:
    from price_parser import Price

    p = Price.fromstring(text)
    return p.amount, _iso(p.currency)


def _same(got: Decimal | None, want: Decimal | None) -> bool:
    return (got is None) == (want is None) and (got is None or got == want)


def measure(verbose: bool = False) -> dict[str, tuple[int, int, int, int]]:
    """reader -> (amount values right, amount currencies right, amount rows, non-amounts kept out)."""
    readers = {
        "slots": lambda row: read_slots(row[0], row[1], row[2]),
        "price-parser": lambda row: read_price_parser(row[0]),
        "price-parser on the amount": lambda row: read_price_parser(row[5]),
    }
    out = {}
    for name, read in readers.items():
        values = currencies = 0
        for row in AMOUNTS:
            value, cur = read(row)
            ok_value, ok_cur = _same(value, row[3]), cur == row[4]
            values += ok_value
            currencies += ok_value and ok_cur
            if verbose and not (ok_value and ok_cur):
                print(f"  {name}: {row[0]!r} -> {value} {cur}, expected {row[3]} {row[4]}")
        kept_out = 0
        if name != "price-parser on the amount":
            for text, lang, locale, what in NOT_AMOUNTS:
                value, cur = read((text, lang, locale, None, None, text))
                kept_out += value is None
                if verbose and value is not None:
                    print(f"  {name}: {text!r} ({what}) -> read as {value} {cur}")
        out[name] = (values, currencies, len(AMOUNTS), kept_out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every row a reader gets wrong")
    args = ap.parse_args(argv)
    results = measure(args.verbose)
    print(f"{'reader':<28}{'value':>10}{'+currency':>12}{'non-amounts kept out':>24}")
    for name, (values, currencies, total, kept) in results.items():
        kept_cell = f"{kept}/{len(NOT_AMOUNTS)}" if name != "price-parser on the amount" else "-"
        print(f"{name:<28}{values:>6}/{total:<3}{currencies:>8}/{total:<3}{kept_cell:>24}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
