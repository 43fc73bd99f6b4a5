"""Language packs: one folder of data files per language, no code.

A pack is a folder named by its language code (``understanding/lang/en``,
``understanding/lang/fr``, or any folder registered with :mod:`understanding.registry`, the
one registry, e.g. through ``COOP_LANG_PATH``) holding, beside its ``messages.po``:

- ``vocab.toml``: the cue words the one reading engine uses (months, ordinals, relative
  time, date roles, greetings and signatures, amounts and splits, cancel phrases);
- ``intents/<intent>.txt``: labelled utterances, one per line, that the classifier learns;
- ``model.json``: the classifier trained from them by ``python -m understanding.train``.

Every message is read with the words of *all* packs together (partners mix languages:
"deadline pour les fonds de mai 2024"); a pack's own words also decide which language a
message is written in (:mod:`understanding.detect`).

>>> sorted(available())[:2]
['en', 'fr']
>>> "janvier" in vocab().months_by_word
True
"""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import registry

logger = logging.getLogger(__name__)

LANG_ROOT = Path(__file__).resolve().with_name("lang")
_registered: dict[str, Path] = {}  # code -> folder, for unregister()


@dataclass(frozen=True)
class Pack:
    code: str
    folder: Path
    data: dict[str, Any]

    @property
    def intents_dir(self) -> Path:
        return self.folder / "intents"

    @property
    def model_path(self) -> Path:
        return self.folder / "model.json"

    @property
    def planner_model_path(self) -> Path:
        """The planner's commands against everything else (``understanding.classifier``)."""
        return self.folder / "planner_model.json"

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


def register(path: Path | str) -> str:
    """Add the language pack in ``path`` (a folder named by its code, holding ``messages.po``
    and ``vocab.toml``) to the one registry (:mod:`understanding.registry`); returns its code."""
    folder = Path(path).resolve()
    if not (folder / "vocab.toml").is_file():
        raise FileNotFoundError(f"{folder} holds no vocab.toml: not a language pack understanding can read")
    codes = registry.register(folder)
    code = codes[0] if codes else folder.name
    _registered[code] = folder
    logger.info("language pack %s registered from %s", code, folder)
    return code


def unregister(code: str) -> None:
    folder = _registered.pop(code, None)
    if folder is not None:
        registry.unregister(folder)


def generation() -> int:
    """Changes whenever the set of packs changes (caches built from packs key on it)."""
    return registry.generation()


@lru_cache(maxsize=8)
def _load_all_at(gen: int) -> dict[str, Pack]:
    packs_ = {}
    for code, folder in registry.packs().items():
        vocab_file = Path(folder) / "vocab.toml"
        if vocab_file.is_file():  # a pack may only translate sentences; understanding needs its words
            with open(vocab_file, "rb") as fh:
                packs_[code] = Pack(code, Path(folder), tomllib.load(fh))
    return dict(sorted(packs_.items(), key=lambda kv: (kv[0] != registry.DEFAULT, kv[0])))


def _load_all() -> dict[str, Pack]:
    return _load_all_at(generation())


def available() -> list[str]:
    """The codes of every loaded language pack."""
    return list(_load_all())


def pack(code: str) -> Pack:
    return _load_all()[code]


def packs() -> list[Pack]:
    return list(_load_all().values())


# ------------------------------------------------------------------------------------------
# the words of every pack together


def _words(items: Any) -> list[str]:
    return [str(w) for w in items] if isinstance(items, (list, tuple)) else []


@dataclass
class Vocab:
    """The cue words of all packs, merged (lists are unions, tables are merged)."""

    months_by_word: dict[str, int] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    ordinals: dict[int, list[str]] = field(default_factory=dict)

    def words(self, dotted: str) -> list[str]:
        return self.lists.get(dotted, [])

    def table(self, dotted: str) -> dict[str, Any]:
        return self.tables.get(dotted, {})


