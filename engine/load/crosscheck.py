"""Cross-reference checks that a schema cannot express.

Runs on schema-valid documents (still carrying line marks) and reports every problem at once:
unknown or misspelt names (with a "did you mean"), duplicate ids, answer values a question does not
offer, facts no rule derives, questions no rule reads, ``ask_if`` reading a later question, red
flags not asked first, negation cycles that would make the result depend on firing order, and
texts worded by audience that leave an audience out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.conditions import MULTI_OPS
from engine.load.documents import Document
from engine.load.yaml_reader import MarkedDict, MarkedList
from engine.model import AUDIENCE_QUESTION, AUDIENCES, OTHER, opening_questions
from engine.problems import Location, Problem

YES_NO_VALUES = ("yes", "no", "unsure")
#: Keys whose value is a reader text that may be worded by audience (schema: "wording").
WORDING_KEYS = frozenset({"text", "why", "label", "guidance", "title", "advice", "summary",
                          "notice"})
_NOUNS = {"questions": "question", "rules": "rule", "levels": "level"}


@dataclass
class _Index:
    """Names defined across the knowledge base, for reference checks."""

    levels: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    questions: dict[str, MarkedDict] = field(default_factory=dict)
    question_order: list[str] = field(default_factory=list)
    reading: set[str] = field(default_factory=set)
    derived: dict[str, list[str]] = field(default_factory=dict)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    import difflib  # only for a misspelt name

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


#: Answers a question can offer by a flag instead of an option of its own, after its options:
#: `not_sure: true` for a person who cannot tell, `does_not_apply: true` for one the question does
#: not fit (a curious reader asked an age "when this began"). One value each, the same in every
#: question, so rules and answers files read them alike; a yes_no question always has "unsure".
OFFERED_BY_FLAG = {"not_sure": "unsure", "does_not_apply": "not_applicable"}


def question_values(question: MarkedDict) -> list[str]:
    """Every answer value of a raw question: its own (or yes/no/unsure), then the flagged ones."""
    if question["kind"] == "yes_no":
        values = list(YES_NO_VALUES)
    else:
        values = [option["value"] for option in question["options"]]
    return values + [value for flag, value in OFFERED_BY_FLAG.items() if question.get(flag)]


def _items(docs: list[Document], kind: str) -> Iterator[tuple[Document, int, MarkedDict]]:
    key = {"rules": "rules"}.get(kind, kind)
    for doc in docs:
        if doc.kind == kind:
            items = doc.data[key]
            for position, item in enumerate(items):
                yield doc, items.item_lines[position], item


def _line(node: Any, key: str, default: int | None) -> int | None:
    if isinstance(node, MarkedDict):
        return node.key_lines.get(key, default)
    return default


class _Checker:
    def __init__(self, docs: list[Document]) -> None:
        self.docs = docs
        self.problems: list[Problem] = []
        self.index = _Index()
        self.replaced: dict[str, str] = {}  # old question id -> the question that replaces it

    def problem(self, path: str, line: int | None, subject: str, message: str) -> None:
        self.problems.append(Problem(path, line, subject, message))

    # -- definitions ------------------------------------------------------------------------------

    def collect(self) -> None:
        seen: dict[tuple[str, str], Location] = {}

        def define(kind: str, noun: str, doc: Document, line: int, item_id: str) -> bool:
            if (kind, item_id) in seen:
                self.problem(doc.path, line, f"{noun} '{item_id}'",
                             f"duplicate id (first defined at {seen[(kind, item_id)]})")
                return False
            seen[(kind, item_id)] = Location(doc.path, line)
            return True

        for doc in self.docs:
            if doc.kind == "levels":
                for position, level in enumerate(doc.data["levels"]):
                    if define("level", "level", doc, doc.data["levels"].item_lines[position],
                              level["id"]):
                        self.index.levels.append(level["id"])
        for doc, line, item in _items(self.docs, "sources"):
            if define("source", "source", doc, line, item["id"]):
                self.index.sources.add(item["id"])
        for doc, line, item in _items(self.docs, "questions"):
            if define("question", "question", doc, line, item["id"]):
                self.index.questions[item["id"]] = item
                self.index.question_order.append(item["id"])
        for doc, line, item in _items(self.docs, "reading"):
            if define("reading", "reading", doc, line, item["id"]):
                self.index.reading.add(item["id"])
        for doc, line, item in _items(self.docs, "rules"):
            if define("rule", "rule", doc, line, item["id"]):
                for fact in item["then"].get("derive", []):
                    self.index.derived.setdefault(fact, []).append(item["id"])

    # -- references -------------------------------------------------------------------------------

    def check_level(self, path: str, line: int | None, subject: str, level: str) -> None:
        if level not in self.index.levels:
            self.problem(path, line, subject, f"unknown level '{level}'"
                         f"{did_you_mean(level, self.index.levels)}; levels are "
                         f"{', '.join(self.index.levels)}")

    def check_sources(self, path: str, item: MarkedDict, subject: str) -> None:
        for position, source in enumerate(item["sources"]):
            if source not in self.index.sources:
                self.problem(path, item["sources"].item_lines[position], subject,
                             f"unknown source '{source}'"
                             f"{did_you_mean(source, self.index.sources)}")

    def check_condition(self, path: str, node: MarkedDict, subject: str, *,
                        allow_facts: bool, before: list[str] | None = None) -> set[str]:
        """Check one condition tree; return the questions it reads."""
        read: set[str] = set()
        for key in ("all", "any"):
            if key in node:
                for part in node[key]:
                    read |= self.check_condition(path, part, subject, allow_facts=allow_facts,
                                                 before=before)
        if "not" in node:
            read |= self.check_condition(path, node["not"], subject, allow_facts=allow_facts,
                                         before=before)
        if "fact" in node:
            fact, line = node["fact"], _line(node, "fact", node.line)
            if not allow_facts:
                self.problem(path, line, subject, "ask_if may read answers only, not facts")
            elif fact not in self.index.derived:
                self.problem(path, line, subject, f"no rule derives the fact '{fact}'"
                             f"{did_you_mean(fact, self.index.derived)}")
        if "answer" in node:
            read.add(node["answer"])
            self.check_answer_test(path, node, subject, before)
        return read

    def check_replaced_ids(self, path: str, line: int | None, subject: str,
                           item: MarkedDict) -> None:
        """An old id a question ``replaces`` must not be a question still, nor be claimed twice:
        either would make the answers reader's pointer ambiguous or wrong."""
        for old_id in item.get("replaces", ()):
            if old_id in self.index.questions:
                self.problem(path, line, subject, f"replaces '{old_id}', which is still a "
                             "question; remove one of them")
            claimed = self.replaced.setdefault(old_id, item["id"])
            if claimed != item["id"]:
                self.problem(path, line, subject, f"replaces '{old_id}', which question "
                             f"'{claimed}' already replaces")

    def check_answer_test(self, path: str, node: MarkedDict, subject: str,
                          before: list[str] | None) -> None:
        question_id = node["answer"]
        line = _line(node, "answer", node.line)
        question = self.index.questions.get(question_id)
        if question is None:
            self.problem(path, line, subject, f"unknown question '{question_id}'"
                         f"{did_you_mean(question_id, self.index.questions)}")
            return
        if before is not None and question_id not in before:
            self.problem(path, line, subject, f"ask_if reads '{question_id}', which is not asked "
                         "before this question")
        op = next(op for op in ("is", "in", "includes", "includes_any") if op in node)
        multi = question["kind"] == "several_of"
        if multi != (op in MULTI_OPS):
            use = "includes / includes_any" if multi else "is / in"
            self.problem(path, _line(node, op, line), subject,
                         f"'{op}' does not fit {question['kind']} question '{question_id}'; "
                         f"use {use}")
        raw = node[op]
        values = list(raw) if isinstance(raw, list) else [raw]
        allowed = question_values(question)
        for value in values:
            if value not in allowed:
                self.problem(path, _line(node, op, line), subject,
                             f"'{value}' is not an answer to '{question_id}'"
                             f"{did_you_mean(value, allowed)}; allowed: {', '.join(allowed)}")

    # -- per file kind ----------------------------------------------------------------------------

    def check_levels(self) -> None:
        for doc in self.docs:
            if doc.kind == "levels":
                self.check_level(doc.path, doc.data.key_lines.get("default_level"), "",
                                 doc.data["default_level"])
                levels = doc.data["levels"]
                for position, level in enumerate(levels[:-1]):  # the lowest is never reached
                    if "safety_net" not in level:
                        self.problem(doc.path, levels.item_lines[position],
                                     f"level '{level['id']}'",
                                     "needs a 'safety_net' heading: the sentence that introduces "
                                     "the warning signs that would raise a result to this level")
                floor = doc.data.get("floor")
                if floor:
                    self.check_level(doc.path, floor.key_lines.get("at_least"), "floor",
                                     floor["at_least"])
                    for key in ("when", "unless"):
                        if key in floor:
                            self.check_condition(doc.path, floor[key], "floor", allow_facts=True)

    def check_questions(self) -> None:
        seen_other = None
        for doc, line, item in _items(self.docs, "questions"):
            subject = f"question '{item['id']}'"
            if item["role"] == "red_flag":
                if seen_other is not None:
                    self.problem(doc.path, line, subject, "red-flag questions must come first, "
                                 f"after only the opening context questions (it follows "
                                 f"'{seen_other}')")
                self.check_level(doc.path, _line(item, "raises_to", line), subject,
                                 item["raises_to"])
            elif item["id"] not in self.opening:
                seen_other = seen_other or item["id"]
            if item["id"] == AUDIENCE_QUESTION:
                self.check_audience_question(doc.path, line, item)
            values = question_values(item)
            for duplicate in sorted({v for v in values if values.count(v) > 1}):
                self.problem(doc.path, _line(item, "options", line), subject,
                             f"option value '{duplicate}' appears more than once")
            self.check_replaced_ids(doc.path, _line(item, "replaces", line), subject, item)
            if "ask_if" in item:
                order = self.index.question_order
                before = order[:order.index(item["id"])] if item["id"] in order else []
                self.check_condition(doc.path, item["ask_if"], subject, allow_facts=False,
                                     before=before)

    def check_audience_question(self, path: str, line: int, item: MarkedDict) -> None:
        """Each answer to ``who`` must name an audience, or its texts could never be read."""
        if item["kind"] != "one_of":
            self.problem(path, line, f"question '{AUDIENCE_QUESTION}'",
                         f"the question '{AUDIENCE_QUESTION}' says whom the questions are about: "
                         "it must be one_of")
            return
        for value in question_values(item):
            if value not in AUDIENCES:
                self.problem(path, _line(item, "options", line), f"question '{AUDIENCE_QUESTION}'",
                             f"'{value}' is not an audience; its answers are "
                             f"{', '.join(AUDIENCES)}")

    @property
    def opening(self) -> tuple[str, ...]:
        return opening_questions((item["id"], item["role"])
                                 for _doc, _line, item in _items(self.docs, "questions"))

    def check_reading(self) -> None:
        for doc, _line_no, item in _items(self.docs, "reading"):
            self.check_sources(doc.path, item, f"reading '{item['id']}'")

    def check_rules(self) -> None:
        read_by_rules: set[str] = set()
        reached_reading: set[str] = set()
        for doc, line, item in _items(self.docs, "rules"):
            subject = f"rule '{item['id']}'"
            read_by_rules |= self.check_condition(doc.path, item["when"], subject,
                                                  allow_facts=True)
            then = item["then"]
            if "level" in then:
                self.check_level(doc.path, _line(then, "level", line), subject, then["level"])
            for position, topic in enumerate(then.get("reading", [])):
                reached_reading.add(topic)
                if topic not in self.index.reading:
                    self.problem(doc.path, then["reading"].item_lines[position], subject,
                                 f"unknown reading topic '{topic}'"
                                 f"{did_you_mean(topic, self.index.reading)}")
            self.check_sources(doc.path, item, subject)
        opening = self.opening
        for doc, line, item in _items(self.docs, "questions"):
            if item["id"] not in read_by_rules and item["id"] not in opening:
                self.problem(doc.path, line, f"question '{item['id']}'",
                             "no rule reads this question")
        for doc, line, item in _items(self.docs, "reading"):
            if item["id"] not in reached_reading:
                self.problem(doc.path, line, f"reading '{item['id']}'",
                             "no rule offers this reading topic")

    def check_wording(self) -> None:
        """Every text worded by audience covers every audience (see audience_gaps)."""
        for doc in self.docs:
            self._wording_in(doc, doc.data, "")

    def _wording_in(self, doc: Document, node: Any, subject: str) -> None:
        """Walk one schema-valid document: a mapping at a wording key is a wording by audience
        (the schemas allow a mapping nowhere else under those keys, nor in texts.yaml)."""
        if isinstance(node, MarkedList):
            for part in node:
                self._wording_in(doc, part, subject)
            return
        if not isinstance(node, MarkedDict):
            return
        if isinstance(node.get("id"), str):
            subject = f"{_NOUNS.get(doc.kind, doc.kind)} '{node['id']}'"
        texts = doc.kind == "texts" and node is doc.data.get("texts")
        for key, value in node.items():
            if isinstance(value, MarkedDict) and (key in WORDING_KEYS or texts):
                for message in audience_gaps(value):
                    self.problem(doc.path, node.key_lines.get(key, node.line),
                                 subject or f"text '{key}'", f"'{key}': {message}")
            else:
                self._wording_in(doc, value, subject)

    def check_strata(self) -> None:
        """Refuse a fact that depends, through rules, on its own absence."""
        from engine.conditions import facts_read, parse_condition
        from engine.run.strata import dependencies_of, negation_cycles

        shapes: dict[str, tuple[dict[str, bool], list[str]]] = {}
        where: dict[str, tuple[str, int]] = {}
        for doc, line, item in _items(self.docs, "rules"):  # a duplicate id: the last one counts
            shapes[item["id"]] = (facts_read(parse_condition(item["when"])),
                                  item["then"].get("derive", []))
            where[item["id"]] = (doc.path, line)
        graph = dependencies_of((rule, reads, derives) for rule, (reads, derives) in shapes.items())
        for rule in negation_cycles(graph):
            self.problem(*where[rule], f"rule '{rule}'",
                         "depends on the absence of a fact that itself depends on this rule; "
                         "the result would depend on firing order")


