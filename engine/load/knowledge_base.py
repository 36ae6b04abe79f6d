"""Load a knowledge base directory into a validated, typed KnowledgeBase.

A directory holds ``levels.yaml``, ``sources.yaml``, ``questions.yaml``, ``reading.yaml``,
``texts.yaml`` and any number of ``*.rules.yaml`` (``*.scenarios.yaml`` beside them are read by
the scenario runner).
Loading either returns a KnowledgeBase or raises KnowledgeBaseError carrying every problem found.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from engine.conditions import parse_condition
from engine.load.crosscheck import OFFERED_BY_FLAG, cross_reference_problems, question_values
from engine.load.documents import Document, read_document
from engine.load.paths import display_path, shipped_rules_dir
from engine.load.wording_lint import wording_problems
from engine.load.yaml_reader import MarkedDict
from engine.model import (
    AUDIENCES,
    TEXT_NAMES,
    Audience,
    Condition,
    Floor,
    KnowledgeBase,
    Level,
    Option,
    Question,
    ReadingItem,
    Rule,
    Texts,
    Then,
    Wording,
)
from engine.problems import KnowledgeBaseError, Location, Problem

SINGLE_FILES = ("levels", "sources", "questions", "reading", "texts")
RULES_SUFFIX = ".rules.yaml"
#: Labels of the answers no question spells out: yes_no's, and those offered by a flag.
STANDARD_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure",
                   "not_applicable": "Does not apply"}
T = TypeVar("T")


def rule_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"*{RULES_SUFFIX}"))


def _unusable_directory(root: Path) -> str | None:
    """Why ``root`` cannot be read as a knowledge base directory, in words; None if it can."""
    try:
        os.listdir(root)
    except FileNotFoundError:
        if os.path.islink(root):
            return "a symbolic link to a directory that does not exist"
        return "no such directory"
    except NotADirectoryError:
        return "not a directory (--rules takes the directory that holds the rule files)"
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return f"cannot read the directory: {getattr(exc, 'strerror', None) or exc}"
    return None


def read_documents(root: Path) -> tuple[list[Document], list[Problem]]:
    """Parse and schema-check every knowledge base file under ``root``."""
    shown_root = display_path(root)
    refusal = _unusable_directory(root)
    if refusal:
        raise KnowledgeBaseError([Problem(shown_root, None, "", refusal)])
    found_rules = rule_files(root)
    files = [(kind, root / f"{kind}.yaml") for kind in SINGLE_FILES]
    files += [("rules", path) for path in found_rules]
    docs: list[Document] = []
    problems: list[Problem] = []
    if not found_rules:
        problems.append(Problem(shown_root, None, "", f"no *{RULES_SUFFIX} files found"))
    for kind, path in files:
        shown = display_path(path)
        if not os.path.lexists(path):
            problems.append(Problem(shown, None, "",
                                    f"missing: a knowledge base needs {path.name}"))
            continue
        doc, found = read_document(kind, path)
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
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


def _where(doc: Document, line: int) -> Location:
    return Location(doc.path, line)


def wording(raw: str | MarkedDict) -> Wording:
    """A schema-valid, cross-checked reader text (a string or a mapping by audience)."""
    if isinstance(raw, str):
        return Wording.same(raw.strip())
    return Wording.from_mapping({key: text.strip() for key, text in raw.items()})


def _worded(*texts: Any) -> bool:
    """Whether any of these raw texts is worded by audience."""
    return any(isinstance(text, dict) for text in texts)


class _Builder:
    """Builds the knowledge base worded for one audience.

    What does not depend on the audience (conditions, and every question, rule, level or
    reading item with no text worded by audience) is made once and shared by all versions:
    four full builds took 9.8 ms against 2.4 ms for one, and most items read the same for all.
    """

    def __init__(self, audience: Audience, shared: dict[int, Any]) -> None:
        self.audience = audience
        self.shared = shared

    def words(self, raw: str | MarkedDict) -> str:
        return raw.strip() if isinstance(raw, str) else wording(raw).for_audience(self.audience)

    def once(self, raw: Any, make: Callable[[], T]) -> T:
        """``make()`` for the first version, the same object for the others."""
        found = self.shared.get(id(raw))
        if found is None:
            found = self.shared[id(raw)] = make()
        return cast(T, found)

    def condition(self, raw: MarkedDict) -> Condition:
        return self.once(raw, lambda: parse_condition(raw))

    def question(self, doc: Document, line: int, raw: MarkedDict) -> Question:
        if _worded(raw["text"], raw["why"], *(o["label"] for o in raw.get("options", ()))):
            return self._question(doc, line, raw)
        return self.once(raw, lambda: self._question(doc, line, raw))

    def rule(self, doc: Document, line: int, raw: MarkedDict) -> Rule:
        if _worded(raw["then"].get("guidance")):
            return self._rule(doc, line, raw)
        return self.once(raw, lambda: self._rule(doc, line, raw))

    def level(self, rank: int, raw: MarkedDict, line: int | None) -> Level:
        def make() -> Level:
            return Level(raw["id"], rank, self.words(raw["title"]), self.words(raw["advice"]),
                         bool(raw.get("only_what_to_do_now", False)),
                         self.words(raw["with_reading"]) if "with_reading" in raw else None,
                         self.words(raw["safety_net"]) if "safety_net" in raw else None,
                         line=line)
        texts = (raw["title"], raw["advice"], raw.get("with_reading"), raw.get("safety_net"))
        return make() if _worded(*texts) else self.once(raw, make)

    def reading(self, doc: Document, line: int, raw: MarkedDict) -> ReadingItem:
        def make() -> ReadingItem:
            return ReadingItem(raw["id"], self.words(raw["title"]), self.words(raw["summary"]),
                               tuple(raw["sources"]), raw["link"], _where(doc, line))
        return make() if _worded(raw["title"], raw["summary"]) else self.once(raw, make)

    def texts(self, doc: Document) -> Texts:
        raw = doc.data["texts"]
        return Texts(**{name: self.words(raw[name]) for name in TEXT_NAMES},
                     where={name: _where(doc, raw.key_lines[name]) for name in TEXT_NAMES})

    def _question(self, doc: Document, line: int, raw: MarkedDict) -> Question:
        own = {o["value"]: o["label"] for o in raw.get("options", ())}
        options = tuple(Option(value, self.words(own[value]) if value in own
                               else STANDARD_LABELS[value])
                        for value in question_values(raw))
        flagged = {value for flag, value in OFFERED_BY_FLAG.items() if raw.get(flag)}
        flagged |= {o["value"] for o in raw.get("options", ()) if o.get("alone")}
        return Question(
            id=raw["id"], text=self.words(raw["text"]), kind=raw["kind"], role=raw["role"],
            options=options, why=self.words(raw["why"]),
            alone=frozenset(flagged) if raw["kind"] == "several_of" else frozenset(),
            ask_if=self.condition(raw["ask_if"]) if "ask_if" in raw else None,
            raises_to=raw.get("raises_to"), where=_where(doc, line))

    def _rule(self, doc: Document, line: int, raw: MarkedDict) -> Rule:
        then: dict[str, Any] = raw["then"]
        return Rule(
            id=raw["id"], title=raw["title"].strip(), when=self.condition(raw["when"]),
            then=Then(level=then.get("level"),
                      guidance=self.words(then["guidance"]) if "guidance" in then else None,
                      reading=tuple(then.get("reading", ())),
                      derive=tuple(then.get("derive", ()))),
            explanation=raw["explanation"].strip(), sources=tuple(raw["sources"]),
            where=_where(doc, line), status=raw.get("status"), reviewed=raw.get("reviewed"))

    def knowledge_base(self, docs: list[Document], root: str) -> KnowledgeBase:
        by_kind = {doc.kind: doc for doc in docs if doc.kind in SINGLE_FILES}
        levels_doc = by_kind["levels"].data
        lines = dict(zip((raw["id"] for raw in levels_doc["levels"]),
                         levels_doc["levels"].item_lines, strict=True))
        levels = tuple(self.level(rank, raw, lines[raw["id"]])
                       for rank, raw in enumerate(reversed(levels_doc["levels"])))
        questions_doc = by_kind["questions"]
        questions = tuple(
            self.question(questions_doc, questions_doc.data["questions"].item_lines[i], raw)
            for i, raw in enumerate(questions_doc.data["questions"]))
        reading_doc = by_kind["reading"]
        reading = tuple(self.reading(reading_doc, reading_doc.data["reading"].item_lines[i], raw)
                        for i, raw in enumerate(reading_doc.data["reading"]))
        rules = tuple(self.rule(doc, doc.data["rules"].item_lines[i], raw)
                      for doc in docs if doc.kind == "rules"
                      for i, raw in enumerate(doc.data["rules"]))
        floor_raw = levels_doc.get("floor")
        floor = Floor(self.condition(floor_raw["when"]), floor_raw["at_least"],
                      self.condition(floor_raw["unless"]) if "unless" in floor_raw else None,
                      levels_doc.key_lines.get("floor")) if floor_raw else None
        return KnowledgeBase(
            questions=questions, rules=rules, floor=floor,
            levels=tuple(sorted(levels, key=lambda level: -level.rank)),
            default_level=levels_doc["default_level"], notice=self.words(levels_doc["notice"]),
            reading=reading, texts=self.texts(by_kind["texts"]), root=root,
            sources=self.once(by_kind["sources"], lambda: _sources(by_kind["sources"])),
            audience=self.audience, notice_line=levels_doc.key_lines.get("notice"))


def build(docs: list[Document], root: str) -> KnowledgeBase:
    """Turn validated documents into the typed model, one version per audience (no checks here:
    validation came first); returns the version for the person answering (``self``)."""
    shared: dict[int, Any] = {}
    family = {audience: _Builder(audience, shared).knowledge_base(docs, root)
              for audience in AUDIENCES}
    for version in family.values():
        version.join_family(family)
    return family["self"]


def _sources(doc: Document) -> tuple[tuple[str, str], ...]:
    return tuple((raw["id"], _cite(raw)) for raw in doc.data["sources"])


def _cite(raw: MarkedDict) -> str:
    text = f"{raw['title'].strip()} ({raw['publisher'].strip()})"
    return f"{text}, {raw['url']}" if "url" in raw else text
