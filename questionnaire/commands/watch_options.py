"""The --watch and --step options of `assess`, kept light: the watch itself loads when used."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from questionnaire.environment import Environment

if TYPE_CHECKING:
    from questionnaire.render.watch_view import WatchPrinter


def add_watch_arguments(parser: argparse.ArgumentParser) -> None:
    """--watch and --step, shared by every command that runs the engine.

    Their default is SUPPRESS so that `muscle-triage --watch assess ...` (the flag before the
    command, where the questionnaire's own --watch lives) is not reset by the command's default.
    """
    parser.add_argument("--watch", action="store_true", default=argparse.SUPPRESS,
                        help="teaching mode: show each step of the engine as it runs (facts "
                             "asserted, rules activated, rules fired and why first)")
    parser.add_argument("--step", action="store_true", default=argparse.SUPPRESS,
                        help="like --watch, pausing after each firing until Enter (q then Enter "
                             "runs to the end)")


def watch_refusal(args: argparse.Namespace) -> str | None:
    """Why --watch/--step cannot be used with the other options given, or None."""
    if not (getattr(args, "watch", False) or getattr(args, "step", False)):
        return None
    if getattr(args, "format", "text") == "json":
        return "--watch and --step print steps for people; they cannot be mixed with --format json"
    if getattr(args, "step", False) and getattr(args, "answers", None) == "-":
        return ("--step reads Enter from standard input, which '--answers -' already uses: "
                "save the answers to a file and pass its name")
    return None


def watch_printer(args: argparse.Namespace, env: Environment) -> WatchPrinter | None:
    """The printer --watch/--step ask for (legend already shown), or None without them."""
    step = bool(getattr(args, "step", False))
    if not (step or getattr(args, "watch", False)):
        return None
    from questionnaire.render.watch_view import WatchPrinter

    printer = WatchPrinter(env, step=step, keys=env.stdin if step else None)
    printer.legend()
    return printer
