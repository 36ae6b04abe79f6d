"""A fast yes/no check of a document against our JSON Schemas, for the common case: a valid file.

Why it is hand-written: checking the files loaded before the first question takes 12 ms here
(import and check), against 200 ms with jsonschema (importing it and its dependencies, building
the validators, checking) and 280 ms with fastjsonschema (which compiles each schema to Python
code at run time): tests/bench/loading.py, fresh processes, this project's machine. That is most
of a start, and every start pays it.

This module reads the same schema files and answers one question, "is this document valid?", for
the draft-07 keywords our schemas use. When the answer is yes, nothing more is done; when it is
no, engine/load/schemas.py runs jsonschema itself for its detailed, file:line problems. So
jsonschema stays the authority on every message, and a valid knowledge base never imports it.

Any keyword this module does not know makes it decline (``None``), and jsonschema decides.
tests/engine/load/test_fast_loading.py checks that both agree on many broken variants of the
shipped files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from engine.load.paths import schemas_dir

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


Check = Callable[[Any], bool]


class _Compiler:
    """Turns each schema node into one Python function, once per process.

    Walking the schema for every value cost as much as parsing the files; a compiled check does
    only the keyword tests, and a knowledge base is checked against the same few schemas on every
    start. A ``$ref`` becomes a function that compiles its target on first use, so recursive
    definitions (a condition holds conditions) need no special case.
    """

    def __init__(self) -> None:
        #: (id of a schema node, its file) -> its check. The nodes belong to the schema files
        #: read once per process (_documents), so an id is never reused for another node.
        self.compiled: dict[tuple[int, str], Check] = {}

    def resolve(self, ref: str, base: str) -> tuple[Any, str]:
        name, _, pointer = ref.partition("#")
        name = name or base
        node = _documents().get(name)
        if node is None:
            raise _Declined(ref)
        for step in filter(None, pointer.split("/")):
            node = node[step.replace("~1", "/").replace("~0", "~")]
        return node, name

    def check(self, schema: Any, base: str) -> Check:
        key = (id(schema), base)
        found = self.compiled.get(key)
        if found is None:
            found = self.compiled[key] = self._compile(schema, base)
        return found

    def _compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Declined(repr(schema))
        if "$ref" in schema:  # draft-07: $ref replaces every sibling keyword
            return self._ref(schema["$ref"], base)
        checks = []
        for keyword, argument in schema.items():
            if keyword in _NOTES or keyword in ("then", "else"):
                continue
            make = _KEYWORDS.get(keyword)
            if make is None:
                raise _Declined(keyword)
            checks.append(make(self, argument, schema, base))
        if len(checks) == 1:
            return checks[0]

        def every(value: Any) -> bool:
            for check in checks:  # noqa: SIM110 - a loop: all() over a generator costs 2x
                if not check(value):
                    return False
            return True

        return every

    def _ref(self, ref: str, base: str) -> Check:
        target: list[Check] = []

        def follow(value: Any) -> bool:
            if not target:
                target.append(self.check(*self.resolve(ref, base)))
            return target[0](value)

        return follow


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


Make = Callable[[_Compiler, Any, dict[str, Any], str], Check]


def _type(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    tests = [_TYPES[name] for name in (arg if isinstance(arg, list) else [arg])]
    if len(tests) == 1:
        return tests[0]  # type: ignore[no-any-return]
    return lambda value: any(test(value) for test in tests)


def _properties(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    checks = [(key, c.check(sub, base)) for key, sub in arg.items()]

    def properties(value: Any) -> bool:
        if isinstance(value, dict):
            for key, check in checks:
                if key in value and not check(value[key]):
                    return False
        return True

    return properties


def _additional(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    if "patternProperties" in schema:
        raise _Declined("patternProperties")
    known = frozenset(schema.get("properties", {}))
    check = c.check(arg, base)
    return lambda value: not isinstance(value, dict) or all(
        check(item) for key, item in value.items() if key not in known)


def _dependencies(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    needs = [(key, need if isinstance(need, list) else c.check(need, base))
             for key, need in arg.items()]

    def dependencies(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, need in needs:
            if key in value:
                if isinstance(need, list):
                    if any(name not in value for name in need):
                        return False
                elif not need(value):
                    return False
        return True

    return dependencies


def _items(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    if isinstance(arg, list):
        raise _Declined("items as a list")
    check = c.check(arg, base)

    def items(value: Any) -> bool:
        if isinstance(value, list):
            for item in value:
                if not check(item):
                    return False
        return True

    return items


def _unique(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    if not arg:
        return _always
    return lambda value: not isinstance(value, list) or not any(
        _same(value[i], value[j]) for i in range(len(value)) for j in range(i + 1, len(value)))


def _pattern_check(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    search = re.compile(arg).search
    return lambda value: not isinstance(value, str) or bool(search(value))


def _if(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    condition = c.check(arg, base)
    then = c.check(schema["then"], base) if "then" in schema else _always
    otherwise = c.check(schema["else"], base) if "else" in schema else _always
    return lambda value: then(value) if condition(value) else otherwise(value)


def _all_of(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    checks = [c.check(sub, base) for sub in arg]
    return lambda value: all(check(value) for check in checks)


def _any_of(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    checks = [c.check(sub, base) for sub in arg]
    return lambda value: any(check(value) for check in checks)


def _one_of(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    checks = [c.check(sub, base) for sub in arg]

    def exactly_one(value: Any) -> bool:
        passed = 0
        for check in checks:
            passed += check(value)
            if passed > 1:
                return False
        return passed == 1

    return exactly_one


def _enum(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    if all(isinstance(option, str) for option in arg):  # the usual case: a list of words
        words = frozenset(arg)
        return lambda value: isinstance(value, str) and value in words
    return lambda value: any(_same(value, option) for option in arg)


def _not(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
    check = c.check(arg, base)
    return lambda value: not check(value)


def _size(kind: type, least: Callable[[Any], int]) -> Make:
    def make(c: _Compiler, arg: Any, schema: dict[str, Any], base: str) -> Check:
        return lambda value: not isinstance(value, kind) or least(value) >= arg

    return make


_KEYWORDS: dict[str, Make] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": lambda c, arg, s, b: lambda v: not isinstance(v, dict) or all(k in v for k in arg),
    "minProperties": _size(dict, len),
    "dependencies": _dependencies,
    "items": _items,
    "minItems": _size(list, len),
    "uniqueItems": _unique,
    "minLength": _size(str, len),
    "pattern": _pattern_check,
    "enum": _enum,
    "const": lambda c, arg, s, b: lambda v: _same(v, arg),
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
}


@cache
def _compiler() -> _Compiler:
    return _Compiler()


def is_valid(kind: str, document: Any) -> bool | None:
    """Whether ``document`` satisfies ``<kind>.schema.json``; None when this checker cannot tell."""
    name = f"{kind}.schema.json"
    schema = _documents().get(name)
    if schema is None:
        return None
    try:
        return _compiler().check(schema, name)(document)
    except (_Declined, KeyError, TypeError, re.error, RecursionError):
        return None
