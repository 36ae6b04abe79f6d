"""The outside world a command runs in: streams, terminal and colour.

Commands take an Environment instead of reaching for sys.stdout, so tests run the real CLI
in-process with captured streams (as httpie does), and colour decisions live in one place.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, TextIO

from engine.load.yaml_reader import MAX_BYTES

if TYPE_CHECKING:
    from rich.console import Console


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


#: Plain stand-ins for typographic characters, for output that cannot carry them. None of them is
#: a double quote or a backslash, so JSON written through this stays valid JSON.
_PLAIN = {"—": "-", "–": "-", "‘": "'", "’": "'", "“": "'", "”": "'", "…": "...", "é": "e",
          "\u00a0": " ", "•": "*", "→": "->"}
_PLAIN_ERRORS = "muscle-triage-plain"


def _plain_replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(_PLAIN.get(char, "?") for char in text), error.end


codecs.register_error(_PLAIN_ERRORS, _plain_replace)


def tolerate_narrow_encoding(stream: object) -> None:
    """Let a stream whose encoding lacks our characters (LANG=C, Latin-1) print stand-ins.

    Our texts contain '—' and 'é'; under a non-UTF-8 locale Python's strict encoder would fail on
    them. Characters the encoding has are written unchanged; the rest become plain look-alikes.
    """
    encoding = getattr(stream, "encoding", None)
    if not encoding or not hasattr(stream, "reconfigure"):
        return
    try:
        "—é’…".encode(encoding)
    except UnicodeEncodeError:
        stream.reconfigure(errors=_PLAIN_ERRORS)
    except LookupError:
        pass


_TRAILING = re.compile(r"[ ]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


class _TrimmedWriter(io.TextIOBase):
    """Passes text through, minus the trailing spaces rich pads wrapped lines with."""

    def __init__(self, target: TextIO) -> None:
        self.target = target

    def write(self, text: str) -> int:
        self.target.write(_TRAILING.sub(r"\1", text))
        return len(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return _isatty(self.target)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The real stream's, so rich draws ASCII instead of box characters where it must."""
        return getattr(self.target, "encoding", None) or "utf-8"


class _ClosedOutput(io.TextIOBase):
    """Standard output that was closed before we started: writing to it is a closed pipe."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "standard output is closed")


def _hold_standard_descriptors() -> None:
    """Put the null device on closed descriptors 0-2, so no file we open later takes one.

    A report opened as descriptor 1 would otherwise receive whatever is printed afterwards.
    """
    while True:
        descriptor = os.open(os.devnull, os.O_RDWR)
        if descriptor > 2:
            os.close(descriptor)
            return


@dataclass
class Environment:
    """The streams, variables and terminal facts one command runs with."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    environ: dict[str, str] = field(default_factory=dict)
    stdin_is_tty: bool = False
    stdout_is_tty: bool = False
    no_color_flag: bool = False

    @classmethod
    def from_system(cls) -> Environment:
        """The process's own streams; one started closed (``<&-``, ``>&-``) reads as ended."""
        stdin, stdout, stderr = sys.stdin, sys.stdout, sys.stderr
        if stdin is None or stdout is None or stderr is None:
            _hold_standard_descriptors()
            stdin = stdin or io.StringIO()  # closed input: end of input at once
            stdout = stdout or _ClosedOutput()  # closed output: as a closed pipe, exit 141
            stderr = stderr or io.StringIO()  # nowhere to say anything: say nothing
        tolerate_narrow_encoding(stdout)
        tolerate_narrow_encoding(stderr)
        return cls(stdin, stdout, stderr, dict(os.environ), _isatty(stdin), _isatty(stdout))

    @classmethod
    def captured(cls, stdin: str = "", environ: dict[str, str] | None = None,
                 tty: bool = False) -> Environment:
        """An environment over in-memory streams, for tests."""
        return cls(io.StringIO(stdin), io.StringIO(), io.StringIO(), dict(environ or {}),
                   stdin_is_tty=tty, stdout_is_tty=tty)

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never with NO_COLOR, --no-color or TERM=dumb."""
        return (self.stdout_is_tty and not self.no_color_flag
                and not self.environ.get("NO_COLOR") and self.environ.get("TERM") != "dumb")

    @property
    def interactive(self) -> bool:
        return self.stdin_is_tty and self.stdout_is_tty

    def stdin_bytes(self, limit: int = MAX_BYTES + 1) -> bytes:
        """Standard input as bytes, at most ``limit`` of them: an endless stream cannot fill
        memory, and the reader refuses anything over MAX_BYTES by its length."""
        buffer: BinaryIO | None = getattr(self.stdin, "buffer", None)
        if buffer is not None:
            return buffer.read(limit)
        return self.stdin.read(limit).encode("utf-8")

    def console(self, stderr: bool = False, plain: bool = False) -> Console:
        """A rich Console for our streams; ``plain`` means no escape codes at all (--plain)."""
        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:
                # rich would exit 1 here; let the CLI's one handler exit 141, quietly.
                raise BrokenPipeError

        width = None if self.stdout_is_tty else 100
        target = self.stderr if stderr else self.stdout
        color = self.color and not plain
        return _Console(file=_TrimmedWriter(target), no_color=not color,
                       color_system="auto" if color else None, highlight=False,
                       emoji=False, width=width, force_terminal=False if plain else color or None,
                       force_interactive=False, soft_wrap=False)

    def error(self, message: str) -> None:
        print(f"muscle-triage: {message}", file=self.stderr)
