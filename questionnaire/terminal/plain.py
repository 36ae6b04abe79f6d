"""The plain front end: numbered line prompts, answered by number or by word.

For screen readers, pipes and terminals without cursor keys: one line of text per prompt, no
colour, no box drawing, nothing redrawn. `printf '2\\n2\\n...' | muscle-triage` answers it, and a
reply that fits no option is explained and asked again. Typing `?` shows why a question is asked
and `b` goes back one question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from prompt_toolkit.utils import get_cwidth

from engine.model import AnswerValue, KnowledgeBase, Question
from engine.problems import one_line, quote
from questionnaire.environment import Environment
from questionnaire.flow import Length, Progress
from questionnaire.terminal.frontend import Move, Reply
from questionnaire.terminal.styled import StyledWriter, terminal_width, wrap

if TYPE_CHECKING:
    from rich.console import Console

#: Where output is not a terminal, lines are wrapped here (as rich does for the result).
PIPE_WIDTH = 100

WHY_WORDS = frozenset({"?", "why"})
BACK_WORDS = frozenset({"b", "back"})
NONE_WORDS = frozenset({"none", "0", "nothing", "none of these"})


#: A reply of more digits than this names no option (and int() would refuse 5000 of them).
_MAX_DIGITS = 6


#: The longest reply read at once; a longer one is read in pieces, each its own (wrong) reply.
_MAX_LINE = 4096


class NotAnAnswer(ValueError):
    """A reply that fits no option; the message says what would."""


@dataclass(frozen=True)
class _Item:
    value: str
    label: str


def _match_one(items: list[_Item], text: str) -> str:
    """One item by its number, its exact word, or the unique start of its word."""
    wanted = text.strip().casefold()
    if wanted.isdigit():  # '3', '٣', but also '²' and '①', which int() refuses
        number = int(wanted) if wanted.isdecimal() and len(wanted) <= _MAX_DIGITS else 0
        if 1 <= number <= len(items):
            return items[number - 1].value
        named = str(number) if number else quote(text.strip(), 20)
        raise NotAnAnswer(f"There is no option {named}: choose from 1 to {len(items)}.")
    for item in items:
        if wanted in (item.value.casefold(), item.label.casefold()):
            return item.value
    starts = [item for item in items
              if item.label.casefold().startswith(wanted) or item.value.startswith(wanted)]
    if len(starts) == 1 and wanted:
        return starts[0].value
    if len(starts) > 1 and wanted:
        labels = " or ".join(item.label for item in starts)
        raise NotAnAnswer(f"{quote(text.strip(), 40)} could mean {labels}: type the number.")
    raise NotAnAnswer(f"Please type a number from 1 to {len(items)}, or the first words of an "
                      "option.")


def parse_answer(question: Question, text: str) -> AnswerValue:
    """A typed reply as an answer value, or NotAnAnswer saying what would be accepted.

    >>> parse_answer(yes_no_question, "2")          # doctest: +SKIP
    'no'
    >>> parse_answer(several_of_question, "1, 3")   # doctest: +SKIP
    ('cast', 'bed_rest')
    """
    items = [_Item(option.value, option.label) for option in question.options]
    if question.kind != "several_of":
        return _match_one(items, text)
    wanted = text.strip().casefold()
    if wanted in NONE_WORDS:
        return question.none_chosen
    if not wanted:
        raise NotAnAnswer("Type the numbers of all that apply, such as 1,3, or 'none'.")
    if re.fullmatch(r"[\d,;\s]+", wanted):
        parts = [part for part in re.split(r"[,;\s]+", wanted) if part]
    else:
        try:
            return (_match_one(items, text),)
        except NotAnAnswer:
            parts = [part for part in re.split(r"[,;]", wanted) if part.strip()]
    chosen = tuple(sorted({_match_one(items, part) for part in parts}))
    clash = question.combination_problem(chosen)
    if clash:
        raise NotAnAnswer(f"{clash[0].upper()}{clash[1:]}.")
    return chosen


def numbered_lines(labels: list[str], width: int, together: bool = False) -> list[str]:
    """Numbered options, each kept whole: `1) Yes  2) No  3) Not sure` on one line when
    ``together`` and it fits, else one option a line, a long one wrapped under its own words
    (never "3) Write a report for the" with "doctor" alone at the start of the next line)."""
    numbered = [f"{number}) {label}" for number, label in enumerate(labels, start=1)]
    line = "  " + "  ".join(numbered)
    if together and get_cwidth(line) <= width:
        return [line]
    lines = []
    for number, label in enumerate(labels, start=1):
        marker = f"  {number}) "
        rows = wrap([(label, "")], max(width - len(marker), 1))
        for index, row in enumerate(rows):
            lines.append((marker if index == 0 else " " * len(marker))
                         + "".join(text for text, _ in row))
    return lines


def option_lines(question: Question, width: int = PIPE_WIDTH) -> list[str]:
    """A question's options: on one line for yes/no/not sure, else one option a line."""
    return numbered_lines([option.label for option in question.options], width,
                          together=question.kind == "yes_no")


