"""Watch forward chaining happen: the engine's own events, turned into numbered teaching steps.

Teaching mode shows what the engine really does, not a re-enactment, in the terms CLIPS uses for
``(watch facts)``, ``(watch activations)`` and ``(watch rules)``: a fact asserted or retracted, an
activation put on or taken off the agenda, a rule fired. engine/run/rete.py reports each of these
as a typed event while experta runs (``CompiledNetwork.listening``); ``watching()`` numbers them,
adds what a reader needs (which rule asserted a fact, what took an activation off the agenda, why
the activation that fired came first: experta ranks by salience, then by how recent the facts
are) and hands each step to the sink.

Watching changes nothing in the run: the same engine runs the same rules on the same facts, and
only runs on this thread, inside the block, are heard. Only engine/run/rete.py knows experta.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from engine.run.rete import (
    AgendaChange,
    CompiledNetwork,
    EngineEvent,
    FactChange,
    Firing,
    Pending,
    WorkingFact,
)


@dataclass(frozen=True)
class FactRef:
    """A fact in working memory, as a reader needs to see it."""

    id: int
    #: "initial" (experta's starting fact), "answers" (every answer), or "derived" (by a rule).
    kind: str
    #: For answers, "question=value" pairs; for a derived fact, its name.
    label: str

    @property
    def name(self) -> str:
        return f"f-{self.id}"


@dataclass(frozen=True)
class FactAsserted:
    step: int
    fact: FactRef
    #: The rule whose action asserted it, or None for a fact asserted before the run.
    by: str | None


@dataclass(frozen=True)
class FactRetracted:
    step: int
    fact: FactRef


@dataclass(frozen=True)
class RuleActivated:
    """A rule's conditions all hold on these facts: the activation joins the agenda."""

    step: int
    rule: str
    salience: int
    facts: tuple[FactRef, ...]
    #: 1 for the rule's first activation in this run, 2 for the second, ...: experta splits a
    #: rule with an ``any`` into one rule per branch, so each branch that holds activates it.
    match: int


@dataclass(frozen=True)
class RuleDeactivated:
    """An activation left the agenda: its conditions no longer hold on those facts."""

    step: int
    rule: str
    facts: tuple[FactRef, ...]
    #: The facts asserted or retracted since the agenda last changed: what broke the match (a
    #: fact a ``not`` forbids was asserted, or a matched fact was retracted).
    after: tuple[FactAsserted | FactRetracted, ...]
    #: Whether this rule had fired already in this run (then nothing is undone).
    had_fired: bool


#: Why the activation that fired was first on the agenda.
Reason = Literal["alone", "salience", "recency", "tie"]


@dataclass(frozen=True)
class RuleFired:
    """The top of the agenda fires; its action runs right after this event."""

    step: int
    #: experta's own firing count, 1 for the first firing of the run.
    firing: int
    rule: str
    salience: int
    facts: tuple[FactRef, ...]
    reason: Reason
    #: The activation now at the top of the agenda (the one this firing beat), if any.
    runner_up: Pending | None
    #: This rule had fired already: another branch of its ``any`` held too. Our action records
    #: each rule once, so a repeat firing concludes nothing new.
    repeat: bool


Event = FactAsserted | FactRetracted | RuleActivated | RuleDeactivated | RuleFired
EventSink = Callable[[Event], None]


def _describe_value(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def fact_ref(fact: WorkingFact) -> FactRef:
    """A FactRef for a fact in the engine's working memory."""
    if fact.kind == "derived":
        return FactRef(fact.id, "derived", str(fact.fields.get("name", "")))
    if fact.kind == "initial":
        return FactRef(fact.id, "initial", "initial-fact")
    pairs = ", ".join(f"{key}={_describe_value(value)}" for key, value in fact.fields.items())
    return FactRef(fact.id, fact.kind, pairs)


def why_first(salience: int, fact_ids: tuple[int, ...], runner_up: Pending | None) -> Reason:
    """Which part of experta's ranking put this activation ahead of the runner-up."""
    if runner_up is None:
        return "alone"
    if salience != runner_up.salience:
        return "salience"
    if fact_ids != runner_up.fact_ids:
        return "recency"
    return "tie"


class _Translator:
    """Turns the engine events of each run into numbered steps for the sink."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.step = 0
        self._start_run()

    def _start_run(self) -> None:
        """Forget the last run: a reset starts a new fact list, agenda and firing count."""
        self.facts: dict[int, FactRef] = {}
        #: Fact events since the agenda last changed; one agenda update reports all its
        #: activations together, so they share this cause until the next fact event.
        self.since_agenda_change: list[FactAsserted | FactRetracted] = []
        self.agenda_changed = False
        self.matches: dict[str, int] = {}
        self.fired: set[str] = set()
        self.firing: str | None = None

    def __call__(self, event: EngineEvent) -> None:
        if isinstance(event, FactChange):
            self._fact(event.asserted, event.fact)
        elif isinstance(event, AgendaChange):
            self._activation(event.added, event.activation)
        elif isinstance(event, Firing):
            self._fired(event.number, event.activation, event.next_up)
        else:  # a new kind of engine event: say so rather than show less than happened
            raise TypeError(f"unknown engine event {event!r}")

    def _next(self) -> int:
        self.step += 1
        return self.step

    def _refs(self, fact_ids: tuple[int, ...]) -> tuple[FactRef, ...]:
        return tuple(self.facts.get(fact_id, FactRef(fact_id, "unknown", f"f-{fact_id}"))
                     for fact_id in fact_ids)

    def _fact(self, asserted: bool, fact: WorkingFact) -> None:
        if asserted and fact.kind == "initial":  # experta's reset() asserts it first
            self._start_run()
        ref = self.facts.get(fact.id) or fact_ref(fact)
        event: FactAsserted | FactRetracted
        if asserted:
            self.facts[fact.id] = ref
            event = FactAsserted(self._next(), ref, self.firing)
        else:
            event = FactRetracted(self._next(), ref)
        if self.agenda_changed:
            self.since_agenda_change, self.agenda_changed = [], False
        self.since_agenda_change.append(event)
        self.sink(event)

    def _activation(self, added: bool, activation: Pending) -> None:
        rule, facts = activation.rule, self._refs(activation.fact_ids)
        if added:
            self.matches[rule] = self.matches.get(rule, 0) + 1
            self.sink(RuleActivated(self._next(), rule, activation.salience, facts,
                                    self.matches[rule]))
        else:
            self.sink(RuleDeactivated(self._next(), rule, facts,
                                      tuple(self.since_agenda_change), rule in self.fired))
        self.agenda_changed = True

    def _fired(self, firing: int, activation: Pending, runner_up: Pending | None) -> None:
        rule = activation.rule
        reason = why_first(activation.salience, activation.fact_ids, runner_up)
        repeat = rule in self.fired
        self.fired.add(rule)
        self.firing = rule
        self.since_agenda_change, self.agenda_changed = [], False
        self.sink(RuleFired(self._next(), firing, rule, activation.salience,
                            self._refs(activation.fact_ids), reason, runner_up, repeat))


@contextmanager
def watching(network: CompiledNetwork, sink: EventSink) -> Iterator[None]:
    """Send the steps of every run of ``network`` on this thread, inside the block, to ``sink``."""
    with network.listening(_Translator(sink)):
        yield
