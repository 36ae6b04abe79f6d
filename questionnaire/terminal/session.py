"""The questionnaire itself (`muscle-triage` with no command): welcome, questions, result, menu.

Picks a front end (questionary menus at a terminal, numbered line prompts with --plain, for
TERM=dumb, or whenever input or output is not a terminal), walks the question bank with it, shows
the result and offers the end menu. Stopping (Ctrl-C, or input ending mid-way) is handled here
and only here: one calm line, exit 130, nothing written.
"""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING

from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.files import InterruptedAfterWriting
from questionnaire.flow import Questionnaire, questionnaire_length
from questionnaire.rules_option import knowledge_base
from questionnaire.terminal.frontend import FrontEnd, Move

if TYPE_CHECKING:
    from engine.model import Assessment
    from questionnaire.render.watch_view import WatchPrinter
    from questionnaire.terminal.end_menu import Finished


def wants_plain(args: argparse.Namespace, env: Environment) -> bool:
    return bool(getattr(args, "plain", False)) or not env.interactive or (
        env.environ.get("TERM") == "dumb")


def front_end_for(args: argparse.Namespace, env: Environment) -> FrontEnd:
    if wants_plain(args, env):
        from questionnaire.terminal.plain import PlainFrontEnd

        return PlainFrontEnd(env)
    from questionnaire.terminal.menus import QuestionaryFrontEnd

    return QuestionaryFrontEnd(env)


def ask_questions(run: Questionnaire, front: FrontEnd) -> None:
    """Every question that applies, until the walk is over or ends early; kept answers are
    given again unasked (after "Change an answer")."""
    while True:
        run.give_kept()
        question = run.current()
        if question is None:
            return
        reply = front.ask(question, run.progress(), run.remembered.get(question.id),
                          run.can_go_back)
        if reply is Move.BACK:
            run.back()
        else:
            run.answer(reply)


def show_result(run: Questionnaire, front: FrontEnd,
                watch: WatchPrinter | None = None) -> Assessment:
    """Draw the result of the answers so far (watched, with --watch) and return it."""
    # What follows the questions is imported only now, so the first question comes sooner.
    from rich.markup import escape

    from questionnaire.render.result import render_assessment
    from questionnaire.render.summary import render_how_we_got_here

    kb = run.kb
    assessment = run.final()
    kb = run.worded  # the result, the summary and the end menu speak of whom it is about
    front.console.print()
    if watch is not None:  # --watch: the engine runs the final answers once more, watched
        from questionnaire.render.watch_view import watched_assessment

        assessment = watched_assessment(kb, run.answers, watch)
    if run.ended_early:
        front.console.print(f"[bold]{escape(kb.texts.stopped_early)}[/]")
        front.console.print()
    render_assessment(kb, assessment, front.console, how_we_got_here=render_how_we_got_here)
    return assessment


def converse(run: Questionnaire, front: FrontEnd, watch: WatchPrinter | None = None,
             replay: str = "muscle-triage assess") -> Finished | None:
    """Welcome, every question that applies, the result; None if the person chose not to start.

    The Finished it returns can take the person back into the questions ("Change an answer"):
    the same walk, asked again from the changed question, then a fresh result.
    """
    if not front.welcome(run.kb, questionnaire_length(run.kb)):
        return None
    ask_questions(run, front)
    from questionnaire.terminal.end_menu import Finished

    def again() -> Assessment:
        ask_questions(run, front)
        return show_result(run, front, watch)

    return Finished(run.kb, show_result(run, front, watch), run=run, again=again,
                    replay=replay)


def replay_command(args: argparse.Namespace, env: Environment) -> str:
    """`assess` as the person started the tool, with their --rules, for "see this again"."""
    rules = getattr(args, "rules", None)
    words = f"{env.launcher} assess"
    return f"{words} --rules {shlex.quote(str(rules))}" if rules is not None else words


def run_interactive(args: argparse.Namespace, env: Environment) -> int:
    kb = knowledge_base(args, env)
    front = front_end_for(args, env)
    finished: Finished | None = None
    try:
        watch = None
        if getattr(args, "watch", False):
            from questionnaire.render.watch_view import WatchPrinter

            watch = WatchPrinter(env, plain=wants_plain(args, env))
        finished = converse(Questionnaire(kb), front, watch, replay_command(args, env))
        if finished is not None:
            from questionnaire.terminal.end_menu import end_menu

            end_menu(front, finished)
    except (KeyboardInterrupt, EOFError) as stop:
        saved = finished.saved if finished else []
        note = "" if saved else " Nothing was saved."
        if isinstance(stop, InterruptedAfterWriting):  # the write had just finished
            note = f" {stop.note}"
        env.stdout.flush()
        print(f"\nStopped.{note}", file=env.stderr)
        return Exit.INTERRUPTED
    return Exit.OK
