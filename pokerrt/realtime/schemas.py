"""Check a JSON value against the TypedDict that declares it (each app's ``events.py``).

Apps declare every event's ``data`` and every snapshot once, as TypedDicts;
the tests hold each event they produce to its declaration with
:func:`problems`. Declarations use the JSON types only: ``str``, ``int``,
``float``, ``bool``, ``None``, ``Any``, ``list[...]``, ``dict[str, ...]``,
``Literal[...]``, unions, nested TypedDicts, and ``NotRequired`` for keys
that are sometimes left out.
"""

import functools
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, Required, TypeVar, Union

Schema = TypeVar("Schema", bound=type)

# TypedDicts whose values may carry keys beyond those declared.
_open: set[type] = set()


def allow_extra_keys(schema: Schema) -> Schema:
    """Mark a TypedDict as open: keys it does not declare are welcome (PROTOCOL.md's ``{id, name, ...}``)."""
    _open.add(schema)
    return schema


@dataclass(frozen=True)
class _Fields:
    types: dict[str, Any]
    required: frozenset[str]
    open: bool


@functools.cache
def _fields(schema: type) -> _Fields:
    # include_extras keeps NotRequired even where ``from __future__ import
    # annotations`` made Python 3.11 forget it in __required_keys__.
    hints = typing.get_type_hints(schema, include_extras=True)
    fields, required = {}, set()
    for name, hint in hints.items():
        wrapper = typing.get_origin(hint)
        if wrapper in (NotRequired, Required):
            hint = typing.get_args(hint)[0]
        if wrapper is Required or (wrapper is not NotRequired and name in schema.__required_keys__):
            required.add(name)
        fields[name] = hint
    return _Fields(fields, frozenset(required), schema in _open)


def problems(schema: Any, value: Any, where: str = "data") -> list[str]:
    """What is wrong with ``value`` as a ``schema``, each naming its place (``data.seats[0].user``)."""
    if schema is Any:
        return []
    if schema is None or schema is type(None):
        return [] if value is None else [_wrong(where, "null", value)]
    if schema is bool:
        return [] if isinstance(value, bool) else [_wrong(where, "bool", value)]
    if schema is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [_wrong(where, "int", value)]
    if schema is float:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if number else [_wrong(where, "number", value)]
    if schema is str:
        return [] if isinstance(value, str) else [_wrong(where, "str", value)]
    if typing.is_typeddict(schema):
        return _object_problems(schema, value, where)
    origin, args = typing.get_origin(schema), typing.get_args(schema)
    if origin is typing.Annotated:
        return problems(args[0], value, where)
    if origin is Literal:
        # 1 == True in Python, not in the protocol: compare the types too.
        if any(value == choice and type(value) is type(choice) for choice in args):
            return []
        return [_wrong(where, " | ".join(repr(choice) for choice in args), value)]
    if origin in (Union, types.UnionType):
        if any(not problems(alternative, value, where) for alternative in args):
            return []
        return [_wrong(where, " | ".join(_name(alternative) for alternative in args), value)]
    if schema is list or origin is list:
        if not isinstance(value, list):
            return [_wrong(where, "list", value)]
        item = args[0] if args else Any
        return [p for i, element in enumerate(value) for p in problems(item, element, f"{where}[{i}]")]
    if schema is dict or origin is dict:
        if not isinstance(value, dict):
            return [_wrong(where, "object", value)]
        item = args[1] if args else Any
        return [p for key, element in value.items() for p in problems(item, element, f"{where}.{key}")]
    raise TypeError(f"{where}: {schema!r} is not a JSON type a schema can declare")


def _object_problems(schema: type, value: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [_wrong(where, schema.__name__, value)]
    fields = _fields(schema)
    found = [f"{where}.{name}: missing ({schema.__name__})" for name in sorted(fields.required - value.keys())]
    for name, element in value.items():
        if name in fields.types:
            found += problems(fields.types[name], element, f"{where}.{name}")
        elif not fields.open:
            found.append(f"{where}.{name}: not a field of {schema.__name__}")
    return found


def _name(schema: Any) -> str:
    if schema is None or schema is type(None):
        return "null"
    if typing.get_origin(schema) is not None:
        return repr(schema)
    return getattr(schema, "__name__", None) or repr(schema)


def _wrong(where: str, expected: str, value: Any) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{where}: expected {expected}, got {shown}"
