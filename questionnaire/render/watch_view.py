"""Teaching mode on screen: engine events as numbered steps, optionally one firing at a time.

The events come from engine/run/watch.py as the engine runs; this module only words them. On a
terminal with colour each step is a row whose verb is coloured and whose text wraps under itself
(readable on a projector); otherwise (NO_COLOR, --no-color, a pipe) every event is exactly one
plain line, so the output can be read aloud, diffed or grepped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from engine.model import AnswerValue, Assessment, KnowledgeBase
from engine.run.assess import assess
from engine.run.watch import (
    Event,
    FactAsserted,
    FactRef,
    FactRetracted,
    RuleActivated,
    RuleDeactivated,
    RuleFired,
)
from questionnaire.environment import Environment

LEGEND = """\
Watching the rule engine (experta): each numbered line is one thing it did.
  assert      a fact enters working memory (f-1 holds all the answers)
  activate    all of a rule's conditions hold: it joins the agenda
  FIRE        the top of the agenda runs: highest salience first, then newest facts
  deactivate  a rule leaves the agenda unfired: its condition stopped holding
A rule that needs a fact to be absent ('not') has a lower salience, so it waits
until every rule that could assert that fact has had its turn."""

STEP_PROMPT = "Enter: next step, q then Enter: run to the end "
VERB_STYLES = {"assert": "green", "retract": "red", "activate": "cyan",
               "deactivate": "red", "FIRE": "bold yellow"}


def _facts(facts: tuple[FactRef, ...]) -> str:
    return ", ".join(f"{fact.name} {'answers' if fact.kind == 'answers' else fact.label}"
                     for fact in facts)


def _fact(fact: FactRef) -> str:
    if fact.kind == "initial":
        return f"{fact.name} initial-fact (experta's starting fact)"
    if fact.kind == "answers":
        return f"{fact.name} answers: {fact.label or '(none)'}"
    return f"{fact.name} {fact.label}"


def _why(event: RuleFired) -> str:
    other = event.runner_up
    if event.reason == "alone" or other is None:
        return "the only activation on the agenda"
    if event.reason == "salience":
        return f"salience {event.salience} beats {other.rule}'s {other.salience}"
    if event.reason == "recency":
        mine = ", ".join(fact.name for fact in event.facts)
        theirs = ", ".join(f"f-{fact_id}" for fact_id in other.fact_ids)
        return (f"same salience as {other.rule}; then experta compares the matched facts, "
                f"newest first: {mine} beats {theirs}")
    if other.rule == event.rule:
        return ("tied with its own other match on salience and facts; the order experta put "
                "them on the agenda decided")
    return (f"tied with {other.rule} on salience and facts; the order experta put them on the "
            f"agenda decided")


def describe(event: Event) -> tuple[str, str]:
    """(verb, text) for one event, in words a class can follow."""
    if isinstance(event, FactAsserted):
        text = _fact(event.fact)
        return "assert", f"{text}, derived by {event.by}" if event.by else text
    if isinstance(event, FactRetracted):
        return "retract", _fact(event.fact)
    if isinstance(event, RuleActivated):
        text = f"{event.rule} (salience {event.salience}) on {_facts(event.facts)}"
        if event.match > 1:
            text += (f": match {event.match}, another way its condition holds (experta makes "
                     f"one rule per branch of an 'any')")
        return "activate", text
    if isinstance(event, RuleDeactivated):
        changes = ", ".join(
            f"{change.fact.name} {change.fact.label} was "
            f"{'asserted' if isinstance(change, FactAsserted) else 'retracted'}"
            for change in event.after)
        cause = f"after {changes}, " if changes else ""
        outcome = ("it had fired already, so nothing is undone" if event.had_fired
                   else "it leaves the agenda unfired")
        return "deactivate", f"{event.rule}: {cause}its condition no longer holds; {outcome}"
    text = f"{event.rule} (salience {event.salience}) on {_facts(event.facts)}: {_why(event)}"
    if event.repeat:
        text += ("; it fires again for another branch of its 'any', but it concluded "
                 "everything the first time, so nothing new")
    return "FIRE", text


class WatchPrinter:
    """An EventSink that prints each event as a numbered step, pausing after firings if asked.

    ``keys`` is where Enter / q are read from when stepping; at its end, stepping stops and the
    run goes on to the end.
    """

    def __init__(self, env: Environment, step: bool = False, keys: TextIO | None = None,
                 plain: bool = False) -> None:
        self.env = env
        self.stepping = step
        self.keys = keys
        self.firings = 0
        self.console = env.console() if env.color and not plain else None

    def legend(self) -> None:
        self._write(LEGEND + "\n\n")

    def __call__(self, event: Event) -> None:
        verb, text = describe(event)
        if isinstance(event, RuleFired):
            self.firings += 1
        if self.console is not None:
            from rich.markup import escape  # rich is imported only when colour is used
            from rich.table import Table
            from rich.text import Text

            grid = Table.grid(padding=(0, 1))
            grid.add_column(justify="right", width=4, style="dim")
            grid.add_column(width=10)
            grid.add_column()
            grid.add_row(str(event.step), Text(verb, style=VERB_STYLES.get(verb, "")),
                         Text.from_markup(escape(text)))
            self.console.print(grid)
        else:
            self._write(f"{event.step:>4}  {verb:<10}  {text}\n")
        if isinstance(event, RuleFired) and self.stepping:
            self._pause()

    def _pause(self) -> None:
        # The prompt goes to standard error, like a shell's `read -p`: saved output stays clean.
        self.env.stdout.flush()
        self.env.stderr.write(f"{'':16}{STEP_PROMPT}")
        self.env.stderr.flush()
        line = self.keys.readline() if self.keys is not None else ""
        if not self.env.stdin_is_tty:
            self.env.stderr.write("\n")  # a terminal echoes the Enter; a pipe does not
        if not line or line.strip().lower() == "q":
            self.stepping = False

    def finish(self) -> None:
        """Say how the run ended: experta stops when nothing is left on the agenda."""
        plural = "s" if self.firings != 1 else ""
        self._write(f"\nThe agenda is empty, so the engine stops after {self.firings} "
                    f"firing{plural}.\n\n")

    def _write(self, text: str) -> None:
        self.env.stdout.write(text)


def watched_assessment(kb: KnowledgeBase, answers: Mapping[str, AnswerValue],
                       printer: WatchPrinter) -> Assessment:
    """Assess the answers with the engine's steps shown: the legend, the run, how it ended."""
    printer.legend()
    result = assess(kb, answers, printer)
    printer.finish()
    return result
