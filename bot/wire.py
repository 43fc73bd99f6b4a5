"""Bot Framework models (``Activity`` and the rest of ``botbuilder.schema``) as JSON-ready dicts,
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

    >>> from botbuilder.schema import Activity, ChannelAccount
    >>> model_json(Activity(type="message", text="hi", from_property=ChannelAccount(id="b")))
    {'type': 'message', 'from': {'id': 'b'}, 'text': 'hi'}
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Callable

from botbuilder.core.serializer_helper import DEPENDICIES_DICT
from msrest import Serializer
from msrest.serialization import Model

__all__ = ["model_json"]

# The dependencies botbuilder's serializer_helper uses (every botbuilder.schema and connector
# model, Teams included): the same class lookup as msrest, for the fallback too.
_MSREST = Serializer(DEPENDICIES_DICT)
_FLATTEN = re.compile(r"(?<!\\)\.")


class _Fallback(Exception):
    """A value this module does not reproduce exactly; msrest serializes the model instead."""


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
