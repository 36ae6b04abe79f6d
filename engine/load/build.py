"""Build: schema-valid documents into typed model objects, once, before any cross-check.

The load stage reads each file (yaml_reader), checks it against its schema (schemas), builds it
here into the data classes of engine/model.py, cross-checks those (crosscheck), and only then
makes the knowledge base for each audience (knowledge_base). This is the one place that reads
the raw shapes of the files; everything after it reads typed objects, as pySigma's validators
take a parsed SigmaRule rather than its YAML.

So that the checks can still point at a file and line, each object keeps where it is written
(``where``, and ``marks`` for the lines of its keys and list items), and each text written by
audience keeps its Wording (``worded``). Building never fails on a schema-valid knowledge base:
references (levels, sources, questions, facts, reading topics) stay names, duplicate ids are
kept in file order, and a wording that leaves an audience out is filled in for now. The cross-
checks report all of these.

Cost, measured with tests/bench/load_stage.py against the loader before this stage existed (which
cross-checked the raw documents, then read them again to build each audience's version), medians
of 20 fresh processes each, on a shared two-core machine at a load average of 8 to 13, so the
whole-process figures are noisy:

- build + cross-check + the versions per audience, on documents read once: 28.4 -> 20.8 ms,
  32.5 -> 23.4 ms and 46.1 -> 31.8 ms in three runs, about 30 % less;
- ``load_knowledge_base()`` in a fresh process, imports included: 351 -> 445, 440 -> 464 and
  720 -> 583 ms wall (CPU, measured in the last two: 147 -> 188 and 222 -> 205 ms);
- ``muscle-triage check``, the whole process: 1712 -> 1546, 1802 -> 1626 and 2108 -> 2518 ms.

The whole-process figures move either way between runs by far more than the ~10 ms the stage
saves; imports, the same in both but for this module, dominate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from engine.conditions import parse_condition
from engine.load.documents import Document
from engine.load.yaml_reader import MarkedDict
from engine.model import (
    TEXT_NAMES,
    Condition,
    Floor,
    Level,
    Option,
    Question,
    ReadingItem,
    Rule,
    Texts,
    Then,
    Wording,
)
from engine.problems import Location, Marks

#: A yes_no question's fixed answers.
YES_NO_VALUES = ("yes", "no", "unsure")
#: Answers a question can offer by a flag instead of an option of its own, after its options:
#: `not_sure: true` for a person who cannot tell, `does_not_apply: true` for one the question does
#: not fit (a curious reader asked an age "when this began"). One value each, the same in every
#: question, so rules and answers files read them alike; a yes_no question always has "unsure".
OFFERED_BY_FLAG = {"not_sure": "unsure", "does_not_apply": "not_applicable"}
#: Labels of the answers no question spells out: yes_no's, and those offered by a flag.
STANDARD_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure",
                   "not_applicable": "Does not apply"}


class Source(NamedTuple):
    """One entry of sources.yaml: its id, its citation in full, and where it is written."""

    id: str
    citation: str
    where: Location


@dataclass(frozen=True)
class Draft:
    """The knowledge base as written, typed, before it is checked.

    Every item is here in file order, duplicates too, each with where it is written; texts are
    worded for the person answering (``self``), with every text written by audience in the
    item's ``worded``. The cross-checks read this; the knowledge base for each audience is made
    from it once they find nothing wrong.
    """

    root: str
    #: levels.yaml: its path, and the lines of its own keys (default_level, notice, floor).
    levels_path: str
    levels_marks: Marks
    #: Highest first, as written; rank 0 is the lowest.
    levels: tuple[Level, ...]
    default_level: str
    notice: Wording
    floor: Floor | None
    sources: tuple[Source, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    reading: tuple[ReadingItem, ...]
    texts: Texts


def wording(raw: str | MarkedDict) -> Wording:
    """A schema-valid reader text (a string, or a mapping by audience) as a Wording."""
    if isinstance(raw, str):
        return Wording.same(raw.strip())
    return Wording.from_mapping({key: text.strip() for key, text in raw.items()})


def _words(raw: str | MarkedDict, key: str, worded: dict[str, Wording]) -> str:
    """The text the person answering reads; a text written by audience is kept in ``worded``."""
    if isinstance(raw, str):
        return raw.strip()
    found = worded[key] = wording(raw)
    return found.for_audience("self")


def _marks(raw: MarkedDict, line: int, *lists: str) -> Marks:
    """The marks of an item that starts on ``line``, with the item lines of its ``lists``."""
    return Marks(line, raw.key_lines, {key: raw[key].item_lines for key in lists if key in raw})


def _condition(raw: MarkedDict | None) -> Condition | None:
    return None if raw is None else parse_condition(raw)


def _items(doc: Document, key: str) -> list[tuple[int, MarkedDict]]:
    items = doc.data[key]
    return list(zip(items.item_lines, items, strict=True))


def build(docs: list[Document], root: str) -> Draft:
    """Every schema-valid document of one knowledge base, built into one Draft."""
    by_kind = {doc.kind: doc for doc in docs if doc.kind != "rules"}
    levels_doc = by_kind["levels"]
    data = levels_doc.data
    written = _items(levels_doc, "levels")
    levels = tuple(_level(len(written) - 1 - position, line, raw)
                   for position, (line, raw) in enumerate(written))
    floor_raw = data.get("floor")
    floor = Floor(parse_condition(floor_raw["when"]), floor_raw["at_least"],
                  _condition(floor_raw.get("unless")), data.key_lines.get("floor"),
                  Marks(floor_raw.line, floor_raw.key_lines)) if floor_raw else None
    sources_doc = by_kind["sources"]
    return Draft(
        root=root, levels_path=levels_doc.path, levels_marks=Marks(data.line, data.key_lines),
        levels=levels, default_level=data["default_level"], notice=wording(data["notice"]),
        floor=floor,
        sources=tuple(Source(raw["id"], _cite(raw), Location(sources_doc.path, line))
                      for line, raw in _items(sources_doc, "sources")),
        questions=tuple(_question(by_kind["questions"], line, raw)
                        for line, raw in _items(by_kind["questions"], "questions")),
        rules=tuple(_rule(doc, line, raw)
                    for doc in docs if doc.kind == "rules" for line, raw in _items(doc, "rules")),
        reading=tuple(_reading(by_kind["reading"], line, raw)
                      for line, raw in _items(by_kind["reading"], "reading")),
        texts=_texts(by_kind["texts"]))


def _level(rank: int, line: int, raw: MarkedDict) -> Level:
    worded: dict[str, Wording] = {}
    optional = {key: _words(raw[key], key, worded) if key in raw else None
                for key in ("with_reading", "safety_net")}
    return Level(raw["id"], rank, _words(raw["title"], "title", worded),
                 _words(raw["advice"], "advice", worded),
                 bool(raw.get("only_what_to_do_now", False)), optional["with_reading"],
                 optional["safety_net"], line=line, marks=_marks(raw, line), worded=worded)


def _question(doc: Document, line: int, raw: MarkedDict) -> Question:
    """One question with its answers: its own options (or yes/no/unsure), then the flagged ones,
    in the order it offers them; the one place a question's answer values are worked out."""
    written = raw.get("options", ())
    own = {option["value"]: option for option in written}  # a repeated value: the last
    flagged = [value for flag, value in OFFERED_BY_FLAG.items() if raw.get(flag)]
    options = (tuple(_option(value, None) for value in YES_NO_VALUES) if raw["kind"] == "yes_no"
               else tuple(_option(option["value"], option) for option in written))
    options += tuple(_option(value, own.get(value)) for value in flagged)
    worded: dict[str, Wording] = {}
    return Question(
        id=raw["id"], text=_words(raw["text"], "text", worded), kind=raw["kind"],
        role=raw["role"], options=options, why=_words(raw["why"], "why", worded),
        alone=(frozenset(flagged) | {o["value"] for o in written if o.get("alone")}
               if raw["kind"] == "several_of" else frozenset()),
        ask_if=_condition(raw.get("ask_if")), raises_to=raw.get("raises_to"),
        replaces=tuple(raw.get("replaces", ())), where=Location(doc.path, line),
        marks=_marks(raw, line), worded=worded)


