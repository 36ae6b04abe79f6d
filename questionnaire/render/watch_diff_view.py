"""`demo NAME --what-if QUESTION=VALUE`: the difference one changed answer makes to the engine's
events and to the result, in plain lines (the diff itself is engine/run/watch_diff.py)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from engine.model import Assessment
from engine.run.watch_diff import RunDiff
from questionnaire.render.result import bullet


def _names(rules: tuple[str, ...]) -> str:
    return ", ".join(rules) if rules else "none"


def render_run_diff(diff: RunDiff, before: Assessment, after: Assessment, changed: str,
                    console: Console) -> None:
    """The two results, then each kind of event that differs (a kind that does not is said so)."""
    console.print(f"[bold]What if {escape(changed)}?[/] The engine ran the case twice.")
    console.print()
    console.print(f"Result as written:  {before.level.title} ({before.level.id})",
                  markup=False)
    console.print(f"Result with change: {after.level.title} ({after.level.id})",
                  markup=False)
    console.print()
    lines = [
        ("activations that appeared", diff.activations_appeared),
        ("activations that vanished", diff.activations_vanished),
        ("rules that now fire", diff.fired_only_after),
        ("rules that no longer fire", diff.fired_only_before),
        ("deactivations that appeared", diff.deactivations_appeared),
        ("deactivations that vanished", diff.deactivations_vanished),
    ]
    for label, rules in lines:
        bullet(console, escape(f"{label}: {_names(rules)}"))
    if diff.order_changed:
        bullet(console, escape("the rules both runs fire came in another order: "
                               f"{_names(diff.shared_order_before)} -> "
                               f"{_names(diff.shared_order_after)}"))
    else:
        bullet(console, "the rules both runs fire came in the same order")
    if after.ignored and after.ignored != before.ignored:
        bullet(console, escape("set aside with the change (no longer asked): "
                               + ", ".join(q for q in after.ignored if q not in before.ignored)))
