"""Problems found in a knowledge base, collected and reported together.

An author fixing a rule file wants to see every mistake in one pass, each pointing at a file and
line, rather than fixing them one traceback at a time (the way pySigma reports rule problems).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a file: its path as shown to people, and the 1-based line when one is known.

    Every message, card and problem that points into a file writes it the same way: ``path:line``,
    or the path alone for the whole file.
    """

    path: str
    line: int | None = None

    def __str__(self) -> str:
        path = one_line(self.path)  # a file name holding a line break must not split a message
        return f"{path}:{self.line}" if self.line else path


class Marks(NamedTuple):
    """Where the parts of one written object are: its own line, and the lines of its keys and of
    the items of its lists (by key).

    The loader reads each file once into typed objects and checks those, so a check that points
    at one key of an object (the misspelt level after ``raises_to``, the third source of a rule)
    finds that key's line here rather than in the raw YAML. The file is the owner's: a rule's
    ``where``, a question's, levels.yaml for a level. A NamedTuple rather than a data class: the
    loader makes one for nearly every object and condition it builds.
    """

    line: int | None = None
    keys: Mapping[str, int] = MappingProxyType({})
    items: Mapping[str, Sequence[int]] = MappingProxyType({})

    def key(self, name: str) -> int | None:
        """The line of key ``name``, or of the object when the key is not written."""
        return self.keys.get(name, self.line)

    def item(self, name: str, position: int) -> int | None:
        """The line of item ``position`` of the list under ``name``."""
        lines = self.items.get(name, ())
        return lines[position] if position < len(lines) else self.key(name)


NO_MARKS = Marks()


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
        subject = f" {one_line(self.subject)}:" if self.subject else ""
        return f"{self.where}:{subject} {one_line(self.message)}"  # one problem, one line

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


def one_line(text: str) -> str:
    """Text as is where every character prints itself; others as escapes (``\\n``, ``\\x1b``).

    For a path or name echoed in a message: a file name holding a line break must not split the
    message, nor one holding ESC reach the terminal.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def quote(value: object, limit: int = LIMIT, *, ascii_only: bool = False) -> str:
    """``'text'`` for printable text, an escaped repr otherwise; at most about ``limit`` chars.

    ``ascii_only`` escapes every non-ASCII character too: for a name that should be ASCII (an
    id), where a Cyrillic ``е`` would otherwise look exactly like the ``e`` it replaced.
    """
    if isinstance(value, str) and ascii_only and not value.isascii():
        text = ascii(value)
    elif isinstance(value, str):
        text = f"'{value}'" if value.isprintable() and "'" not in value else repr(value)
    else:
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