def _option(value: str, raw: MarkedDict | None) -> Option:
    if raw is None:
        return Option(value, STANDARD_LABELS[value])
    worded: dict[str, Wording] = {}
    return Option(value, _words(raw["label"], "label", worded),
                  Marks(raw.line, raw.key_lines), worded)


def _rule(doc: Document, line: int, raw: MarkedDict) -> Rule:
    then: MarkedDict = raw["then"]
    worded: dict[str, Wording] = {}
    guidance = _words(then["guidance"], "guidance", worded) if "guidance" in then else None
    return Rule(
        id=raw["id"], title=raw["title"].strip(), when=parse_condition(raw["when"]),
        then=Then(level=then.get("level"), guidance=guidance,
                  reading=tuple(then.get("reading", ())), derive=tuple(then.get("derive", ())),
                  marks=_marks(then, then.line, "reading"), worded=worded),
        explanation=raw["explanation"].strip(), sources=tuple(raw["sources"]),
        where=Location(doc.path, line), status=raw.get("status"), reviewed=raw.get("reviewed"),
        marks=_marks(raw, line, "sources"))


def _reading(doc: Document, line: int, raw: MarkedDict) -> ReadingItem:
    worded: dict[str, Wording] = {}
    return ReadingItem(raw["id"], _words(raw["title"], "title", worded),
                       _words(raw["summary"], "summary", worded), tuple(raw["sources"]),
                       raw["link"], Location(doc.path, line), _marks(raw, line, "sources"),
                       worded)


def _texts(doc: Document) -> Texts:
    raw = doc.data["texts"]
    worded: dict[str, Wording] = {}
    words: dict[str, Any] = {name: _words(raw[name], name, worded) for name in TEXT_NAMES}
    return Texts(**words, where={name: Location(doc.path, raw.key_lines[name])
                                 for name in TEXT_NAMES}, worded=worded)


def _cite(raw: MarkedDict) -> str:
    text = f"{raw['title'].strip()} ({raw['publisher'].strip()})"
    return f"{text}, {raw['url']}" if "url" in raw else text