_LISTS = ["reading.ambiguous_months", "reading.day_suffixes", "reading.second_half_words", "reading.of", "reading.the",
          "reading.range_open", "reading.range_sep", "reading.year_link", "reading.half_words", "reading.half_letters",
          "reading.quarter_words", "reading.quarter_letters", "reading.fy_words", "reading.calendar_year",
          "reading.calendar_year_marks", "reading.week_words", "reading.between", "reading.corrections", "reading.month_of", "reading.before_bare_month", "reading.before_year",
          "reading.money_after",
          "relative.ago_after", "relative.ago_before", "relative.ahead_after", "relative.ahead_before",
          "relative.month_year_link",
          "roles.earnings", "roles.earnings_after", "roles.submission_after", "roles.earnings_before", "roles.activity", "roles.activity_past", "roles.plan", "roles.plan_funds", "roles.submission", "roles.submission_message", "roles.activity_compound_ends", "roles.asserted_after", "roles.earnings_compound_ends",
          "roles.submission_verbs", "roles.activity_past_weak", "roles.distractor", "roles.own_year", "roles.own_year_not", "roles.asserted_self", "roles.comparison", "roles.not_coop", "roles.date_of", "roles.submission_in", "roles.dictated_before", "roles.asserted_before", "roles.deadline_words", "roles.copula", "roles.asserted_month_before", "reading.calendar_marks", "reading.label_links", "segment.request_starts", "segment.request_inside", "segment.back_refs", "followup.next", "followup.previous",
          "segment.greetings", "segment.closings", "segment.joiners", "segment.question_words", "segment.question_words_wh", "segment.asked_nouns",
          "actions.one_word", "actions.subscribe", "actions.unsubscribe", "actions.list_reminders", "actions.calendar", "actions.forget", "actions.plan_track", "actions.plan_list", "actions.plan_claimed", "actions.plan_remove", "actions.plan_edit", "actions.plan_budget", "actions.plan_export", "cancel.phrases", "cancel.polite", "followup.starts",
          "amounts.negative", "amounts.rebate_words", "amounts.coop_words", "amounts.split_cues",
          "amounts.not_money_after", "amounts.split_links", "amounts.on_amount", "amounts.currency_codes",
          "amounts.not_money_before", "amounts.part_after", "amounts.part_before", "amounts.part_nouns",
          "amounts.part_asked", "amounts.part_not", "amounts.how_much",
          "roles.claim_now", "yesno.still", "yesno.too_late", "yesno.starts", "yesno.tags", "yesno.fundable_uses", "links.create_claim", "links.core_requirements", "links.guidebook", "links.cpor"]
_TABLES = ["reading.seasons", "reading.part_of_year", "relative.days", "relative.units", "relative.before",
           "relative.after", "relative.weekdays", "relative.phrases", "relative.numbers", "relative.year_phrases", "amounts.currency_before",
           "amounts.currency_after", "amounts.multipliers"]


# tables whose word lists are merged whatever their names (a new list there is data only)
_FREE_TABLES = ("mail", "distractors", "followup", "rules", "topic", "planner", "confirm")


def _free_lists(data: dict[str, Any]) -> list[str]:
    """The dotted keys of the word lists under :data:`_FREE_TABLES` (``mail.pointers``,
    ``followup.in_language.fr``...), one level of sub-tables deep."""
    out = []
    for table in _FREE_TABLES:
        node = data.get(table)
        if not isinstance(node, dict):
            continue
        for k, val in node.items():
            if isinstance(val, list):
                out.append(f"{table}.{k}")
            elif isinstance(val, dict):
                out += [f"{table}.{k}.{k2}" for k2, v2 in val.items() if isinstance(v2, list)]
    return out


@lru_cache(maxsize=8)
def _vocab(gen: int) -> Vocab:
    v = Vocab()
    for p in packs():
        for month, words in (p.get("months") or {}).items():
            for w in _words(words):
                v.months_by_word.setdefault(w, int(month))
        for n, words in (p.get("reading.ordinals") or {}).items():
            v.ordinals.setdefault(int(n), [])
            v.ordinals[int(n)] += [w for w in _words(words) if w not in v.ordinals[int(n)]]
        for key in _LISTS + _free_lists(p.data):
            acc = v.lists.setdefault(key, [])
            acc += [w for w in _words(p.get(key)) if w not in acc]
        for key in _TABLES:
            acc = v.tables.setdefault(key, {})
            for k, val in (p.get(key) or {}).items():
                if isinstance(val, list) and isinstance(acc.get(k), list) and key == "relative.units":
                    acc[k] = acc[k] + [w for w in val if w not in acc[k]]
                else:
                    acc.setdefault(k, val)
    return v


def vocab() -> Vocab:
    return _vocab(generation())


def words_pattern(*keys: str) -> re.Pattern[str]:
    """One compiled pattern matching any word of the packs' lists ``keys`` as whole words, in
    folded text (built once per pack generation: the cue checks of every turn use it).

    >>> bool(words_pattern("yesno.too_late").search("is it too late to claim?"))
    True
    """
    return _words_pattern(keys, generation())


@lru_cache(maxsize=128)
def _words_pattern(keys: tuple[str, ...], gen: int) -> re.Pattern[str]:
    v = vocab()
    words = sorted({w for key in keys for w in v.words(key)}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])")


def stems_pattern(*keys: str) -> re.Pattern[str]:
    """Like :func:`words_pattern`, but each word of the lists is a word's *start* (stems such as
    "rappel" match "rappelle-moi", "remind" matches "reminders"), built once per pack generation.

    >>> bool(stems_pattern("actions.subscribe").search("please remind me"))
    True
    """
    return _stems_pattern(keys, generation())


@lru_cache(maxsize=128)
def _stems_pattern(keys: tuple[str, ...], gen: int) -> re.Pattern[str]:
    v = vocab()
    words = sorted({w for key in keys for w in v.words(key)}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in words) + r")")

