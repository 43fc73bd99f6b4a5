"""Bot Framework models (``Activity`` and the rest of ``botbuilder.schema``) to and from JSON,
fast.

msrest's ``Serializer`` costs about 1 ms per reply activity with an Adaptive Card: ``body()``
first rebuilds the whole model through a ``Deserializer`` and validates it, then
``_serialize()`` walks every attribute through several layers of generic dispatch. This module
produces the same dict by walking each class's ``_attribute_map`` once per class (a cached
plan) and copying plain JSON values directly.

It handles exactly the shapes the schema uses (models, ``[T]``, ``{T}``, ``str``/``bool``/
``int``/``float``, ``object`` holding plain JSON, ``iso-8601`` and the other msrest scalar
types); anything else (a dict where a model is declared, an exotic value inside an ``object``)
makes it hand the *whole* model to msrest, so the output, or the error, is msrest's own.
``tests/test_wire.py`` checks that both agree.

:func:`model_from_json` is the other way, for the incoming activity: msrest's
``Model.deserialize`` (~0.3 ms for a Teams message) runs a chain of key extractors, copies
every attribute description and dispatches each value by its declared type name; here a
cached plan per class reads the camelCase keys, and values of the declared JSON type are
taken as they are (``object`` values copied by the same ``_object`` that serializes them,
timestamps as msrest's ``deserialize_iso`` gives them). A value of another type than declared
(a number where a string is declared, a string where a list is) makes it hand the whole
payload to msrest, which converts or refuses it its own way.

    >>> from botbuilder.schema import Activity, ChannelAccount
    >>> model_json(Activity(type="message", text="hi", from_property=ChannelAccount(id="b")))
    {'type': 'message', 'from': {'id': 'b'}, 'text': 'hi'}
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Callable

from botbuilder.core.serializer_helper import DEPENDICIES_DICT
from isodate.isotzinfo import build_tzinfo
from msrest import Deserializer, Serializer
from msrest.serialization import Model

__all__ = ["model_json", "model_from_json", "compact_json"]

# one encoder (json.dumps with options builds a new one each call, ~20 us for a card)
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_json(value: Any) -> str:
    """JSON text without padding or ``\\u`` escapes (a response body, a kept card): a card is
    several KB, mostly French or English prose, which escapes would make slower and longer."""
    return _COMPACT.encode(value)


# The dependencies botbuilder's serializer_helper uses (every botbuilder.schema and connector
# model, Teams included): the same class lookup as msrest, for the fallback too.
_MSREST = Serializer(DEPENDICIES_DICT)
_FLATTEN = re.compile(r"(?<!\\)\.")


class _Fallback(Exception):
    """A value this module does not reproduce exactly (either way: a model to JSON, JSON of
    another type than declared to a model); msrest does the whole model instead."""


def _unicode(value: Any) -> str:
    if type(value) is str:
        return value
    try:  # msrest: an enum gives its value
        return value.value
    except AttributeError:
        return str(value)


def _object(value: Any) -> Any:
    """msrest's ``serialize_object`` for plain JSON (exact dict/list/str/int/float/bool/None)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        return {key if type(key) is str else _unicode(key): _object(item)
                for key, item in value.items()}
    if kind is list:
        return [_object(item) for item in value]
    raise _Fallback  # models, datetimes, Decimals, subclasses, ...: msrest's own rules


_BASIC: dict[str, Callable[[Any], Any]] = {"str": _unicode, "bool": bool, "int": int,
                                           "float": float, "object": _object}


def _converter(data_type: str) -> Callable[[Any], Any]:
    """A function turning one non-None value of ``data_type`` into JSON, as msrest would."""
    basic = _BASIC.get(data_type)
    if basic is not None:
        return basic
    special = _MSREST.serialize_type.get(data_type)  # iso-8601, date, duration, long, ...
    if special is not None:
        return lambda value: special(value)
    declared = DEPENDICIES_DICT.get(data_type)
    if isinstance(declared, type) and issubclass(declared, Enum):
        return lambda value: Serializer.serialize_enum(value, enum_obj=declared)
    if len(data_type) > 2 and data_type[0] + data_type[-1] == "[]":
        item = _converter(data_type[1:-1])

        def convert_list(value: Any) -> list:
            if isinstance(value, str):
                raise _Fallback
            return [None if v is None else item(v) for v in value]

        return convert_list
    if len(data_type) > 2 and data_type[0] + data_type[-1] == "{}":
        item = _converter(data_type[1:-1])
        return lambda value: {_unicode(k): None if v is None else item(v)
                              for k, v in value.items()}
    if isinstance(declared, type) and issubclass(declared, Model):
        return _model
    raise _Fallback


_PLANS: dict[type, list[tuple[str, str, Callable[[Any], Any]]]] = {}


def _plan(cls: type) -> list[tuple[str, str, Callable[[Any], Any]]]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        validation = getattr(cls, "_validation", {}) or {}
        for attr, desc in cls._attribute_map.items():
            if validation.get(attr, {}).get("readonly", False):
                continue  # msrest leaves read-only attributes out of requests
            key = desc["key"]
            if not key or len(_FLATTEN.split(key)) != 1 or "\\" in key:
                raise _Fallback  # additional_properties / flattened keys: not in this schema
            plan.append((attr, key, _converter(desc["type"])))
        _PLANS[cls] = plan
    return plan


