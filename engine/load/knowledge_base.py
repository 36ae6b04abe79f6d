"""Load a knowledge base directory into a validated, typed KnowledgeBase.

A directory holds ``levels.yaml``, ``sources.yaml``, ``questions.yaml``, ``reading.yaml`` and any
number of ``*.rules.yaml`` (``*.scenarios.yaml`` beside them are read by the scenario runner).
Loading either returns a KnowledgeBase or raises KnowledgeBaseError carrying every problem found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.conditions import parse_condition
from engine.load.crosscheck import YES_NO_VALUES, Document, cross_reference_problems
from engine.load.paths import display_path, shipped_rules_dir
from engine.load.schemas import schema_problems
from engine.load.wording_lint import wording_problems
from engine.load.yaml_reader import MarkedDict, YamlError, read_yaml
from engine.model import (
    Floor,
    KnowledgeBase,
    Level,
    Option,
    Question,
    ReadingItem,
    Rule,
    Then,
    Where,
)
from engine.problems import KnowledgeBaseError, Problem

SINGLE_FILES = ("levels", "sources", "questions", "reading")
RULES_SUFFIX = ".rules.yaml"
YES_NO_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}


def rule_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"*{RULES_SUFFIX}"))


def read_documents(root: Path) -> tuple[list[Document], list[Problem]]:
    """Parse and schema-check every knowledge base file under ``root``."""
    shown_root = display_path(root)
    if not root.is_dir():
        raise KnowledgeBaseError([Problem(shown_root, None, "", "not a directory")])
    files = [(kind, root / f"{kind}.yaml") for kind in SINGLE_FILES]
    files += [("rules", path) for path in rule_files(root)]
    docs: list[Document] = []
    problems: list[Problem] = []
    if not rule_files(root):
        problems.append(Problem(shown_root, None, "", f"no *{RULES_SUFFIX} files found"))
    for kind, path in files:
        shown = display_path(path)
        if not path.exists():
            problems.append(Problem(shown, None, "",
                                    f"missing: a knowledge base needs {path.name}"))
            continue
        try:
            data = read_yaml(path, shown)
        except YamlError as exc:
            problems.append(Problem(exc.path, exc.line, "", exc.message))
            continue
        found = schema_problems(kind, data, shown)
        if found:
            problems.extend(found)
        else:
            docs.append(Document(kind, shown, data))
    return docs, problems


def load_knowledge_base(root: Path | None = None) -> KnowledgeBase:
    """Read, validate and build a knowledge base; raise KnowledgeBaseError with every problem."""
    root = root or shipped_rules_dir()
    docs, problems = read_documents(root)
    if not problems:
        problems = cross_reference_problems(docs)
    if problems:
        raise KnowledgeBaseError(problems)
    kb = build(docs, display_path(root))
    wording = wording_problems(kb)
    if wording:
        raise KnowledgeBaseError(wording)
    return kb


def _where(doc: Document, line: int) -> Where:
    return Where(doc.path, line)


def _question(doc: Document, line: int, raw: MarkedDict) -> Question:
    if raw["kind"] == "yes_no":
        options = tuple(Option(value, YES_NO_LABELS[value]) for value in YES_NO_VALUES)
    else:
        options = tuple(Option(o["value"], o["label"]) for o in raw["options"])
    return Question(
        id=raw["id"], text=raw["text"].strip(), kind=raw["kind"], role=raw["role"],
        options=options, why=raw["why"].strip(),
        ask_if=parse_condition(raw["ask_if"]) if "ask_if" in raw else None,
        raises_to=raw.get("raises_to"), where=_where(doc, line))


def _rule(doc: Document, line: int, raw: MarkedDict) -> Rule:
    then: dict[str, Any] = raw["then"]
    return Rule(
        id=raw["id"], title=raw["title"].strip(), when=parse_condition(raw["when"]),
        then=Then(level=then.get("level"),
                  guidance=then["guidance"].strip() if "guidance" in then else None,
                  reading=tuple(then.get("reading", ())), derive=tuple(then.get("derive", ()))),
        explanation=raw["explanation"].strip(), sources=tuple(raw["sources"]),
        where=_where(doc, line), status=raw.get("status"), reviewed=raw.get("reviewed"))


def build(docs: list[Document], root: str) -> KnowledgeBase:
    """Turn validated documents into the typed model (no checks here: validation came first)."""
    by_kind = {doc.kind: doc for doc in docs if doc.kind in SINGLE_FILES}
    levels_doc = by_kind["levels"].data
    levels = tuple(Level(raw["id"], rank, raw["title"].strip(), raw["advice"].strip(),
                         bool(raw.get("only_what_to_do_now", False)))
                   for rank, raw in enumerate(reversed(levels_doc["levels"])))
    questions_doc = by_kind["questions"]
    questions = tuple(_question(questions_doc, questions_doc.data["questions"].item_lines[i], raw)
                      for i, raw in enumerate(questions_doc.data["questions"]))
    reading_doc = by_kind["reading"]
    reading = tuple(
        ReadingItem(raw["id"], raw["title"].strip(), raw["summary"].strip(),
                    tuple(raw["sources"]), raw["link"],
                    _where(reading_doc, reading_doc.data["reading"].item_lines[i]))
        for i, raw in enumerate(reading_doc.data["reading"]))
    rules = tuple(_rule(doc, doc.data["rules"].item_lines[i], raw)
                  for doc in docs if doc.kind == "rules"
                  for i, raw in enumerate(doc.data["rules"]))
    floor_raw = levels_doc.get("floor")
    floor = Floor(parse_condition(floor_raw["when"]), floor_raw["at_least"],
                  parse_condition(floor_raw["unless"]) if "unless" in floor_raw else None
                  ) if floor_raw else None
    return KnowledgeBase(
        questions=questions, rules=rules, floor=floor,
        levels=tuple(sorted(levels, key=lambda level: -level.rank)),
        default_level=levels_doc["default_level"], notice=levels_doc["notice"].strip(),
        reading=reading, sources=_sources(by_kind["sources"]), root=root)


def _sources(doc: Document) -> tuple[tuple[str, str], ...]:
    return tuple((raw["id"], _cite(raw)) for raw in doc.data["sources"])


def _cite(raw: MarkedDict) -> str:
    text = f"{raw['title'].strip()} ({raw['publisher'].strip()})"
    return f"{text}, {raw['url']}" if "url" in raw else text
