"""Cross-reference checks that a schema cannot express.

Runs on schema-valid documents (still carrying line marks) and reports every problem at once:
unknown or misspelt names (with a "did you mean"), duplicate ids, answer values a question does not
offer, facts no rule derives, questions no rule reads, ``ask_if`` reading a later question, red
flags not asked first, and negation cycles that would make the result depend on firing order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.conditions import MULTI_OPS
from engine.load.yaml_reader import MarkedDict, MarkedList
from engine.problems import Problem

YES_NO_VALUES = ("yes", "no", "unsure")


class Document(NamedTuple):
    """One parsed, schema-valid knowledge base file."""

    kind: str
    path: str
    data: MarkedDict


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


def question_values(question: MarkedDict) -> list[str]:
    if question["kind"] == "yes_no":
        return list(YES_NO_VALUES)
    return [option["value"] for option in question["options"]]


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

    def problem(self, path: str, line: int | None, subject: str, message: str) -> None:
        self.problems.append(Problem(path, line, subject, message))

    # -- definitions ------------------------------------------------------------------------------

    def collect(self) -> None:
        seen: dict[tuple[str, str], tuple[str, int]] = {}

        def define(kind: str, noun: str, doc: Document, line: int, item_id: str) -> bool:
            if (kind, item_id) in seen:
                first_path, first_line = seen[(kind, item_id)]
                self.problem(doc.path, line, f"{noun} '{item_id}'",
                             f"duplicate id (first defined at {first_path}:{first_line})")
                return False
            seen[(kind, item_id)] = (doc.path, line)
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
                    self.problem(doc.path, line, subject, "red-flag questions must come first "
                                 f"(it follows '{seen_other}')")
                self.check_level(doc.path, _line(item, "raises_to", line), subject,
                                 item["raises_to"])
            else:
                seen_other = seen_other or item["id"]
            values = question_values(item)
            for duplicate in sorted({v for v in values if values.count(v) > 1}):
                self.problem(doc.path, _line(item, "options", line), subject,
                             f"option value '{duplicate}' appears more than once")
            if "ask_if" in item:
                order = self.index.question_order
                before = order[:order.index(item["id"])] if item["id"] in order else []
                self.check_condition(doc.path, item["ask_if"], subject, allow_facts=False,
                                     before=before)

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
        for doc, line, item in _items(self.docs, "questions"):
            if item["id"] not in read_by_rules:
                self.problem(doc.path, line, f"question '{item['id']}'",
                             "no rule reads this question")
        for doc, line, item in _items(self.docs, "reading"):
            if item["id"] not in reached_reading:
                self.problem(doc.path, line, f"reading '{item['id']}'",
                             "no rule offers this reading topic")

    def check_strata(self) -> None:
        """Refuse a fact that depends, through rules, on its own absence."""
        for cycle_rule, doc, line in negation_cycles(self.docs):
            self.problem(doc.path, line, f"rule '{cycle_rule}'",
                         "depends on the absence of a fact that itself depends on this rule; "
                         "the result would depend on firing order")


def negation_cycles(docs: list[Document]) -> list[tuple[str, Document, int]]:
    """Rules that sit on a dependency cycle passing through a ``not``."""
    from engine.conditions import facts_read, parse_condition

    derives: dict[str, set[str]] = {}
    reads: dict[str, dict[str, bool]] = {}
    where: dict[str, tuple[Document, int]] = {}
    for doc, line, item in _items(docs, "rules"):
        derives[item["id"]] = set(item["then"].get("derive", []))
        reads[item["id"]] = facts_read(parse_condition(item["when"]))
        where[item["id"]] = (doc, line)
    # rule -> rules it depends on (those deriving a fact it reads), with negation flag
    edges: dict[str, list[tuple[str, bool]]] = {rule: [] for rule in derives}
    for rule, facts in reads.items():
        for fact, negated in facts.items():
            for other, produced in derives.items():
                if fact in produced:
                    edges[rule].append((other, negated))
    bad = []
    for rule in derives:
        # Is there a path rule -> ... -> rule using at least one negated edge?
        stack = [(dep, neg) for dep, neg in edges[rule]]
        seen: set[tuple[str, bool]] = set()
        while stack:
            node, neg = stack.pop()
            if (node, neg) in seen:
                continue
            seen.add((node, neg))
            if node == rule and neg:
                bad.append((rule, *where[rule]))
                break
            stack.extend((dep, neg or dep_neg) for dep, dep_neg in edges[node])
    return bad


def cross_reference_problems(docs: list[Document]) -> list[Problem]:
    checker = _Checker(docs)
    checker.collect()
    checker.check_levels()
    checker.check_questions()
    checker.check_reading()
    checker.check_rules()
    checker.check_strata()
    return checker.problems


__all__ = ["YES_NO_VALUES", "Document", "MarkedList", "cross_reference_problems", "did_you_mean"]
