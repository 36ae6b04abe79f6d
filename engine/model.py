"""The knowledge base and assessment as typed values.

Everything past the loader works on these frozen data classes, never on raw YAML dicts, so a
misspelt key is caught once, at load time, with a file and line, and not later as a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

QuestionKind = Literal["yes_no", "one_of", "several_of"]
QuestionRole = Literal["red_flag", "symptom", "context"]

#: An answer: one option value, or for a several-of question the sorted chosen values.
AnswerValue = str | tuple[str, ...]
Answers = Mapping[str, AnswerValue]


@dataclass(frozen=True)
class Where:
    """A place in a knowledge base file, for messages."""

    path: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


# --- the condition language ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerTest:
    """True when the question was answered with one of ``values``.

    For a several-of question: when any chosen option is among ``values``. An unanswered question
    never satisfies a test, so ``not`` of a test holds when the question was not answered.
    """

    question: str
    values: frozenset[str]
    op: str = "is"


@dataclass(frozen=True)
class FactTest:
    """True when some fired rule derived the named fact."""

    fact: str


@dataclass(frozen=True)
class AllOf:
    """True when every part is true (an empty list never occurs: the schema needs one)."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """True when at least one part is true."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class NotOf:
    """True when the part is false; for an answer test, also when the question was not asked."""

    part: Condition


Condition = AnswerTest | FactTest | AllOf | AnyOf | NotOf


# --- the knowledge base --------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One choice of a question: the value stored in answers files, the label people read."""

    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question, asked only when ``ask_if`` holds; ``where`` is for messages, not identity."""

    id: str
    text: str
    kind: QuestionKind
    role: QuestionRole
    options: tuple[Option, ...]
    why: str
    ask_if: Condition | None = None
    #: For a red flag: the level a "yes" must always reach, whatever else is answered.
    raises_to: str | None = None
    where: Where = field(default=Where("", None), compare=False)

    @cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def label_of(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    def answer_text(self, value: AnswerValue) -> str:
        """An answer as the person saw it: option labels (joined by '; ', as labels hold commas)."""
        if isinstance(value, str):
            return self.label_of(value)
        return "; ".join(self.label_of(v) for v in value) or "none of these"


@dataclass(frozen=True)
class Then:
    """What a rule concludes: any of an urgency level, guidance, reading and derived facts."""

    level: str | None = None
    guidance: str | None = None
    reading: tuple[str, ...] = ()
    derive: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A rule of the knowledge base: when its condition holds, its conclusions are added."""

    id: str
    title: str
    when: Condition
    then: Then
    explanation: str
    sources: tuple[str, ...]
    where: Where = field(default=Where("", None), compare=False)
    #: The review record (after Sigma rules): how settled the rule is, and when a clinician last
    #: checked it against its sources. None in a knowledge base that keeps no record.
    status: str | None = None
    reviewed: str | None = None


@dataclass(frozen=True)
class Level:
    """An urgency level; ``rank`` orders them (0 is the lowest) so levels combine by maximum."""

    id: str
    rank: int
    title: str
    advice: str
    #: At this level the only task is to get help: results carry no reading, and only the
    #: guidance of rules at this level (nothing about exercise while calling for help).
    only_what_to_do_now: bool = False


@dataclass(frozen=True)
class ReadingItem:
    """A reading topic a rule can point to, with the sources its summary was written from."""

    id: str
    title: str
    summary: str
    sources: tuple[str, ...]
    link: str
    where: Where = field(default=Where("", None), compare=False)


@dataclass(frozen=True)
class Floor:
    """A stated safety claim: when ``when`` holds and ``unless`` does not, level >= at_least."""

    when: Condition
    at_least: str
    unless: Condition | None = None


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """A validated knowledge base: questions in asking order, rules, levels highest first.

    Compared by identity (eq=False), so a compiled network can be cached per instance.
    """

    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    levels: tuple[Level, ...]
    default_level: str
    notice: str
    reading: tuple[ReadingItem, ...]
    #: (source id, full citation) pairs, in the order of sources.yaml.
    sources: tuple[tuple[str, str], ...] = ()
    floor: Floor | None = None
    root: str = ""
    _question_index: dict[str, Question] = field(init=False, repr=False, compare=False)
    _rule_index: dict[str, Rule] = field(init=False, repr=False, compare=False)
    _level_index: dict[str, Level] = field(init=False, repr=False, compare=False)
    _reading_index: dict[str, ReadingItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_question_index", {q.id: q for q in self.questions})
        object.__setattr__(self, "_rule_index", {r.id: r for r in self.rules})
        object.__setattr__(self, "_level_index", {lv.id: lv for lv in self.levels})
        object.__setattr__(self, "_reading_index", {item.id: item for item in self.reading})

    def question(self, question_id: str) -> Question:
        return self._question_index[question_id]

    def rule(self, rule_id: str) -> Rule:
        return self._rule_index[rule_id]

    def level(self, level_id: str) -> Level:
        return self._level_index[level_id]

    def reading_item(self, topic_id: str) -> ReadingItem:
        return self._reading_index[topic_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._question_index

    def citation(self, source_id: str) -> str:
        return dict(self.sources).get(source_id, source_id)


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceStep:
    """One fired rule and what made it fire, in plain words."""

    rule: Rule
    because: tuple[str, ...]
    concluded: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """What the knowledge base concludes from a set of answers. Never a diagnosis."""

    level: Level
    notice: str
    guidance: tuple[str, ...]
    reading: tuple[ReadingItem, ...]
    trace: tuple[TraceStep, ...]
    answers: Answers
    derived: frozenset[str] = frozenset()
    #: Answers set aside because their question would not have been asked (its ask_if was false).
    ignored: tuple[str, ...] = ()

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(step.rule.id for step in self.trace)
