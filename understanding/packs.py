"""Language packs: one folder of data files per language, no code.

A pack is a folder named by its language code (``understanding/lang/en``,
``understanding/lang/fr``, or any folder given to :func:`register`) holding:

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
import threading
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

LANG_ROOT = Path(__file__).resolve().with_name("lang")

_lock = threading.Lock()
_extra: dict[str, Path] = {}
_generation = [0]


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

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


def register(path: Path | str) -> str:
    """Add the language pack in ``path`` (a folder named by its code, holding ``vocab.toml``);
    returns its code. Registering a folder again replaces it."""
    folder = Path(path).resolve()
    if not (folder / "vocab.toml").is_file():
        raise FileNotFoundError(f"{folder} holds no vocab.toml: not a language pack")
    code = folder.name.lower()
    with _lock:
        _extra[code] = folder
        _generation[0] += 1
        _load_all.cache_clear()
    logger.info("language pack %s registered from %s", code, folder)
    return code


def unregister(code: str) -> None:
    with _lock:
        if _extra.pop(code, None) is not None:
            _generation[0] += 1
            _load_all.cache_clear()


def generation() -> int:
    """Changes whenever the set of packs changes (caches built from packs key on it)."""
    return _generation[0]


def _folders() -> dict[str, Path]:
    out = {p.name: p for p in sorted(LANG_ROOT.iterdir()) if (p / "vocab.toml").is_file()}
    out.update(_extra)
    return out


@lru_cache(maxsize=1)
def _load_all() -> dict[str, Pack]:
    packs = {}
    for code, folder in _folders().items():
        with open(folder / "vocab.toml", "rb") as fh:
            packs[code] = Pack(code, folder, tomllib.load(fh))
    return packs


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
          "reading.calendar_year_marks", "reading.month_of", "reading.before_bare_month", "reading.before_year",
          "reading.money_after",
          "relative.ago_after", "relative.ago_before", "relative.ahead_after", "relative.ahead_before",
          "relative.month_year_link",
          "roles.earnings", "roles.earnings_after", "roles.submission_after", "roles.earnings_before", "roles.activity", "roles.activity_past", "roles.plan", "roles.plan_funds", "roles.submission",
          "segment.greetings", "segment.closings", "segment.joiners", "segment.question_words",
          "actions.one_word", "cancel.phrases", "cancel.polite", "followup.starts",
          "amounts.negative", "amounts.rebate_words", "amounts.coop_words", "amounts.split_cues",
          "amounts.not_money_after", "amounts.split_links", "amounts.on_amount"]
_TABLES = ["reading.seasons", "reading.part_of_year", "relative.days", "relative.units", "relative.before",
           "relative.after", "relative.weekdays", "relative.numbers", "relative.year_phrases", "amounts.currency_before",
           "amounts.currency_after"]


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
        for key in _LISTS:
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
