"""The knowledge base and assessment as typed values.

Everything past the loader works on these frozen data classes, never on raw YAML dicts, so a
misspelt key is caught once, at load time, with a file and line, and not later as a KeyError.
The loader's cross-checks work on them too: each object built from a file keeps where it is
written (``where``, and ``marks`` for the lines of its keys), and its texts as written for every
audience (``worded``), none of which takes part in comparing objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from engine.problems import NO_MARKS, Location, Marks

QuestionKind = Literal["yes_no", "one_of", "several_of"]
QuestionRole = Literal["red_flag", "symptom", "context"]

#: An answer: one option value, or for a several-of question the sorted chosen values.
AnswerValue = str | tuple[str, ...]


# --- who the questions are about -----------------------------------------------------------------

#: Whom a session's questions are about: the person answering, or an adult, a child or a baby
#: they answer for. Every reader text may be worded for each (rules/ YAML, "Who the questions
#: are about" in docs/knowledge-base.md).
Audience = Literal["self", "adult", "child", "baby"]
AUDIENCES: tuple[Audience, ...] = ("self", "adult", "child", "baby")
#: In a wording mapping, the key that stands for any of adult, child and baby not given.
OTHER = "other"
#: The question whose answer is the audience. Without an answer (old answer files, scenarios,
#: a knowledge base without it) the questions are about the person answering.
AUDIENCE_QUESTION = "who"


def opening_questions(roles: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The ids of the context questions asked before anything else, from (id, role) pairs in
    asking order: who the questions are about and the person's age. They describe the person, so
    they come before the red flags, and no rule needs to read them (the wording and other
    questions' ask_if do)."""
    found = []
    for question_id, role in roles:
        if role != "context":
            break
        found.append(question_id)
    return tuple(found)


def audience_of(answers: Mapping[str, AnswerValue]) -> Audience:
    """The audience a set of answers speaks for: the answer to ``who``, else ``self``."""
    given = answers.get(AUDIENCE_QUESTION)
    for audience in AUDIENCES:
        if given == audience:
            return audience
    return "self"


@dataclass(frozen=True)
class Wording:
    """One reader text as whole sentences for each audience (the same string for all, often).

    Authors write either a plain string or a mapping by audience (``self``, ``adult``, ``child``,
    ``baby``, and ``other`` for those not given); the loader turns both into this, after the
    cross-checks made sure every audience is covered. Sentences are never glued from fragments,
    so the text a reader sees is the text an author wrote and the wording lint checked.
    """

    #: The text for each audience, in the order of AUDIENCES.
    by_audience: tuple[str, str, str, str]
    #: The keys the author wrote, for a text written as a mapping by audience (else empty): what
    #: the cross-checks read to find an audience left out.
    given: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def same(cls, text: str) -> Wording:
        return cls((text, text, text, text))

    @classmethod
    def from_mapping(cls, texts: Mapping[str, str]) -> Wording:
        """From an author's mapping: a missing adult, child or baby falls back to ``other``.

        A mapping that leaves an audience out is refused by the cross-checks, which run on the
        built objects; until then that audience reads the ``self`` text (or any given), so
        building never fails on it.
        """
        first = next(iter(texts.values()))

        def text_for(audience: Audience) -> str:
            if audience in texts:
                return texts[audience]
            if audience != "self" and OTHER in texts:
                return texts[OTHER]
            return texts.get("self", first)
        self_text, adult, child, baby = (text_for(audience) for audience in AUDIENCES)
        return cls((self_text, adult, child, baby), frozenset(texts))

    def for_audience(self, audience: Audience) -> str:
        return self.by_audience[AUDIENCES.index(audience)]

    @property
    def uniform(self) -> bool:
        """The same words for everyone."""
        return len(set(self.by_audience)) == 1

    def variants(self) -> tuple[tuple[tuple[Audience, ...], str], ...]:
        """Each distinct text with the audiences that read it, in the order of AUDIENCES."""
        found: dict[str, list[Audience]] = {}
        for audience, text in zip(AUDIENCES, self.by_audience, strict=True):
            found.setdefault(text, []).append(audience)
        return tuple((tuple(audiences), text) for text, audiences in found.items())


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
    #: The lines of ``answer`` and of the operator key, for the cross-checks' messages.
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)


