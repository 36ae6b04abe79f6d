"""Problems found in a knowledge base, collected and reported together.

An author fixing a rule file wants to see every mistake in one pass, each pointing at a file and
line, rather than fixing them one traceback at a time (the way pySigma reports rule problems).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong in a knowledge base file, with where it is."""

    path: str
    line: int | None
    subject: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        subject = f" {self.subject}:" if self.subject else ""
        return f"{where}:{subject} {self.message}"

    def sort_key(self) -> tuple[str, int, str, str]:
        """File, then line (a problem with no line, about the whole file, first), then text."""
        return (self.path, self.line or 0, self.subject, self.message)


class KnowledgeBaseError(Exception):
    """Raised when a knowledge base cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))
