"""Reading one knowledge base or scenario file: parse, check against the schema, collect problems.

Every file the tool reads as knowledge (levels, sources, questions, reading, rules, scenarios) goes
through the same two checks before anything looks inside it, and either check's problems are
collected, never raised, so an author sees every broken file in one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from engine.load.paths import display_path
from engine.load.schemas import schema_problems
from engine.load.yaml_reader import MarkedDict, YamlError, read_yaml
from engine.problems import Problem


class Document(NamedTuple):
    """One parsed, schema-valid knowledge base file."""

    kind: str
    path: str
    data: MarkedDict


def read_document(kind: str, path: Path) -> tuple[Document | None, list[Problem]]:
    """The file as a schema-valid Document, or None and the problems that stopped it."""
    shown = display_path(path)
    try:
        data = read_yaml(path, shown)
    except YamlError as exc:
        return None, [Problem(exc.path, exc.line, "", exc.message)]
    found = schema_problems(kind, data, shown)
    if found:
        return None, found
    return Document(kind, shown, data), []
