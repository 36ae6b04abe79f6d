"""Cross-reference checks that a schema cannot express, on the typed objects of a Draft.

Runs on the Draft that engine/load/build.py made from schema-valid documents (each object
keeping where it is written) and reports every problem at once: unknown or misspelt names (with a
"did you mean"), duplicate ids, answer values a question does not offer, facts no rule derives,
questions no rule reads, ``ask_if`` reading a later question, red flags not asked first, negation
cycles that would make the result depend on firing order, and texts worded by audience that
leave an audience out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from engine.conditions import MULTI_OPS
from engine.load.build import Draft
from engine.model import (
    AUDIENCE_QUESTION,
    AUDIENCES,
    OTHER,
    AllOf,
    AnswerTest,
    AnyOf,
    Condition,
    FactTest,
    NotOf,
    Question,
    Wording,
    opening_questions,
)
from engine.problems import Location, Marks, Problem


@dataclass
class _Index:
    """Names defined across the knowledge base (the first of a duplicate), for reference checks."""

    levels: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    questions: dict[str, Question] = field(default_factory=dict)
    question_order: list[str] = field(default_factory=list)
    reading: set[str] = field(default_factory=set)
    derived: dict[str, list[str]] = field(default_factory=dict)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    import difflib  # only for a misspelt name

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Checker:
    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.problems: list[Problem] = []
        self.index = _Index()
        self.opening = opening_questions((q.id, q.role) for q in draft.questions)
        self.replaced: dict[str, str] = {}  # old question id -> the question that replaces it

    def problem(self, path: str, line: int | None, subject: str, message: str) -> None:
        self.problems.append(Problem(path, line, subject, message))

    # -- definitions ------------------------------------------------------------------------------

    def collect(self) -> None:
        seen: dict[tuple[str, str], Location] = {}

        def define(kind: str, where: Location, item_id: str) -> bool:
            if (kind, item_id) in seen:
                self.problem(where.path, where.line, f"{kind} '{item_id}'",
                             f"duplicate id (first defined at {seen[(kind, item_id)]})")
                return False
            seen[(kind, item_id)] = where
            return True

        draft = self.draft
        for level in draft.levels:
            if define("level", Location(draft.levels_path, level.line), level.id):
                self.index.levels.append(level.id)
        for source in draft.sources:
            if define("source", source.where, source.id):
                self.index.sources.add(source.id)
        for question in draft.questions:
            if define("question", question.where, question.id):
                self.index.questions[question.id] = question
                self.index.question_order.append(question.id)
        for item in draft.reading:
            if define("reading", item.where, item.id):
                self.index.reading.add(item.id)
        for rule in draft.rules:
            if define("rule", rule.where, rule.id):
                for fact in rule.then.derive:
                    self.index.derived.setdefault(fact, []).append(rule.id)

    # -- references -------------------------------------------------------------------------------

    def check_level(self, path: str, line: int | None, subject: str, level: str) -> None:
        if level not in self.index.levels:
            self.problem(path, line, subject, f"unknown level '{level}'"
                         f"{did_you_mean(level, self.index.levels)}; levels are "
                         f"{', '.join(self.index.levels)}")

    def check_sources(self, path: str, sources: tuple[str, ...], marks: Marks,
                      subject: str) -> None:
        for position, source in enumerate(sources):
            if source not in self.index.sources:
                self.problem(path, marks.item("sources", position), subject,
                             f"unknown source '{source}'"
                             f"{did_you_mean(source, self.index.sources)}")

    def check_condition(self, path: str, condition: Condition, subject: str, *,
                        allow_facts: bool, before: list[str] | None = None) -> set[str]:
        """Check one condition tree; return the questions it reads."""
        if isinstance(condition, (AllOf, AnyOf)):
            read: set[str] = set()
            for part in condition.parts:
                read |= self.check_condition(path, part, subject, allow_facts=allow_facts,
                                             before=before)
            return read
        if isinstance(condition, NotOf):
            return self.check_condition(path, condition.part, subject, allow_facts=allow_facts,
                                        before=before)
        if isinstance(condition, FactTest):
            fact, line = condition.fact, condition.marks.key("fact")
            if not allow_facts:
                self.problem(path, line, subject, "ask_if may read answers only, not facts")
            elif fact not in self.index.derived:
                self.problem(path, line, subject, f"no rule derives the fact '{fact}'"
                             f"{did_you_mean(fact, self.index.derived)}")
            return set()
        self.check_answer_test(path, condition, subject, before)
        return {condition.question}

    def check_replaced_ids(self, question: Question, subject: str) -> None:
        """An old id a question ``replaces`` must not be a question still, nor be claimed twice:
        either would make the answers reader's pointer ambiguous or wrong."""
        path, line = question.where.path, question.marks.key("replaces")
        for old_id in question.replaces:
            if old_id in self.index.questions:
                self.problem(path, line, subject, f"replaces '{old_id}', which is still a "
                             "question; remove one of them")
            claimed = self.replaced.setdefault(old_id, question.id)
            if claimed != question.id:
                self.problem(path, line, subject, f"replaces '{old_id}', which question "
                             f"'{claimed}' already replaces")

    def check_answer_test(self, path: str, test: AnswerTest, subject: str,
                          before: list[str] | None) -> None:
        question_id = test.question
        line = test.marks.key("answer")
        question = self.index.questions.get(question_id)
        if question is None:
            self.problem(path, line, subject, f"unknown question '{question_id}'"
                         f"{did_you_mean(question_id, self.index.questions)}")
            return
        if before is not None and question_id not in before:
            self.problem(path, line, subject, f"ask_if reads '{question_id}', which is not asked "
                         "before this question")
        op, op_line = test.op, test.marks.keys.get(test.op, line)
        multi = question.kind == "several_of"
        if multi != (op in MULTI_OPS):
            use = "includes / includes_any" if multi else "is / in"
            self.problem(path, op_line, subject,
                         f"'{op}' does not fit {question.kind} question '{question_id}'; "
                         f"use {use}")
        allowed = question.values
        for value in sorted(test.values):
            if value not in allowed:
                self.problem(path, op_line, subject,
                             f"'{value}' is not an answer to '{question_id}'"
                             f"{did_you_mean(value, allowed)}; allowed: {', '.join(allowed)}")

    # -- per kind of item -------------------------------------------------------------------------

    def check_levels(self) -> None:
        draft = self.draft
        path = draft.levels_path
        self.check_level(path, draft.levels_marks.keys.get("default_level"), "",
                         draft.default_level)
        for level in draft.levels[:-1]:  # the lowest is never reached
            if level.safety_net is None:
                self.problem(path, level.line, f"level '{level.id}'",
                             "needs a 'safety_net' heading: the sentence that introduces "
                             "the warning signs that would raise a result to this level")
        floor = draft.floor
        if floor:
            self.check_level(path, floor.marks.keys.get("at_least"), "floor", floor.at_least)
            for condition in (floor.when, floor.unless):
                if condition is not None:
                    self.check_condition(path, condition, "floor", allow_facts=True)

    def check_questions(self) -> None:
        seen_other = None
        for question in self.draft.questions:
            path, line = question.where
            subject = f"question '{question.id}'"
            if question.role == "red_flag":
                if seen_other is not None:
                    self.problem(path, line, subject, "red-flag questions must come first, "
                                 f"after only the opening context questions (it follows "
                                 f"'{seen_other}')")
                self.check_level(path, question.marks.key("raises_to"), subject,
                                 question.raises_to or "")
            elif question.id not in self.opening:
                seen_other = seen_other or question.id
            if question.id == AUDIENCE_QUESTION:
                self.check_audience_question(question)
            values = question.values
            for duplicate in sorted({v for v in values if values.count(v) > 1}):
                self.problem(path, question.marks.key("options"), subject,
                             f"option value '{duplicate}' appears more than once")
            self.check_replaced_ids(question, subject)
            if question.ask_if is not None:
                order = self.index.question_order
                before = order[:order.index(question.id)] if question.id in order else []
                self.check_condition(path, question.ask_if, subject, allow_facts=False,
                                     before=before)

    def check_audience_question(self, question: Question) -> None:
        """Each answer to ``who`` must name an audience, or its texts could never be read."""
        path, line = question.where
        if question.kind != "one_of":
            self.problem(path, line, f"question '{AUDIENCE_QUESTION}'",
                         f"the question '{AUDIENCE_QUESTION}' says whom the questions are about: "
                         "it must be one_of")
            return
        for value in question.values:
            if value not in AUDIENCES:
                self.problem(path, question.marks.key("options"),
                             f"question '{AUDIENCE_QUESTION}'",
                             f"'{value}' is not an audience; its answers are "
                             f"{', '.join(AUDIENCES)}")

    def check_reading(self) -> None:
        for item in self.draft.reading:
            self.check_sources(item.where.path, item.sources, item.marks, f"reading '{item.id}'")

    def check_rules(self) -> None:
        read_by_rules: set[str] = set()
        reached_reading: set[str] = set()
        for rule in self.draft.rules:
            path, subject, then = rule.where.path, f"rule '{rule.id}'", rule.then
            read_by_rules |= self.check_condition(path, rule.when, subject, allow_facts=True)
            if then.level is not None:
                self.check_level(path, then.marks.key("level"), subject, then.level)
            for position, topic in enumerate(then.reading):
                reached_reading.add(topic)
                if topic not in self.index.reading:
                    self.problem(path, then.marks.item("reading", position), subject,
                                 f"unknown reading topic '{topic}'"
                                 f"{did_you_mean(topic, self.index.reading)}")
            self.check_sources(path, rule.sources, rule.marks, subject)
        for question in self.draft.questions:
            if question.id not in read_by_rules and question.id not in self.opening:
                self.problem(*question.where, f"question '{question.id}'",
                             "no rule reads this question")
        for item in self.draft.reading:
            if item.id not in reached_reading:
                self.problem(*item.where, f"reading '{item.id}'",
                             "no rule offers this reading topic")

    def check_wording(self) -> None:
        """Every text worded by audience covers every audience (see audience_gaps)."""
        for path, marks, subject, worded in self._worded():
            for key, text in worded.items():
                for message in audience_gaps(text):
                    self.problem(path, marks.key(key), subject or f"text '{key}'",
                                 f"'{key}': {message}")

    def _worded(self) -> Iterator[tuple[str, Marks, str, dict[str, Wording]]]:
        """Each object's texts written by audience: (file, the object's marks, subject, texts)."""
        draft = self.draft
        notice = {"notice": draft.notice} if draft.notice.given else {}
        yield draft.levels_path, draft.levels_marks, "", notice
        for level in draft.levels:
            yield draft.levels_path, level.marks, f"level '{level.id}'", dict(level.worded)
        for question in draft.questions:
            subject = f"question '{question.id}'"
            yield question.where.path, question.marks, subject, dict(question.worded)
            for option in question.options:
                yield question.where.path, option.marks, subject, dict(option.worded)
        for item in draft.reading:
            yield item.where.path, item.marks, f"reading '{item.id}'", dict(item.worded)
        for rule in draft.rules:
            yield rule.where.path, rule.then.marks, f"rule '{rule.id}'", dict(rule.then.worded)
        texts = draft.texts
        for name, text in texts.worded.items():
            where = texts.where[name]
            yield where.path, Marks(where.line), "", {name: text}

    def check_strata(self) -> None:
        """Refuse a fact that depends, through rules, on its own absence."""
        from engine.conditions import facts_read
        from engine.run.strata import dependencies_of, negation_cycles

        shapes: dict[str, tuple[dict[str, bool], tuple[str, ...]]] = {}
        where: dict[str, Location] = {}
        for rule in self.draft.rules:  # a duplicate id: the last one counts
            shapes[rule.id] = (facts_read(rule.when), rule.then.derive)
            where[rule.id] = rule.where
        graph = dependencies_of((rule, reads, derives) for rule, (reads, derives) in shapes.items())
        for rule_id in negation_cycles(graph):
            self.problem(*where[rule_id], f"rule '{rule_id}'",
                         "depends on the absence of a fact that itself depends on this rule; "
                         "the result would depend on firing order")


