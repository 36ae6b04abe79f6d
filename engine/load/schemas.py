"""JSON Schema checks for knowledge base files, reported as file:line problems.

The schemas in rules/schemas/ are the language definition: editors use them while typing (through
the ``# yaml-language-server: $schema=`` line) and the loader uses the same files, so the two can
never disagree. jsonschema is imported only when a document fails engine/load/quickschema.py's fast
check (or that check cannot tell): a valid knowledge base loads without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from engine.load.paths import schemas_dir
from engine.load.quickschema import is_valid
from engine.load.yaml_reader import line_of
from engine.problems import Problem, quote

if TYPE_CHECKING:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

FILE_KINDS = ("levels", "sources", "questions", "reading", "texts", "rules", "scenarios")


@cache
def _registry() -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted(schemas_dir().glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        resources.append((path.name, resource))
    return Registry().with_resources(resources)


@cache
def validator(kind: str) -> Draft7Validator:
    from jsonschema import Draft7Validator

    schema = _registry().contents(f"{kind}.schema.json")
    return Draft7Validator(schema, registry=_registry())


def _subject(document: Any, path: tuple[str | int, ...]) -> str:
    """'rule 'x'' for a problem inside the x-th item of a top-level list with an id."""
    if len(path) >= 2 and isinstance(path[1], int) and isinstance(document, dict):
        items = document.get(str(path[0]))
        if isinstance(items, list) and path[1] < len(items):
            item = items[path[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                noun = {"questions": "question", "rules": "rule", "reading": "reading",
                        "levels": "level", "sources": "source", "cases": "case"}.get(str(path[0]))
                return f"{noun or path[0]} '{item['id']}'"
    return ""


def _field(path: tuple[str | int, ...]) -> str:
    """The key path inside the item a problem is about, e.g. ``options[2].value``."""
    inner = path[2:] if len(path) >= 2 and isinstance(path[1], int) else path
    text = ""
    for step in inner:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _schema(error: ValidationError) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _message(error: ValidationError) -> str:
    """Plain words for one schema error, preferring the schema's own x-message."""
    schema = _schema(error)
    custom = schema.get("x-message")
    field = _field(tuple(error.absolute_path))
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required key '{missing}'"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))  # type: ignore[arg-type]
        allowed = ", ".join(sorted(schema.get("properties", {})))
        shown = ", ".join(quote(e) for e in extra[:3]) + (
            f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        return f"unknown key {shown} (allowed: {allowed})"
    if custom:
        return f"'{field}' {custom}" if field and error.validator in ("pattern", "enum") else custom
    if error.validator == "type":
        expected = error.validator_value
        return f"'{field or 'value'}' must be of type {expected}, not {quote(error.instance)}"
    message = error.message
    if message.startswith(repr(error.instance)):  # jsonschema starts with the whole value
        message = quote(error.instance) + message[len(repr(error.instance)):]
    message = message if len(message) <= 200 else message[:199] + "…"
    return f"'{field}': {message}" if field else message


def _flatten(error: ValidationError) -> Iterator[ValidationError]:
    """Descend into allOf/if-then groups so the leaf error (with its x-message) is reported."""
    if error.validator in ("allOf", "then", "else") and error.context:
        for sub in error.context:
            yield from _flatten(sub)
    else:
        yield error


def schema_problems(kind: str, document: Any, path: str) -> list[Problem]:
    """Every schema violation in one parsed document of the given kind."""
    if is_valid(kind, document):
        return []
    if document is None:  # empty, or only comments: say so rather than "None is not an object"
        schema = validator(kind).schema
        required = schema.get("required", []) if isinstance(schema, dict) else []
        keys = ", ".join(repr(key) for key in required)
        return [Problem(path, 1, "", f"the file is empty; a {kind} file needs {keys}")]
    problems = []
    for top in validator(kind).iter_errors(document):
        for error in _flatten(top):
            where = tuple(error.absolute_path)
            line = line_of(document, where) or 1  # a file that is not a mapping: its start
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                extra = sorted(set(error.instance) - set(_schema(error).get("properties", {})))
                key_lines = getattr(error.instance, "key_lines", {})
                line = key_lines.get(extra[0], line) if extra else line
            problems.append(Problem(path, line, _subject(document, where), _message(error)))
    return problems