def _model(value: Any) -> dict:
    # msrest serializes a model by its own class's map, whatever type was declared.
    if not isinstance(value, Model) or getattr(value, "is_xml_model", lambda: False)():
        raise _Fallback
    out = {}
    for attr, key, convert in _plan(type(value)):
        item = getattr(value, attr)
        if item is not None:
            try:
                out[key] = convert(item)
            except (ValueError, TypeError, AttributeError, KeyError) as error:
                raise _Fallback from error  # msrest skips or reports it its own way
    return out


def model_json(model: Model) -> dict:
    """``model`` (a botbuilder schema model) as msrest would serialize it for a request body,
    as plain JSON types (camelCase keys, ``None`` attributes left out)."""
    try:
        return _model(model)
    except _Fallback:
        return _MSREST._serialize(model)  # pylint: disable=protected-access


# --------------------------------------------------------------------------- JSON -> model


def _exactly(kind: type) -> Callable[[Any], Any]:
    """A reader taking values of exactly ``kind`` (msrest also converts others: a bool from 0,
    1, "true"; a str from a number); anything else goes to msrest."""
    def read(value: Any) -> Any:
        if type(value) is not kind:
            raise _Fallback
        return value
    return read


def _read_float(value: Any) -> float:
    if type(value) is not float and type(value) is not int:
        raise _Fallback
    return float(value)


# The timestamps channels send ("2026-11-27T09:30:01.120Z", "...T04:30:01.120-05:00"): read
# here as msrest reads them (isodate's datetime, with isodate's own UTC or FixedOffset); any
# other form goes to msrest's deserialize_iso.
_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
                    r"(Z|([+-])(\d{2}):(\d{2}))")


@lru_cache(maxsize=256)
def _zone(name: str, sign: str, hours: int, minutes: int) -> Any:
    return build_tzinfo(name, sign, hours, minutes)  # isodate's UTC or FixedOffset, as msrest's


def _read_iso(value: Any) -> Any:
    if type(value) is not str:
        raise _Fallback
    m = _STAMP.fullmatch(value)
    if m is not None and 1 < int(m.group(1)) < 9999:
        try:
            zone = _zone(m.group(8), m.group(9) or "+", int(m.group(10) or 0), int(m.group(11) or 0))
            return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                            int(m.group(5)), int(m.group(6)), int((m.group(7) or "0").ljust(6, "0")),
                            tzinfo=zone)
        except ValueError:
            pass  # a day that does not exist: msrest's error
    try:
        return Deserializer.deserialize_iso(value)
    except Exception as error:  # msrest reports a bad timestamp its own way
        raise _Fallback from error


_READ_BASIC: dict[str, Callable[[Any], Any]] = {"str": _exactly(str), "bool": _exactly(bool),
                                                "int": _exactly(int), "float": _read_float,
                                                "object": _object, "iso-8601": _read_iso}


def _reader(data_type: str, models: dict) -> Callable[[Any], Any]:
    basic = _READ_BASIC.get(data_type)
    if basic is not None:
        return basic
    if len(data_type) > 2 and data_type[0] + data_type[-1] in ("[]", "{}"):
        inner = data_type[1:-1]
        holder: list = []

        def item(value: Any) -> Any:  # resolved on first use: models refer to each other
            if not holder:
                holder.append(_reader(inner, models))
            return None if value is None else holder[0](value)

        if data_type[0] == "[":
            def read_list(value: Any) -> list:
                if type(value) is not list:
                    raise _Fallback
                return [item(v) for v in value]
            return read_list

        def read_dict(value: Any) -> dict:
            if type(value) is not dict:
                raise _Fallback  # msrest also takes a list of key/value pairs
            return {k: item(v) for k, v in value.items()}
        return read_dict
    declared = models.get(data_type)
    if isinstance(declared, type) and issubclass(declared, Model) and not issubclass(declared, Enum):
        return lambda value: _read_model(declared, value, models)
    raise _Fallback  # an enum, a date, a duration...: not in the incoming activity's schema


_READ_PLANS: dict[type, tuple[list, frozenset]] = {}


def _read_plan(cls: type, models: dict) -> tuple[list, frozenset]:
    plan = _READ_PLANS.get(cls)
    if plan is None:
        if getattr(cls, "_subtype_map", None) or getattr(cls, "_validation", None):
            raise _Fallback  # polymorphic or validated models: msrest's rules
        steps = []
        for attr, desc in cls._attribute_map.items():
            key = desc["key"]
            if not key or len(_FLATTEN.split(key)) != 1 or "\\" in key:
                raise _Fallback
            steps.append((attr, key, _reader(desc["type"], models)))
        plan = (steps, frozenset(key for _, key, _ in steps))
        _READ_PLANS[cls] = plan
    return plan


def _read_model(cls: type, data: Any, models: dict) -> Model:
    if type(data) is not dict:
        raise _Fallback
    steps, known = _read_plan(cls, models)
    kwargs = {}
    for attr, key, read in steps:
        value = data.get(key)
        kwargs[attr] = None if value is None else read(value)
    obj = cls(**kwargs)
    if not known.issuperset(data):  # msrest keeps the keys its map does not know, as they came
        obj.additional_properties = {key: value for key, value in data.items() if key not in known}
    return obj


def model_from_json(cls: type, data: Any) -> Model:
    """``cls.deserialize(data)`` (msrest, a botbuilder schema model from parsed JSON): the same
    object, or msrest's own ``DeserializationError``."""
    models = _MODELS.get(cls)
    if models is None:
        models = _MODELS[cls] = cls._infer_class_models()
    try:
        return _read_model(cls, data, models)
    except (_Fallback, RecursionError):
        return cls.deserialize(data)


_MODELS: dict[type, dict] = {}