def audience_gaps(texts: Wording) -> list[str]:
    """What a wording mapping leaves out: [] when every audience is covered.

    Everyone must get a whole sentence written for them: ``self`` always, and each of adult,
    child and baby either by name or through ``other``. An ``other`` that no audience falls back
    to is refused too, as an author who wrote it surely meant someone to read it.
    """
    given = texts.given
    problems = []
    if "self" not in given:
        problems.append("no wording for 'self' (the person answering for themselves)")
    others = [a for a in AUDIENCES if a != "self" and a not in given]
    if others and OTHER not in given:
        missing = ", ".join(f"'{a}'" for a in others)
        problems.append(f"no wording for {missing}: add {'it' if len(others) == 1 else 'them'}, "
                        f"or '{OTHER}' for everyone answered for who is not named")
    if not others and OTHER in given:
        problems.append(f"'{OTHER}' is never read: adult, child and baby each have their own "
                        "wording")
    return problems


def cross_reference_problems(draft: Draft) -> list[Problem]:
    """Every problem the schemas cannot see, in one built (not yet checked) knowledge base."""
    checker = _Checker(draft)
    checker.collect()
    checker.check_levels()
    checker.check_questions()
    checker.check_reading()
    checker.check_rules()
    checker.check_strata()
    checker.check_wording()
    return checker.problems


__all__ = ["audience_gaps", "cross_reference_problems", "did_you_mean"]
