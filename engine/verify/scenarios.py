"""Scenarios: "given these answers, expect this", written in YAML by anyone, checked by the engine.

Scenario files (``*.scenarios.yaml``) sit beside the rule files they test, like semgrep-rules'
tests beside each rule. A case names answers and what to expect (urgency exact or bounded, rules
that fire or stay silent, reading offered or not); ``xfail`` records a known gap without failing
the run, and an xfail case that starts passing is reported so the note can be removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.load.crosscheck import did_you_mean
from engine.load.documents import read_document
from engine.load.yaml_reader import MarkedDict
from engine.model import AnswerValue, Assessment, KnowledgeBase
from engine.problems import KnowledgeBaseError, Location, Problem
from engine.run.answers import AnswerError, normalise_answers
from engine.run.assess import assess

SUFFIX = ".scenarios.yaml"


@dataclass(frozen=True)
class Expect:
    urgency: str | None = None
    urgency_at_least: str | None = None
    urgency_at_most: str | None = None
    fires: tuple[str, ...] = ()
    not_fires: tuple[str, ...] = ()
    reading_includes: tuple[str, ...] = ()
    reading_excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Teach:
    title: str
    introduction: str


@dataclass(frozen=True)
class Case:
    id: str
    path: str
    line: int
    answers: dict[str, AnswerValue]
    expect: Expect
    description: str = ""
    xfail: str | None = None
    teach: Teach | None = None

    @property
    def where(self) -> Location:
        return Location(self.path, self.line)

    @property
    def name(self) -> str:
        return f"{Path(self.path).name.removesuffix(SUFFIX)}::{self.id}"


@dataclass(frozen=True)
class Outcome:
    """A case's result: status is passed, failed, xfailed or xpassed."""

    case: Case
    status: str
    failures: tuple[str, ...]
    assessment: Assessment

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "xfailed")


def scenario_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"*{SUFFIX}"))


def load_cases(kb: KnowledgeBase, paths: Iterable[Path]) -> list[Case]:
    """Read and check scenario files; raise KnowledgeBaseError listing every problem."""
    cases: list[Case] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        document, found = read_document("scenarios", path)
        problems.extend(found)
        if document is None:
            continue
        shown, items = document.path, document.data["cases"]
        for position, raw in enumerate(items):
            line = items.item_lines[position]
            case, case_problems = _case(kb, raw, shown, line)
            if case.name in seen:
                case_problems.append(Problem(shown, line, f"case '{case.id}'",
                                             f"duplicate case id (first at {seen[case.name]})"))
            seen[case.name] = str(case.where)
            problems.extend(case_problems)
            cases.append(case)
    if problems:
        raise KnowledgeBaseError(problems)
    return cases


def _case(kb: KnowledgeBase, raw: MarkedDict, path: str, line: int
          ) -> tuple[Case, list[Problem]]:
    subject = f"case '{raw['id']}'"
    problems: list[Problem] = []
    try:
        answers = normalise_answers(kb, raw["answers"])
    except AnswerError as exc:
        answer_line = raw["answers"].key_lines.get(exc.question or "", line)
        problems.append(Problem(path, answer_line, subject, str(exc)))
        answers = {}
    expect_raw: dict[str, Any] = raw["expect"]
    known = {"fires": {r.id for r in kb.rules}, "not_fires": {r.id for r in kb.rules},
             "reading_includes": {r.id for r in kb.reading},
             "reading_excludes": {r.id for r in kb.reading}}
    levels = [level.id for level in kb.levels]
    expect_line = raw.key_lines.get("expect", line)
    for key in ("urgency", "urgency_at_least", "urgency_at_most"):
        if key in expect_raw and expect_raw[key] not in levels:
            problems.append(Problem(path, expect_line, subject,
                                    f"unknown level '{expect_raw[key]}'"
                                    f"{did_you_mean(expect_raw[key], levels)}"))
    for key, names in known.items():
        for name in expect_raw.get(key, ()):
            if name not in names:
                noun = "rule" if "fires" in key else "reading topic"
                problems.append(Problem(path, expect_line, subject, f"{key}: unknown {noun} "
                                        f"'{name}'{did_you_mean(name, names)}"))
    teach = raw.get("teach")
    case = Case(
        id=raw["id"], path=path, line=line, answers=answers,
        expect=_expect(expect_raw),
        description=str(raw.get("description", "")).strip(), xfail=raw.get("xfail"),
        teach=Teach(teach["title"].strip(), teach["introduction"].strip()) if teach else None)
    return case, problems


