"""What the questionnaire needs from a way of asking: the contract both front ends keep.

There are two front ends: arrow-key menus drawn by questionary (questionnaire/terminal/menus.py),
and numbered line prompts for screen readers, pipes and dumb terminals
(questionnaire/terminal/plain.py). The
conversation in questionnaire/terminal/session.py talks only to this protocol, so it is the same in
both. A front end raises KeyboardInterrupt or EOFError when the person stops; it never catches
them, so they are handled in one place.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Protocol

from engine.model import AnswerValue, KnowledgeBase, Question
from questionnaire.flow import Length, Progress

if TYPE_CHECKING:  # rich is loaded when the result is drawn, not before the first question
    from rich.console import Console


class Move(Enum):
    """A reply to a question that is not an answer."""

    BACK = "back"


Reply = AnswerValue | Move


class FrontEnd(Protocol):
    #: Where results and messages are printed.
    console: Console

    def welcome(self, kb: KnowledgeBase, length: Length) -> bool:
        """Show what this is; return False if the person would rather not start."""

    def ask(self, question: Question, progress: Progress, suggestion: AnswerValue | None,
            can_go_back: bool) -> Reply:
        """Ask one question until it gets an answer (or Move.BACK); show its "why" on request."""

    def choose(self, message: str, labels: list[str]) -> int:
        """Pick one of ``labels``; return its index."""

    def ask_text(self, message: str, default: str) -> str:
        """A line of text, e.g. a file name; an empty reply means the default."""

    def confirm(self, message: str) -> bool:
        """A yes/no question about the tool itself (not a health question); defaults to no."""
