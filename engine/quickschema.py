"""A fast yes/no check of a document against our JSON Schemas, for the common case: a valid file.

Validating every knowledge base file with jsonschema cost more than the rest of a start together
(importing jsonschema and its dependencies, then validating). This module reads the same schema
files and answers one question, "is this document valid?", for the draft-07 keywords our schemas
use. When the answer is yes, nothing more is done; when it is no, engine/schemas.py runs
jsonschema itself for its detailed, file:line problems. So jsonschema stays the authority on
every message, and a valid knowledge base never imports it.

Any keyword this module does not know makes it decline (``None``), and jsonschema decides.
tests/test_quickschema.py checks that both agree on many broken variants of the shipped files.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from engine.paths import schemas_dir

#: Keywords that only describe or name things: they never make a document invalid.
_NOTES = frozenset({"$id", "$schema", "title", "description", "definitions", "x-message",
                    "$comment", "examples", "default"})

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}


class _Declined(Exception):
    """The schema uses something this checker does not implement."""


@cache
def _documents() -> dict[str, Any]:
    return {path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(schemas_dir().glob("*.schema.json"))}


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _same(a: Any, b: Any) -> bool:
    """JSON equality: true and 1 differ, as in jsonschema."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


class _Checker:
    def __init__(self) -> None:
        self.refs: dict[tuple[str, str], tuple[Any, str]] = {}
        #: id(schema) -> its checks, prepared once (the schemas live as long as the process).
        self.prepared: dict[int, tuple[Any, list[tuple[Any, Any]]]] = {}

    def resolve(self, ref: str, base: str) -> tuple[Any, str]:
        found = self.refs.get((ref, base))
        if found is None:
            name, _, pointer = ref.partition("#")
            name = name or base
            node = _documents().get(name)
            if node is None:
                raise _Declined(ref)
            for step in filter(None, pointer.split("/")):
                node = node[step.replace("~1", "/").replace("~0", "~")]
            found = self.refs[(ref, base)] = (node, name)
        return found

    def checks(self, schema: dict[str, Any]) -> list[tuple[Any, Any]]:
        entry = self.prepared.get(id(schema))
        if entry is None:
            prepared = []
            for keyword, argument in schema.items():
                if keyword in _NOTES or keyword in ("then", "else"):
                    continue
                check = _KEYWORDS.get(keyword)
                if check is None:
                    raise _Declined(keyword)
                prepared.append((check, argument))
            entry = self.prepared[id(schema)] = (schema, prepared)
        return entry[1]

    def valid(self, schema: Any, value: Any, base: str) -> bool:
        if schema is True:
            return True
        if schema is False:
            return False
        if "$ref" in schema:  # draft-07: $ref replaces every sibling keyword
            target, target_base = self.resolve(schema["$ref"], base)
            return self.valid(target, value, target_base)
        for check, argument in self.checks(schema):
            if not check(self, argument, value, schema, base):
                return False
        return True


def _type(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    names = arg if isinstance(arg, list) else [arg]
    return any(_TYPES[name](value) for name in names)


def _properties(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    return not isinstance(value, dict) or all(
        c.valid(sub, value[key], base) for key, sub in arg.items() if key in value)


def _additional(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    if not isinstance(value, dict):
        return True
    if "patternProperties" in schema:
        raise _Declined("patternProperties")
    known = schema.get("properties", {})
    return all(c.valid(arg, item, base) for key, item in value.items() if key not in known)


def _dependencies(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    if not isinstance(value, dict):
        return True
    for key, need in arg.items():
        if key in value:
            if isinstance(need, list):
                if any(name not in value for name in need):
                    return False
            elif not c.valid(need, value, base):
                return False
    return True


def _items(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    if isinstance(arg, list):
        raise _Declined("items as a list")
    return not isinstance(value, list) or all(c.valid(arg, item, base) for item in value)


def _unique(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    if not arg or not isinstance(value, list):
        return True
    return not any(_same(value[i], value[j])
                   for i in range(len(value)) for j in range(i + 1, len(value)))


def _if(c: _Checker, arg: Any, value: Any, schema: Any, base: str) -> bool:
    branch = "then" if c.valid(arg, value, base) else "else"
    return branch not in schema or c.valid(schema[branch], value, base)


_KEYWORDS: dict[str, Any] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": lambda c, arg, v, s, b: not isinstance(v, dict) or all(k in v for k in arg),
    "minProperties": lambda c, arg, v, s, b: not isinstance(v, dict) or len(v) >= arg,
    "dependencies": _dependencies,
    "items": _items,
    "minItems": lambda c, arg, v, s, b: not isinstance(v, list) or len(v) >= arg,
    "uniqueItems": _unique,
    "minLength": lambda c, arg, v, s, b: not isinstance(v, str) or len(v) >= arg,
    "pattern": lambda c, arg, v, s, b: not isinstance(v, str) or bool(_pattern(arg).search(v)),
    "enum": lambda c, arg, v, s, b: any(_same(v, option) for option in arg),
    "const": lambda c, arg, v, s, b: _same(v, arg),
    "allOf": lambda c, arg, v, s, b: all(c.valid(sub, v, b) for sub in arg),
    "anyOf": lambda c, arg, v, s, b: any(c.valid(sub, v, b) for sub in arg),
    "oneOf": lambda c, arg, v, s, b: sum(c.valid(sub, v, b) for sub in arg) == 1,
    "not": lambda c, arg, v, s, b: not c.valid(arg, v, b),
    "if": _if,
}


@cache
def _checker() -> _Checker:
    return _Checker()


def is_valid(kind: str, document: Any) -> bool | None:
    """Whether ``document`` satisfies ``<kind>.schema.json``; None when this checker cannot tell."""
    name = f"{kind}.schema.json"
    schema = _documents().get(name)
    if schema is None:
        return None
    try:
        return _checker().valid(schema, document, name)
    except (_Declined, KeyError, TypeError, re.error, RecursionError):
        return None
