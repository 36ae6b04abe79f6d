"""The outside world a command runs in: streams, terminal, colour and the knowledge base loader.

Commands take an Environment instead of reaching for sys.stdout, so tests run the real CLI
in-process with captured streams (as httpie does), and colour decisions live in one place.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from engine.load.yaml_reader import MAX_BYTES

if TYPE_CHECKING:
    from rich.console import Console

    from engine.model import KnowledgeBase

#: Reads a knowledge base directory (None: the shipped one), as load_knowledge_base does.
Loader = Callable[[Path | None], "KnowledgeBase"]


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


def launch_command(argv0: str, environ: dict[str, str], executable: str) -> str:
    """The words that started this program, for hints that say what to type next.

    `python -m questionnaire` leaves ``__main__.py`` as argv[0]; anything else is the
    `muscle-triage` script. `uv run` sets UV (the path of uv itself) for what it runs, so a
    person who typed `uv run muscle-triage` is told `uv run muscle-triage ...` again, which works
    in a clone where a bare `muscle-triage` is not on the PATH.
    """
    if os.path.basename(argv0) == "__main__.py":
        words = f"{os.path.basename(executable) or 'python'} -m questionnaire"
    else:
        words = "muscle-triage"
    return f"uv run {words}" if environ.get("UV") else words


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
    #: How this program was started (see launch_command), for "to see this again, type ...".
    launcher: str = "muscle-triage"

    #: How commands read the knowledge base; None is engine.load's load_knowledge_base. Tests
    #: pass one that hands back a knowledge base loaded once, instead of reading it every run.
    loader: Loader | None = None

    def knowledge_base(self, root: Path | None = None) -> KnowledgeBase:
        """The knowledge base in ``root`` (None: the shipped one), through ``loader``."""
        if self.loader is not None:
            return self.loader(root)
        from engine.load.knowledge_base import load_knowledge_base  # not needed for --help

        return load_knowledge_base(root)

    @classmethod
    def from_system(cls) -> Environment:
        tolerate_narrow_encoding(sys.stdout)
        tolerate_narrow_encoding(sys.stderr)
        environ = dict(os.environ)
        return cls(sys.stdin, sys.stdout, sys.stderr, environ,
                   _isatty(sys.stdin), _isatty(sys.stdout),
                   launcher=launch_command(sys.argv[0], environ, sys.executable))

    @classmethod
    def captured(cls, stdin: str = "", environ: dict[str, str] | None = None,
                 tty: bool = False, loader: Loader | None = None) -> Environment:
        """An environment over in-memory streams, for tests (started as the script would be)."""
        environ = dict(environ or {})
        return cls(io.StringIO(stdin), io.StringIO(), io.StringIO(), environ,
                   stdin_is_tty=tty, stdout_is_tty=tty, loader=loader,
                   launcher=launch_command("muscle-triage", environ, "python"))

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
