"""`assess --what-if`: the fewest answer changes that give each other level, as text or JSON.

For teaching only: the flag shows it, a person's own result never does (it would suggest answers
that lower the urgency). The search is engine.explain.what_if; this module only draws it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.console import Console
from rich.markup import escape

from engine.explain.what_if import Change, ChangeSet, LevelChanges, WhatIf
from engine.model import AnswerValue, KnowledgeBase
from questionnaire.render.result import bullet

#: Sets shown per level in text (JSON has them all).
SHOWN = 8


def change_text(kb: KnowledgeBase, answers: dict[str, AnswerValue], change: Change) -> str:
    """A change as the questionnaire words it: 'weaker: No -> Yes', 'where_affected: + Hands'."""
    question = kb.question(change.question)
    label = question.label_of(change.value)
    if change.action == "add":
        return f"{question.id}: + {label}"
    if change.action == "remove":
        return f"{question.id}: - {label}"
    before = answers.get(question.id)
    shown = question.answer_text(before) if before is not None else "unanswered"
    return f"{question.id}: {shown} -> {label}"


def _outcome(level: LevelChanges, max_changes: int) -> str:
    if level.size is not None:
        ways = len(level.sets)
        more = "" if level.all_listed else " (the search budget ran out: there may be more)"
        return (f"{level.size} change{'s' if level.size > 1 else ''}, "
                f"{ways} way{'s' if ways > 1 else ''}{more}")
    if level.searched >= max_changes:
        return f"no set of up to {max_changes} changes reaches it"
    return (f"not found within the search budget (no set of up to {level.searched} changes "
            "reaches it)")


#: The heading and its aside, in the terminal and on the web demo page.
HEADING = "What would change it"
ASIDE = "for teaching: the fewest answer changes that give each other level"


class LevelRows(NamedTuple):
    """One other level as lines: its outcome, then each shown set with its notes."""

    level: LevelChanges
    outcome: str
    sets: tuple[tuple[str, tuple[str, ...]], ...]
    #: How many sets were found beyond the SHOWN ones.
    more: int


def what_if_rows(kb: KnowledgeBase, answers: dict[str, AnswerValue], found: WhatIf,
                 max_changes: int) -> list[LevelRows]:
    """The search's findings as lines, the same for the terminal and the web page."""
    return [LevelRows(level, _outcome(level, max_changes),
                      tuple(("; ".join(change_text(kb, answers, c) for c in change_set.changes),
                             tuple(_notes(change_set))) for change_set in level.sets[:SHOWN]),
                      max(0, len(level.sets) - SHOWN))
            for level in found.levels]


def render_what_if(kb: KnowledgeBase, answers: dict[str, AnswerValue], found: WhatIf,
                   console: Console, max_changes: int) -> None:
    console.print(f"[bold]{HEADING}[/] [dim]({ASIDE})[/]")
    for row in what_if_rows(kb, answers, found, max_changes):
        console.print()
        console.print(f"[bold]{escape(row.level.level.title)}[/] [dim]({row.level.level.id})[/]: "
                      f"{escape(row.outcome)}")
        for changes, notes in row.sets:
            bullet(console, escape(changes))
            for note in notes:
                bullet(console, f"[dim]{escape(note)}[/]", 6)
        if row.more:
            bullet(console, f"[dim]and {row.more} more (all of them in --format json)[/]")


def _notes(change_set: ChangeSet) -> list[str]:
    notes = []
    if change_set.opens:
        notes.append("opens: " + ", ".join(change_set.opens))
    if change_set.sets_aside:
        notes.append("sets aside the answers to: " + ", ".join(change_set.sets_aside))
    if change_set.fires:
        notes.append("then fires: " + ", ".join(change_set.fires))
    if change_set.stops:
        notes.append("no longer fires: " + ", ".join(change_set.stops))
    return notes


def what_if_json(found: WhatIf, max_changes: int) -> list[dict[str, Any]]:
    return [{"level": level.level.id, "changes": level.size,
             "searched_up_to": level.searched, "max_changes": max_changes,
             "all_listed": level.all_listed,
             "sets": [{"changes": [{"question": c.question, "action": c.action,
                                    "value": c.value} for c in change_set.changes],
                       "opens": list(change_set.opens),
                       "sets_aside": list(change_set.sets_aside),
                       "fires": list(change_set.fires), "stops": list(change_set.stops)}
                      for change_set in level.sets]}
            for level in found.levels]