@dataclass(frozen=True)
class FactTest:
    """True when some fired rule derived the named fact."""

    fact: str
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)


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
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)
    worded: Mapping[str, Wording] = field(default_factory=dict, compare=False, repr=False)


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
    #: For a several-of question: answers that can only be chosen on their own ("Not sure",
    #: "Does not apply" offered by a flag, and options marked ``alone`` such as "None of these":
    #: ticked beside a real answer they contradict it).
    alone: frozenset[str] = frozenset()
    #: Ids of older questions this one replaced (``replaces``); their answers are refused with a
    #: pointer here rather than carried over, because the question's meaning changed.
    replaces: tuple[str, ...] = ()
    where: Location = field(default=Location(""), compare=False)
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)
    #: The texts written by audience (``text``, ``why``), as written; see Wording.
    worded: Mapping[str, Wording] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def label_of(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    def combination_problem(self, value: AnswerValue) -> str | None:
        """Why these ticks cannot go together (an answer that goes alone, with others), or None."""
        if isinstance(value, str) or len(set(value)) < 2:
            return None
        for single in sorted(self.alone & set(value)):
            return (f"'{self.label_of(single)}' goes on its own: choose it alone, or choose "
                    "the others without it")
        return None

    @property
    def none_chosen(self) -> tuple[str, ...]:
        """A several-of question answered "none of these": the list's own "None of these"
        option where it has one (it goes alone), else nothing ticked. Every front end records
        this one value for it, whether the person ticks nothing, types "none" or ticks the
        option."""
        return ("none",) if "none" in self.alone else ()

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
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)
    worded: Mapping[str, Wording] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Rule:
    """A rule of the knowledge base: when its condition holds, its conclusions are added."""

    id: str
    title: str
    when: Condition
    then: Then
    explanation: str
    sources: tuple[str, ...]
    where: Location = field(default=Location(""), compare=False)
    #: The review record (after Sigma rules): how settled the rule is, and when a clinician last
    #: checked it against its sources. None in a knowledge base that keeps no record.
    status: str | None = None
    reviewed: str | None = None
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)


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
    #: A line about the reading, shown after the advice only when the result offers reading, so
    #: a result without any never promises it.
    with_reading: str | None = None
    #: Safety-netting: the reader text that introduces the warning signs which would raise a
    #: result to this level (levels.yaml; every level above the lowest has one).
    safety_net: str | None = None
    #: Where the level is written in levels.yaml, for the wording lint's messages.
    line: int | None = field(default=None, compare=False)
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)
    worded: Mapping[str, Wording] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ReadingItem:
    """A reading topic a rule can point to, with the sources its summary was written from."""

    id: str
    title: str
    summary: str
    sources: tuple[str, ...]
    link: str
    where: Location = field(default=Location(""), compare=False)
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)
    worded: Mapping[str, Wording] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Floor:
    """A stated safety claim: when ``when`` holds and ``unless`` does not, level >= at_least."""

    when: Condition
    at_least: str
    unless: Condition | None = None
    #: Where ``floor:`` is written in levels.yaml, for `check`'s messages.
    line: int | None = None
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)


@dataclass(frozen=True)
class Texts:
    """The reader texts of texts.yaml: what the front ends and the report say around the results.

    They live in rules/ rather than in code so that both front ends and the report say the same
    thing, an educator can reword them, and the wording lint checks them.
    """

    #: What the tool is, before the first question.
    welcome: str
    #: How the questions run: warning signs first, stopping at an answer that needs help now.
    how_it_runs: str
    #: Said when an answer ended the questions early.
    stopped_early: str
    #: Above the reading: it is about a subject, not about the person.
    reading_intro: str
    #: The report's title.
    report_title: str
    #: Before the notice in the report.
    not_a_diagnosis: str
    #: Under the answers in the report: a question not listed was not answered (unknown, not no).
    report_unanswered: str
    #: Where each text is written, by field name, for messages.
    where: Mapping[str, Location] = field(default_factory=dict, compare=False)
    worded: Mapping[str, Wording] = field(default_factory=dict, compare=False, repr=False)


