"""Problems found in a knowledge base, collected and reported together.

An author fixing a rule file wants to see every mistake in one pass, each pointing at a file and
line, rather than fixing them one traceback at a time (the way pySigma reports rule problems).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a file: its path as shown to people, and the 1-based line when one is known.

    Every message, card and problem that points into a file writes it the same way: ``path:line``,
    or the path alone for the whole file.
    """

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Problem(NamedTuple):
    """One thing wrong in a knowledge base file, with where it is."""

    path: str
    line: int | None
    subject: str
    message: str

    @property
    def where(self) -> Location:
        return Location(self.path, self.line)

    def __str__(self) -> str:
        subject = f" {self.subject}:" if self.subject else ""
        return f"{self.where}:{subject} {self.message}"

    def sort_key(self) -> tuple[str, int, str, str]:
        """File, then line (a problem with no line, about the whole file, first), then text."""
        return (self.path, self.line or 0, self.subject, self.message)


class KnowledgeBaseError(Exception):
    """Raised when a knowledge base cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))


# Quoting what a file said inside a message.
# Messages echo a person's own text back ("'yesterday' is not an allowed answer"). That text comes
# from a file and may hold anything: a line break that splits the message, a terminal escape that
# recolours the screen, or a whole megabyte. Quoting shows printable text as typed, everything
# else as a Python-style escape, and cuts long values short.

LIMIT = 60


def quote(value: object, limit: int = LIMIT) -> str:
    """``'text'`` for printable text, an escaped repr otherwise; at most about ``limit`` chars."""
    if isinstance(value, str):
        text = f"'{value}'" if value.isprintable() and "'" not in value else repr(value)
    else:
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
