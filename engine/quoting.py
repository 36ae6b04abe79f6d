"""Quoting what a file said inside a message, safely and briefly.

Messages echo a person's own text back ("'yesterday' is not an allowed answer"). That text comes
from a file and may hold anything: a line break that splits the message, a terminal escape that
recolours the screen, or a whole megabyte. Quoting shows printable text as typed, everything
else as a Python-style escape, and cuts long values short.
"""

from __future__ import annotations

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