def audience_gaps(texts: MarkedDict) -> list[str]:
    """What a wording mapping leaves out: [] when every audience is covered.

    Everyone must get a whole sentence written for them: ``self`` always, and each of adult,
    child and baby either by name or through ``other``. An ``other`` that no audience falls back
    to is refused too, as an author who wrote it surely meant someone to read it.
    """
    problems = []
    if "self" not in texts:
        problems.append("no wording for 'self' (the person answering for themselves)")
    others = [a for a in AUDIENCES if a != "self" and a not in texts]
    if others and OTHER not in texts:
        missing = ", ".join(f"'{a}'" for a in others)
        problems.append(f"no wording for {missing}: add {'it' if len(others) == 1 else 'them'}, "
                        f"or '{OTHER}' for everyone answered for who is not named")
    if not others and OTHER in texts:
        problems.append(f"'{OTHER}' is never read: adult, child and baby each have their own "
                        "wording")
    return problems


def cross_reference_problems(docs: list[Document]) -> list[Problem]:
    checker = _Checker(docs)
    checker.collect()
    checker.check_levels()
    checker.check_questions()
    checker.check_reading()
    checker.check_rules()
    checker.check_strata()
    checker.check_wording()
    return checker.problems


__all__ = ["YES_NO_VALUES", "Document", "MarkedList", "cross_reference_problems", "did_you_mean"]
