"""The terminal front end: questionary menus with arrow keys, text laid out by
questionnaire/terminal/styled.

Each question is printed (wrapped to the terminal, with its progress line), then answered in a
questionary menu that is erased once answered and replaced by a one-line record of the answer, so
the screen reads as a clean transcript. A one-answer menu also offers "Why are we asking this?" and
"Go back" as its last items; a "choose all that apply" list offers them as keys instead (? and b or
Esc, with a shown hint), so they cannot be ticked like answers or submit the ticks. Prompts are
asked with `unsafe_ask()`, so Ctrl-C reaches the one handler in questionnaire/terminal/session.py
instead of being turned into None. The result is drawn by rich, which is loaded only then: see
questionnaire/terminal/styled.py for why.
"""

from __future__ import annotations

from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any

import questionary
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.output import ColorDepth
from questionary.prompts.common import InquirerControl

from engine.model import AnswerValue, KnowledgeBase, Question
from questionnaire.environment import Environment
from questionnaire.flow import Length, Progress
from questionnaire.terminal.frontend import Move, Reply
from questionnaire.terminal.styled import StyledWriter, terminal_width

if TYPE_CHECKING:
    from rich.console import Console


class _Ask(Enum):
    WHY = "why"


WHY_TITLE = "Why are we asking this?"
BACK_TITLE = "Go back to the previous question"
SELECT_HINT = "(arrow keys, then Enter)"
CHECKBOX_HINT = "(arrow keys; Space ticks or unticks; Enter when done; tick nothing for none)"
#: Shown above a "choose all that apply" list, whose controls are keys, not items.
CHECKBOX_KEYS = "Press ? to see why we ask"
CHECKBOX_BACK_KEY = ", or b (or Esc) to go back to the previous question"


def _with_control_keys(prompt: questionary.Question, can_go_back: bool) -> None:
    """Give a checkbox the keys ? (why) and b / Esc (back), which end it with a control.

    The menu then returns (_Ask.WHY, ticks so far) or (Move.BACK, ()) instead of a list of
    ticked values, so the ticks survive a look at "why" and nothing is submitted by accident.
    """
    app = prompt.application
    control = next(c for c in app.layout.find_all_controls() if isinstance(c, InquirerControl))
    keys = KeyBindings()

    @keys.add("?", eager=True)
    def _why(event: KeyPressEvent) -> None:
        event.app.exit(result=(_Ask.WHY, tuple(control.selected_options)))

    if can_go_back:
        @keys.add("b", eager=True)
        @keys.add("escape", eager=True)
        def _back(event: KeyPressEvent) -> None:
            event.app.exit(result=(Move.BACK, ()))

    # Bindings added last take precedence, over questionary's catch-all for other keys too.
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), keys])


class QuestionaryFrontEnd:
    """questionary prompts on the terminal; results and text through the environment's console."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.text = StyledWriter(env.stdout, lambda: terminal_width(env.stdout, env.environ),
                                 env.color)
        # Without colour (NO_COLOR, --no-color) the menus are drawn in one colour too.
        self._app: dict[str, Any] = {} if env.color else {"color_depth": ColorDepth.DEPTH_1_BIT}

    @cached_property
    def console(self) -> Console:
        """The rich console for the result and the end menu, made when first needed."""
        return self.env.console()

    def _run(self, prompt: questionary.Question) -> Any:
        self.env.stdout.flush()
        return prompt.unsafe_ask()

    def _record(self, words: str, label: str = "Your answer: ") -> None:
        """What was chosen, in place of the erased menu, so the screen reads as a transcript."""
        self.text.line((label, "dim"), (words, ""), indent=2)

    def _show_why(self, question: Question) -> None:
        self.text.line(("Why we ask:", "italic"), (" " + question.why, ""), indent=2)

    # --- the FrontEnd protocol -----------------------------------------------------------------

    def welcome(self, kb: KnowledgeBase, length: Length) -> bool:
        self.text.box("muscle-triage", [
            (kb.texts.welcome, ""), ("\n\n", ""), (kb.notice, "bold"),
            (f"\n\nThere are {length.fewest} to {length.most} questions, depending on the "
             f"answers. {kb.texts.how_it_runs} Every question lets you see why it is asked and "
             "go back. Ctrl-C stops at any time; nothing is saved unless you ask.", "")])
        choice = self._run(questionary.select(
            "Ready?", choices=[questionary.Choice("Start the questions", value=True),
                               questionary.Choice("Quit", value=False)],
            instruction=SELECT_HINT, erase_when_done=True, **self._app))
        return bool(choice)

    def ask(self, question: Question, progress: Progress, suggestion: AnswerValue | None,
            can_go_back: bool) -> Reply:
        self.text.blank()
        self.text.line((f"Question {progress.number} of about {progress.about}", "dim"))
        self.text.line((question.text, "bold"))
        extras: list[Any] = [questionary.Separator(), questionary.Choice(WHY_TITLE, _Ask.WHY)]
        if can_go_back:
            extras.append(questionary.Choice(BACK_TITLE, Move.BACK))
        if question.kind == "several_of":
            self.text.line((CHECKBOX_KEYS + (CHECKBOX_BACK_KEY if can_go_back else "") + ".",
                            "dim"), indent=2)
        while True:
            reply = (self._ask_several(question, suggestion, can_go_back)
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
                     can_go_back: bool) -> Any:
        """A checkbox of the options only; ? shows why (keeping the ticks), b or Esc goes back."""
        while True:
            ticked = set(suggestion or ())
            choices = [questionary.Choice(o.label, o.value, checked=o.value in ticked)
                       for o in question.options]
            prompt = questionary.checkbox(
                "Your answer", choices=choices, instruction=CHECKBOX_HINT,
                validate=lambda ticks: question.combination_problem(tuple(ticks)) or True,
                erase_when_done=True, **self._app)
            _with_control_keys(prompt, can_go_back)
            chosen = self._run(prompt)
            if isinstance(chosen, tuple) and chosen[0] is Move.BACK:
                return Move.BACK
            if isinstance(chosen, tuple) and chosen[0] is _Ask.WHY:
                self._show_why(question)
                suggestion = chosen[1]
                continue
            return tuple(sorted(chosen)) or question.none_chosen  # nothing ticked: none

    def choose(self, message: str, labels: list[str]) -> int:
        self.text.blank()
        choices = [questionary.Choice(label, index) for index, label in enumerate(labels)]
        return int(self._run(questionary.select(message, choices=choices,
                                                instruction=SELECT_HINT, **self._app)))

    def ask_text(self, message: str, default: str) -> str:
        text = self._run(questionary.text(message, default=default, **self._app))
        return str(text).strip() or default

    def confirm(self, message: str) -> bool:
        return bool(self._run(questionary.confirm(message, default=False, **self._app)))