def suggestion_words(question: Question, value: AnswerValue) -> str:
    """A remembered answer in words, with the numbers that would give it again."""
    chosen = (value,) if isinstance(value, str) else value
    numbers = [str(number) for number, option in enumerate(question.options, start=1)
               if option.value in chosen]
    return f"{question.answer_text(value)}: type {','.join(numbers) or 'none'} to keep it"


class PlainFrontEnd:
    """Numbered prompts on the environment's streams; raises EOFError when input ends."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        if env.stdout_is_tty:
            self.text = StyledWriter(env.stdout, lambda: terminal_width(env.stdout, env.environ),
                                     styles=False)
        else:
            self.text = StyledWriter(env.stdout, PIPE_WIDTH, styles=False)

    @cached_property
    def console(self) -> Console:
        """The rich console for the result and the end menu (plain: no escape codes), made when
        first needed, so the questions do not wait for rich to load."""
        return self.env.console(plain=True)

    # --- lines in and out ----------------------------------------------------------------------

    def _say(self, text: str = "") -> None:
        self.text.line((text, ""))

    def _line(self, text: str) -> None:
        """One line laid out already (an option list): written as it is, never re-wrapped."""
        self.env.stdout.write(text + "\n")

    def _read(self, prompt: str) -> str:
        self.env.stdout.write(prompt)
        self.env.stdout.flush()
        line = self.env.stdin.readline(_MAX_LINE)
        if not line:
            self.env.stdout.write("\n")
            raise EOFError
        line = line.rstrip("\r\n")
        if not self.env.stdin_is_tty:  # a piped reply is not echoed: show it, so output reads well
            self.env.stdout.write(f"{one_line(line)}\n")  # escapes in it shown, never acted on
        return line

    # --- the FrontEnd protocol -----------------------------------------------------------------

    def welcome(self, kb: KnowledgeBase, length: Length) -> bool:
        self._say("muscle-triage")
        self._say(kb.texts.welcome)
        self._say()
        self._say(kb.notice)
        self._say()
        self._say(f"There are {length.fewest} to {length.most} questions, depending on the "
                  f"answers. {kb.texts.how_it_runs}")
        self._say("Answer by number or by word. Type ? to see why a question is asked, or b to "
                  "go back one question. Ctrl-C or Ctrl-D stops at any time; nothing is saved "
                  "unless you ask.")
        return True

    def ask(self, question: Question, progress: Progress, suggestion: AnswerValue | None,
            can_go_back: bool) -> Reply:
        self._say()
        self._say(f"Question {progress.number} of about {progress.about}")
        self._say(question.text)
        for line in option_lines(question, self.text.width):
            self._line(line)
        several = question.kind == "several_of"
        hint = "numbers such as 1,3, or none" if several else f"1-{len(question.options)}"
        hint += ", ? why" + (", b back" if can_go_back else "")
        if suggestion is not None:
            self._say(f"(Earlier you answered {suggestion_words(question, suggestion)}.)")
        while True:
            text = self._read(f"Your answer ({hint}): ")
            word = text.strip().casefold()
            if word in WHY_WORDS:
                self._say(f"Why we ask: {question.why}")
                continue
            if word in BACK_WORDS:
                if can_go_back:
                    return Move.BACK
                self._say("This is the first question, so there is nothing to go back to.")
                continue
            try:
                return parse_answer(question, text)
            except NotAnAnswer as exc:
                self._say(str(exc))

    def choose(self, message: str, labels: list[str]) -> int:
        items = [_Item(str(index), label) for index, label in enumerate(labels)]
        self._say()
        self._say(message)
        for line in numbered_lines(labels, self.text.width):
            self._line(line)
        while True:
            text = self._read(f"Your choice (1-{len(labels)}): ")
            try:
                return int(_match_one(items, text))
            except NotAnAnswer as exc:
                self._say(str(exc))

    def ask_text(self, message: str, default: str) -> str:
        text = self._read(f"{message} [{default}]: ").strip()
        return text or default

    def confirm(self, message: str) -> bool:
        while True:
            word = self._read(f"{message} (y/N): ").strip().casefold()
            if word in ("", "n", "no"):
                return False
            if word in ("y", "yes"):
                return True
            self._say("Please type y or n.")
