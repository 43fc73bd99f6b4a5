"""Every user-visible sentence of the reminders, one catalogue per language (en, fr).

Kept here until ``understanding.messages`` (owned by the understanding package) absorbs it:
the catalogues below are plain dicts of ``str.format`` templates so they merge as they are.
Dates are formatted by Babel for the user's locale; FY labels are given in both conventions
with the calendar months they mean (SPEC rule 8), and every claim reminder carries the
proof-of-execution retention sentence (SPEC rule 9).

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

SUPPORTED = ("en", "fr")
DEFAULT_LOCALE = {"en": "en-US", "fr": "fr-FR"}

CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "title": "**Co-op reminder**",
        "claim_open": "The claiming window for co-op funds earned {earning} ({labels}) **is open** "
                      "from {start} until {end}.",
        "claim_close": "**{days} days left** to claim co-op funds earned {earning} ({labels}): "
                       "the claiming window closes on {end}.",
        "claim_close_one": "**Last day tomorrow** to claim co-op funds earned {earning} ({labels}): "
                           "the claiming window closes on {end}.",
        "claim_close_today": "**Last day today** to claim co-op funds earned {earning} ({labels}): "
                             "the claiming window closes on {end}.",
        "forfeiture": "Co-op funds earned {earning} ({labels}) that are not used by {end} "
                      "(end of the usage period, {days} days left) **are forfeited**.",
        "labels": "{label}; {other} in {other_name} naming",
        "convention.seed": "the seed table's",
        "convention.microsoft": "Microsoft's fiscal-year",
        "poe": "Keep the original proof-of-execution documents for {months} months after each "
               "activity date.",
        "footer": 'Say "stop reminders" to stop these messages.',
        "subscribed": "Done: I will remind you before co-op deadlines. Next reminder: {next_date}.",
        "subscribed_no_next": "Done: I will remind you before co-op deadlines.",
        "unsubscribed": "Reminders are off. Say \"remind me\" to turn them back on.",
        "not_subscribed": "You have no reminders. Say \"remind me\" to get one before each "
                          "co-op deadline.",
        "listing": "Reminders are on for this conversation. Next reminder: {next_date}.",
        "calendar": "Add the co-op deadlines to your calendar: {url}",
        "months": "{first} – {last}",
    },
    "fr": {
        "title": "**Rappel co-op**",
        "claim_open": "La période de réclamation des fonds co-op gagnés {earning} ({labels}) "
                      "**est ouverte** du {start} au {end}.",
        "claim_close": "**Plus que {days} jours** pour réclamer les fonds co-op gagnés {earning} "
                       "({labels}) : la période de réclamation se termine le {end}.",
        "claim_close_one": "**Dernier jour demain** pour réclamer les fonds co-op gagnés {earning} "
                           "({labels}) : la période de réclamation se termine le {end}.",
        "claim_close_today": "**Dernier jour aujourd'hui** pour réclamer les fonds co-op gagnés "
                             "{earning} ({labels}) : la période de réclamation se termine le {end}.",
        "forfeiture": "Les fonds co-op gagnés {earning} ({labels}) qui ne sont pas utilisés d'ici "
                      "le {end} (fin de la période d'utilisation, encore {days} jours) "
                      "**sont perdus**.",
        "labels": "{label} ; {other} selon {other_name}",
        "convention.seed": "la convention du tableau de la documentation",
        "convention.microsoft": "l'exercice fiscal de Microsoft",
        "poe": "Conservez les documents originaux de preuve d'exécution pendant {months} mois "
               "après la date de chaque activité.",
        "footer": "Dites « arrêter les rappels » pour ne plus recevoir ces messages.",
        "subscribed": "C'est fait : je vous rappellerai les échéances co-op. Prochain rappel : "
                      "{next_date}.",
        "subscribed_no_next": "C'est fait : je vous rappellerai les échéances co-op.",
        "unsubscribed": "Les rappels sont désactivés. Dites « rappelle-moi » pour les réactiver.",
        "not_subscribed": "Vous n'avez aucun rappel. Dites « rappelle-moi » pour être prévenu "
                          "avant chaque échéance co-op.",
        "listing": "Les rappels sont activés pour cette conversation. Prochain rappel : "
                   "{next_date}.",
        "calendar": "Ajoutez les échéances co-op à votre agenda : {url}",
        "months": "de {first} à {last}",
    },
}


def _lang(lang: str | None) -> str:
    lang = (lang or "en").split("-")[0].lower()
    return lang if lang in SUPPORTED else "en"


def _locale(lang: str, locale: str | None) -> str:
    if locale and locale.split("-")[0].lower() == lang:
        return locale.replace("-", "_")
    return DEFAULT_LOCALE[lang].replace("-", "_")


def text(lang: str | None, key: str, **values) -> str:
    return CATALOGUE[_lang(lang)][key].format(**values)


def fmt_date(day: date, lang: str | None, locale: str | None = None) -> str:
    """A date in the user's locale, Babel's long format (``August 15, 2022``, ``15 août 2022``)."""
    lang = _lang(lang)
    return format_date(day, format="long", locale=_locale(lang, locale))


def _months(first: date, last: date, lang: str, locale: str | None) -> str:
    loc = _locale(lang, locale)
    f = format_date(first, "MMMM yyyy", locale=loc) if first.year != last.year else format_date(first, "MMMM", locale=loc)
    return CATALOGUE[lang]["months"].format(first=f, last=format_date(last, "MMMM yyyy", locale=loc))


def _labels(cycle, lang: str, convention: str) -> str:
    cal = calendar()
    other = "microsoft" if convention == "seed" else "seed"
    return CATALOGUE[lang]["labels"].format(
        label=cal.fy_label(cycle.earning, convention), other=cal.fy_label(cycle.earning, other),
        other_name=CATALOGUE[lang][f"convention.{other}"])


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
    return CATALOGUE[lang][key].format(**values)


def digest_text(items: Sequence, as_of: date, lang: str | None, locale: str | None = None,
                convention: str = "seed") -> str:
    """The single message a subscriber gets for everything due in one sweep."""
    lang = _lang(lang)
    lines = [CATALOGUE[lang]["title"]]
    lines += [f"- {item_text(i, as_of, lang, locale, convention)}" for i in sorted(items)]
    if any(i.kind in ("claim_open", "claim_close") for i in items):
        lines.append(CATALOGUE[lang]["poe"].format(months=load_policy().retention.poe_months))
    lines.append(CATALOGUE[lang]["footer"])
    return "\n".join(lines)


def confirm_subscribed(lang: str | None, next_date: date | None, locale: str | None = None) -> str:
    if next_date is None:
        return text(lang, "subscribed_no_next")
    return text(lang, "subscribed", next_date=fmt_date(next_date, _lang(lang), locale))


def confirm_unsubscribed(lang: str | None) -> str:
    return text(lang, "unsubscribed")


def list_reminders(lang: str | None, active: bool, next_date: date | None,
                   locale: str | None = None) -> str:
    if not active:
        return text(lang, "not_subscribed")
    if next_date is None:
        return text(lang, "subscribed_no_next")
    return text(lang, "listing", next_date=fmt_date(next_date, _lang(lang), locale))


def calendar_link(lang: str | None, url: str) -> str:
    return text(lang, "calendar", url=url)


def calendar_names(lang: str | None) -> dict[str, str]:
    """Event titles of the .ics file."""
    return _CAL_NAMES[_lang(lang)]


_CAL_NAMES = {
    "en": {"calname": "Co-op funds deadlines",
           "window": "Co-op claiming window – funds earned {earning} ({label})",
           "deadline": "Co-op claim deadline – funds earned {earning} ({label})",
           "forfeiture": "Last day to use co-op funds earned {earning} ({label}): unused funds are forfeited",
           "alarm": "{title} – in {days} days",
           "alarm_one": "{title} – tomorrow"},
    "fr": {"calname": "Échéances des fonds co-op",
           "window": "Période de réclamation co-op – fonds gagnés {earning} ({label})",
           "deadline": "Date limite de réclamation co-op – fonds gagnés {earning} ({label})",
           "forfeiture": "Dernier jour pour utiliser les fonds co-op gagnés {earning} ({label}) : les fonds non utilisés sont perdus",
           "alarm": "{title} – dans {days} jours",
           "alarm_one": "{title} – demain"},
}


def months_text(first: date, last: date, lang: str | None, locale: str | None = None) -> str:
    lang = _lang(lang)
    return _months(first, last, lang, locale)


def all_languages() -> Iterable[str]:
    return SUPPORTED
