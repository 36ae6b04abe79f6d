"""The terminal front end: questionary menus with arrow keys, text laid out by rich.

Each question is printed by rich (wrapped to the terminal, with its progress line), then answered
in a questionary menu that is erased once answered and replaced by a one-line record of the
answer, so the screen reads as a clean transcript. Every menu also offers "Why are we asking
this?" and "Go back". Prompts are asked with `unsafe_ask()`, so Ctrl-C reaches the one handler in
questionnaire/interactive.py instead of being turned into None.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import questionary
from prompt_toolkit.output import ColorDepth
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from engine.model import AnswerValue, KnowledgeBase, Question
from questionnaire.environment import Environment
from questionnaire.flow import Length, Progress
from questionnaire.frontend import Move, Reply


class _Ask(Enum):
    WHY = "why"


WHY_TITLE = "Why are we asking this?"
BACK_TITLE = "Go back to the previous question"
SELECT_HINT = "(arrow keys, then Enter)"
CHECKBOX_HINT = "(arrow keys; Space ticks or unticks; Enter when done; tick nothing for none)"


class QuestionaryFrontEnd:
    """questionary prompts on the terminal; results and text through the environment's console."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.console: Console = env.console()
        # Without colour (NO_COLOR, --no-color) the menus are drawn in one colour too.
        self._app: dict[str, Any] = {} if env.color else {"color_depth": ColorDepth.DEPTH_1_BIT}

    def _run(self, prompt: questionary.Question) -> Any:
        self.env.stdout.flush()
        return prompt.unsafe_ask()

    def _record(self, words: str, label: str = "Your answer: ") -> None:
        """What was chosen, in place of the erased menu, so the screen reads as a transcript."""
        self.console.print(Padding(Text.from_markup(f"[dim]{label}[/]{escape(words)}"),
                                   (0, 0, 0, 2)))

    def _show_why(self, question: Question) -> None:
        self.console.print(Padding(Text.from_markup(
            f"[italic]Why we ask:[/] {escape(question.why)}"), (0, 0, 0, 2)))

    # --- the FrontEnd protocol -----------------------------------------------------------------

    def welcome(self, kb: KnowledgeBase, length: Length) -> bool:
        body = Text.from_markup(
            "A questionnaire about [bold]muscle wasting[/], for education. You answer questions "
            "about what you notice; rules written from public health sources turn the answers "
            "into how soon to see a doctor, reading about the subject, and the reasons.\n\n"
            f"[bold]{escape(kb.notice)}[/]\n\n"
            f"There are {length.fewest} to {length.most} questions, depending on your answers. "
            "Questions about warning signs come first, and an answer that calls for help at "
            "once ends the questions there. Every question lets you see why it is asked and go "
            "back. Ctrl-C stops at any time; nothing is saved unless you ask.")
        self.console.print(Panel(body, title="muscle-triage", title_align="left",
                                 padding=(1, 2), expand=False, width=min(self.console.width, 88)))
        choice = self._run(questionary.select(
            "Ready?", choices=[questionary.Choice("Start the questions", value=True),
                               questionary.Choice("Quit", value=False)],
            instruction=SELECT_HINT, erase_when_done=True, **self._app))
        return bool(choice)

    def ask(self, question: Question, progress: Progress, suggestion: AnswerValue | None,
            can_go_back: bool) -> Reply:
        self.console.print()
        self.console.print(f"[dim]Question {progress.number} of about {progress.about}[/]")
        self.console.print(f"[bold]{escape(question.text)}[/]")
        extras: list[Any] = [questionary.Separator(), questionary.Choice(WHY_TITLE, _Ask.WHY)]
        if can_go_back:
            extras.append(questionary.Choice(BACK_TITLE, Move.BACK))
        while True:
            reply = (self._ask_several(question, suggestion, extras)
                     if question.kind == "several_of"
                     else self._ask_one(question, suggestion, extras))
            if reply is _Ask.WHY:
                self._show_why(question)
                continue
            if reply is Move.BACK:
                self._record("", label="Going back to the previous question.")
                return Move.BACK
            if isinstance(reply, tuple):
                self._record(question.answer_text(reply))
                return reply
            assert isinstance(reply, str)
            self._record(question.label_of(reply))
            return reply

    def _ask_one(self, question: Question, suggestion: AnswerValue | None,
                 extras: list[Any]) -> Any:
        choices = [questionary.Choice(o.label, o.value) for o in question.options] + extras
        default = suggestion if isinstance(suggestion, str) else None
        return self._run(questionary.select(
            "Your answer", choices=choices, default=default, instruction=SELECT_HINT,
            erase_when_done=True, **self._app))

    def _ask_several(self, question: Question, suggestion: AnswerValue | None,
                     extras: list[Any]) -> Any:
        """A checkbox; ticking "why" or "back" acts on it, keeping any other ticks for later."""
        while True:
            ticked = set(suggestion or ())
            choices = [questionary.Choice(o.label, o.value, checked=o.value in ticked)
                       for o in question.options] + extras
            chosen = self._run(questionary.checkbox(
                "Your answer", choices=choices, instruction=CHECKBOX_HINT,
                erase_when_done=True, **self._app))
            if Move.BACK in chosen:
                return Move.BACK
            values = tuple(sorted(v for v in chosen if isinstance(v, str)))
            if _Ask.WHY in chosen:
                self._show_why(question)
                suggestion = values
                continue
            return values

    def choose(self, message: str, labels: list[str]) -> int:
        self.console.print()
        choices = [questionary.Choice(label, index) for index, label in enumerate(labels)]
        return int(self._run(questionary.select(message, choices=choices,
                                                instruction=SELECT_HINT, **self._app)))

    def ask_text(self, message: str, default: str) -> str:
        text = self._run(questionary.text(message, default=default, **self._app))
        return str(text).strip() or default

    def confirm(self, message: str) -> bool:
        return bool(self._run(questionary.confirm(message, default=False, **self._app)))