def _expect(raw: dict[str, Any]) -> Expect:
    def ids(key: str) -> tuple[str, ...]:
        return tuple(raw.get(key, ()))

    return Expect(urgency=raw.get("urgency"), urgency_at_least=raw.get("urgency_at_least"),
                  urgency_at_most=raw.get("urgency_at_most"), fires=ids("fires"),
                  not_fires=ids("not_fires"), reading_includes=ids("reading_includes"),
                  reading_excludes=ids("reading_excludes"))


def check_case(kb: KnowledgeBase, case: Case, result: Assessment) -> list[str]:
    """What differs between a case's expectations and a result, in words."""
    expect = case.expect
    rank = {level.id: level.rank for level in kb.levels}
    got = result.level.id
    failures = []
    if expect.urgency and got != expect.urgency:
        failures.append(f"urgency: expected {expect.urgency}, got {got}")
    if expect.urgency_at_least and rank[got] < rank[expect.urgency_at_least]:
        failures.append(f"urgency: expected at least {expect.urgency_at_least}, got {got}")
    if expect.urgency_at_most and rank[got] > rank[expect.urgency_at_most]:
        failures.append(f"urgency: expected at most {expect.urgency_at_most}, got {got}")
    fired = result.fired
    reading = {item.id for item in result.reading}
    missing = [rule for rule in expect.fires if rule not in fired]
    if missing:
        failures.append(f"fires: expected {', '.join(missing)} to fire; it did not")
    unwanted = [rule for rule in expect.not_fires if rule in fired]
    if unwanted:
        failures.append(f"not_fires: expected {', '.join(unwanted)} to stay silent; it fired")
    absent = [topic for topic in expect.reading_includes if topic not in reading]
    if absent:
        failures.append(f"reading_includes: {', '.join(absent)} not offered")
    extra = [topic for topic in expect.reading_excludes if topic in reading]
    if extra:
        failures.append(f"reading_excludes: {', '.join(extra)} offered")
    return failures


def run_case(kb: KnowledgeBase, case: Case) -> Outcome:
    result = assess(kb, case.answers)
    failures = tuple(check_case(kb, case, result))
    if case.xfail:
        status = "xfailed" if failures else "xpassed"
        if not failures:
            failures = (f"marked xfail ({case.xfail}) but it passes: remove the xfail",)
    else:
        status = "failed" if failures else "passed"
    return Outcome(case, status, failures, result)


@dataclass
class Coverage:
    """How often each rule fired and stayed silent over the cases, and who reads each question."""

    fired_in: dict[str, int] = field(default_factory=dict)
    silent_in: dict[str, int] = field(default_factory=dict)
    answered_in: dict[str, int] = field(default_factory=dict)
    read_by: dict[str, list[str]] = field(default_factory=dict)

    @property
    def uncovered_rules(self) -> list[str]:
        return [rule for rule in self.fired_in
                if not self.fired_in[rule] or not self.silent_in[rule]]

    @property
    def unanswered_questions(self) -> list[str]:
        return [question for question, count in self.answered_in.items() if not count]


def coverage(kb: KnowledgeBase, outcomes: list[Outcome]) -> Coverage:
    from engine.conditions import questions_read

    result = Coverage()
    for rule in kb.rules:
        result.fired_in[rule.id] = sum(rule.id in o.assessment.fired for o in outcomes
                                       if not o.case.xfail)
        result.silent_in[rule.id] = sum(rule.id not in o.assessment.fired for o in outcomes
                                        if not o.case.xfail)
    for question in kb.questions:
        result.answered_in[question.id] = sum(question.id in o.case.answers for o in outcomes)
        result.read_by[question.id] = [rule.id for rule in kb.rules
                                       if question.id in questions_read(rule.when)]
    return result