TEXT_NAMES = ("welcome", "how_it_runs", "stopped_early", "reading_intro", "report_title",
              "not_a_diagnosis", "report_unanswered")


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """A validated knowledge base: questions in asking order, rules, levels highest first.

    Every reader text in it is worded for one audience (``audience``); ``for_audience`` gives the
    same knowledge base worded for another. The versions share everything that is not worded
    differently, and one compiled network serves them all. Compared by identity (eq=False), so a
    compiled network can be cached per instance.
    """

    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    levels: tuple[Level, ...]
    default_level: str
    notice: str
    reading: tuple[ReadingItem, ...]
    texts: Texts
    #: (source id, full citation) pairs, in the order of sources.yaml.
    sources: tuple[tuple[str, str], ...] = ()
    floor: Floor | None = None
    root: str = ""
    audience: Audience = "self"
    #: Where the notice is written in levels.yaml, for the wording lint's messages.
    notice_line: int | None = None
    _question_index: dict[str, Question] = field(init=False, repr=False, compare=False)
    _rule_index: dict[str, Rule] = field(init=False, repr=False, compare=False)
    _level_index: dict[str, Level] = field(init=False, repr=False, compare=False)
    _reading_index: dict[str, ReadingItem] = field(init=False, repr=False, compare=False)
    _replaced_by: dict[str, Question] = field(init=False, repr=False, compare=False)
    _position: dict[str, int] = field(init=False, repr=False, compare=False)
    _family: dict[Audience, KnowledgeBase] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_family", {self.audience: self})
        object.__setattr__(self, "_question_index", {q.id: q for q in self.questions})
        object.__setattr__(self, "_position", {q.id: i for i, q in enumerate(self.questions)})
        object.__setattr__(self, "_rule_index", {r.id: r for r in self.rules})
        object.__setattr__(self, "_level_index", {lv.id: lv for lv in self.levels})
        object.__setattr__(self, "_reading_index", {item.id: item for item in self.reading})
        replaced_by: dict[str, Question] = {}
        for question in self.questions:
            for old_id in question.replaces:
                replaced_by.setdefault(old_id, question)  # the first that declares it
        object.__setattr__(self, "_replaced_by", replaced_by)

    def question(self, question_id: str) -> Question:
        return self._question_index[question_id]

    def rule(self, rule_id: str) -> Rule:
        return self._rule_index[rule_id]

    def level(self, level_id: str) -> Level:
        return self._level_index[level_id]

    def reading_item(self, topic_id: str) -> ReadingItem:
        return self._reading_index[topic_id]

    @cached_property
    def opening(self) -> tuple[str, ...]:
        """The opening context questions (see opening_questions)."""
        return opening_questions((q.id, q.role) for q in self.questions)

    def has_question(self, question_id: str) -> bool:
        return question_id in self._question_index

    @property
    def questions_by_id(self) -> Mapping[str, Question]:
        """Every question by its id: ``.get`` finds one or None in one lookup, with no call of
        ours around it (the web's answers reader makes one for each answer of every page)."""
        return self._question_index

    @property
    def positions(self) -> Mapping[str, int]:
        """Each question's place in asking order (0 first), by id: ``positions.__getitem__``
        is a sort key with no call of ours around it."""
        return self._position

    def replacement_for(self, old_id: str) -> Question | None:
        """The question that replaced an old question id, if one declares it (``replaces``)."""
        return self._replaced_by.get(old_id)

    def citation(self, source_id: str) -> str:
        return dict(self.sources).get(source_id, source_id)

    # --- audiences ---------------------------------------------------------------------------

    def join_family(self, family: dict[Audience, KnowledgeBase]) -> None:
        """Make ``family`` (one version per audience, this one among them) reachable from here.

        Called by the loader only, right after building the versions.
        """
        object.__setattr__(self, "_family", family)

    def for_audience(self, audience: Audience) -> KnowledgeBase:
        """This knowledge base with every reader text worded for ``audience``."""
        return self._family.get(audience, self)

    def for_answers(self, answers: Mapping[str, AnswerValue]) -> KnowledgeBase:
        """Worded for whom the answers are about (see audience_of)."""
        return self.for_audience(audience_of(answers))

    def worded(self, text_of: Callable[[KnowledgeBase], str]) -> Wording:
        """One text as each audience reads it, e.g. ``kb.worded(lambda v: v.notice)``; for
        commands that show every variant (questions, explain)."""
        first, adult, child, baby = (text_of(self.for_audience(a)) for a in AUDIENCES)
        return Wording((first, adult, child, baby))

    @property
    def family(self) -> tuple[KnowledgeBase, ...]:
        """Every worded version, in the order of AUDIENCES (this one alone if it has none)."""
        return tuple(self._family[a] for a in AUDIENCES if a in self._family)


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceStep:
    """One fired rule and what made it fire, in plain words."""

    rule: Rule
    because: tuple[str, ...]
    concluded: tuple[str, ...]


@dataclass(frozen=True)
class SafetyNetSign:
    """A warning sign that, if it appeared, would raise the result to its group's level.

    ``answers`` are the option values that would do it (``("yes",)`` for a yes/no question, the
    options to add for a several-of one); the reader sees the question's own text and labels.
    """

    question: Question
    answers: tuple[str, ...]


@dataclass(frozen=True)
class SafetyNetGroup:
    """The warning signs that would each raise the result to one level, under its heading."""

    level: Level
    signs: tuple[SafetyNetSign, ...]


@dataclass(frozen=True)
class Assessment:
    """What the knowledge base concludes from a set of answers. Never a diagnosis.

    Its texts (level title and advice, guidance, reading, notice) are already worded for whom
    the answers are about, so a renderer shows them as they are.
    """

    level: Level
    notice: str
    guidance: tuple[str, ...]
    reading: tuple[ReadingItem, ...]
    trace: tuple[TraceStep, ...]
    answers: Mapping[str, AnswerValue]
    derived: frozenset[str] = frozenset()
    #: Answers set aside because their question would not have been asked (its ask_if was false).
    ignored: tuple[str, ...] = ()
    #: Safety-netting, highest level first: only ever signs that would raise the urgency
    #: (engine/explain/safety_net.py derives it from the rules).
    safety_net: tuple[SafetyNetGroup, ...] = ()

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(step.rule.id for step in self.trace)
