"""Watch forward chaining happen: experta's own watcher events, turned into typed steps.

Teaching mode shows what the engine really does, not a re-enactment. experta reports its work
through its watcher loggers (as CLIPS does with ``(watch facts)``, ``(watch activations)`` and
``(watch rules)``): a fact asserted or retracted, an activation put on or taken off the agenda, a
rule fired. ``watching()`` switches those loggers on for one run on this thread, hears each record
as experta emits it, and hands the sink one typed event per record, numbered in order. At each
firing it also reads the agenda that is left, to say why that activation came first (experta
ranks activations by salience, then by how recent their facts are).

Watching changes nothing in the run: the same engine runs the same rules on the same facts; the
loggers only gain a listener for the run's duration, and their settings are restored afterwards.
experta is not imported here: the loggers are found by name, and the agenda is read through
``CompiledNetwork.agenda()``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # experta is imported with the network, not at start-up
    from engine.run.rete import CompiledNetwork, Pending

#: experta's watcher loggers this module listens to (experta/watchers.py names them).
WATCHERS = ("FACTS", "ACTIVATIONS", "RULES")
_LOGGER_PREFIX = "experta.watchers."
_FACT_ID = re.compile(r"<f-(\d+)>")
#: One watched run at a time: logger levels are process-wide.
_lock = threading.Lock()


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


def fact_ref(fact: Mapping[str, Any], fact_id: int) -> FactRef:
    """A FactRef for an experta fact (a mapping whose ``__``-keys are experta's own)."""
    fields = {key: value for key, value in fact.items() if not str(key).startswith("__")}
    kind = type(fact).__name__
    if kind == "Derived":
        return FactRef(fact_id, "derived", str(fields.get("name", "")))
    if kind == "Answers":
        pairs = ", ".join(f"{key}={_describe_value(value)}" for key, value in fields.items())
        return FactRef(fact_id, "answers", pairs)
    if kind == "InitialFact":
        return FactRef(fact_id, "initial", "initial-fact")
    pairs = ", ".join(f"{key}={_describe_value(value)}" for key, value in fields.items())
    return FactRef(fact_id, kind.lower(), pairs)


def why_first(salience: int, fact_ids: tuple[int, ...], runner_up: Pending | None) -> Reason:
    """Which part of experta's ranking put this activation ahead of the runner-up."""
    if runner_up is None:
        return "alone"
    if salience != runner_up.salience:
        return "salience"
    if fact_ids != runner_up.fact_ids:
        return "recency"
    return "tie"


class _Translator(logging.Handler):
    """Turns the watcher records of one run, on one thread, into numbered events."""

    def __init__(self, network: CompiledNetwork, sink: EventSink) -> None:
        super().__init__(logging.INFO)
        self.network = network
        self.sink = sink
        self.thread = threading.get_ident()
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

    def emit(self, record: logging.LogRecord) -> None:
        # Not wrapped in handleError: an interrupt or a closed pipe while showing a step must
        # stop the run, as it would anywhere else in the command.
        if record.thread != self.thread or not isinstance(record.args, tuple):
            return
        watcher = record.name.removeprefix(_LOGGER_PREFIX)
        message = str(record.msg).strip()
        args = record.args
        if watcher == "FACTS" and args:
            self._fact(message.startswith("==>"), args[0])
        elif watcher == "ACTIVATIONS" and len(args) >= 2:
            self._activation(message.startswith("==>"), str(args[0]), str(args[1]))
        elif watcher == "RULES" and message.startswith("FIRE") and len(args) >= 3:
            self._fired(int(str(args[0])), str(args[1]), str(args[2]))

    def _next(self) -> int:
        self.step += 1
        return self.step

    def _refs(self, listed: str) -> tuple[FactRef, ...]:
        ids = sorted((int(found) for found in _FACT_ID.findall(listed)), reverse=True)
        return tuple(self.facts.get(fact_id, FactRef(fact_id, "unknown", f"f-{fact_id}"))
                     for fact_id in ids)

    def _fact(self, asserted: bool, fact: Any) -> None:
        if asserted and type(fact).__name__ == "InitialFact":  # experta's reset() asserts it
            self._start_run()
        fact_id = int(getattr(fact, "__factid__", -1))
        ref = self.facts.get(fact_id) or fact_ref(fact, fact_id)
        event: FactAsserted | FactRetracted
        if asserted:
            self.facts[fact_id] = ref
            event = FactAsserted(self._next(), ref, self.firing)
        else:
            event = FactRetracted(self._next(), ref)
        if self.agenda_changed:
            self.since_agenda_change, self.agenda_changed = [], False
        self.since_agenda_change.append(event)
        self.sink(event)

    def _activation(self, added: bool, rule: str, listed: str) -> None:
        facts = self._refs(listed)
        if added:
            self.matches[rule] = self.matches.get(rule, 0) + 1
            self.sink(RuleActivated(self._next(), rule, self.network.salience.get(rule, 0),
                                    facts, self.matches[rule]))
        else:
            # experta marks such a record "[EXECUTED]" by a test that is true for every removal,
            # so whether the rule fired comes from the firings seen in this run instead.
            self.sink(RuleDeactivated(self._next(), rule, facts,
                                      tuple(self.since_agenda_change), rule in self.fired))
        self.agenda_changed = True

    def _fired(self, firing: int, rule: str, listed: str) -> None:
        facts = self._refs(listed)
        salience = self.network.salience.get(rule, 0)
        agenda = self.network.agenda()  # experta has already taken this activation off it
        runner_up = agenda[0] if agenda else None
        reason = why_first(salience, tuple(fact.id for fact in facts), runner_up)
        repeat = rule in self.fired
        self.fired.add(rule)
        self.firing = rule
        self.since_agenda_change, self.agenda_changed = [], False
        self.sink(RuleFired(self._next(), firing, rule, salience, facts, reason, runner_up,
                            repeat))


@contextmanager
def watching(network: CompiledNetwork, sink: EventSink) -> Iterator[None]:
    """Send the events of every run of ``network`` on this thread, inside the block, to ``sink``."""
    translator = _Translator(network, sink)
    loggers = [logging.getLogger(_LOGGER_PREFIX + name) for name in WATCHERS]
    with _lock:
        saved = [(logger, logger.level, logger.propagate) for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.INFO)  # experta tests the level itself before logging
            logger.propagate = False  # keep the records away from any root handler
            logger.addHandler(translator)
        try:
            yield
        finally:
            for logger, level, propagate in saved:
                logger.removeHandler(translator)
                logger.setLevel(level)
                logger.propagate = propagate
