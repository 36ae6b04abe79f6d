"""Writing files a person asked for: atomically, privately, never over an existing file.

Answers and reports hold health information. A file is written to a temporary name in the same
directory and renamed into place, so an interrupted write leaves no half-written file; it is
created readable by its owner only (0600); and an existing file is replaced only with --force.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path


class WriteRefused(Exception):
    """The file exists and --force was not given, or the place cannot be written."""


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C came as a write finished: the file at ``path`` is complete, so say it exists."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path
        #: What the stop message says instead of "Nothing was saved."
        self.note = f"{path} was written just before."


def _ctrl_c_stops() -> bool:
    """Whether Ctrl-C raises KeyboardInterrupt here (not ignored, nor handled another way)."""
    return signal.getsignal(signal.SIGINT) is signal.default_int_handler


@contextlib.contextmanager
def _interrupts_held() -> Iterator[Callable[[], bool]]:
    """Hold Ctrl-C for the milliseconds of one write; yield "has one arrived meanwhile?".

    Without this, a Ctrl-C landing between the temporary file's creation and the line that
    records its name would leave the file behind. A held Ctrl-C is delivered when the block ends.
    Where signals cannot be held (not POSIX, or not the main thread, which alone gets them), or
    where Ctrl-C does not raise KeyboardInterrupt, the write goes ahead unheld.
    """
    if not hasattr(signal, "pthread_sigmask") or not _ctrl_c_stops() or (
            threading.current_thread() is not threading.main_thread()):
        yield lambda: False
        return
    # Read the mask first: a Ctrl-C that arrives as the mask changes is raised by that call,
    # and the mask must be put back whatever happens after it.
    before = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        yield lambda: signal.SIGINT in signal.sigpending() and _ctrl_c_stops()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def write_private(path: Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write ``content`` to ``path`` atomically, mode 0600; never overwrite unless forced.

    On POSIX, a Ctrl-C during the write leaves no file at all: the temporary file is removed and
    KeyboardInterrupt raised, as for a Ctrl-C anywhere else. A Ctrl-C in the instant between the
    last check and the rename finds the file complete: InterruptedAfterWriting says so.
    """
    path = Path(path)
    if path.exists() and not force:
        raise WriteRefused(f"{path} already exists; use --force to replace it")
    if path.is_dir():
        raise WriteRefused(f"{path} is a directory")
    import tempfile  # only when writing: it is not needed for the questions

    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = path.parent if str(path.parent) else Path(".")
    written = stopped = False
    try:
        with _interrupts_held() as interrupted:
            try:
                handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                     dir=directory)
            except OSError as exc:
                raise WriteRefused(f"cannot write in {directory}: {exc.strerror or exc}"
                                   ) from None
            try:
                with os.fdopen(handle, "wb") as stream:  # mkstemp makes the file mode 0600
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                if not force and path.exists():  # appeared while we were writing
                    raise WriteRefused(f"{path} already exists; use --force to replace it")
                stopped = interrupted()
                if not stopped:
                    os.replace(temporary, path)
                    written = True
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            if stopped:
                os.unlink(temporary)
    except KeyboardInterrupt:
        if written:
            raise InterruptedAfterWriting(path) from None
        raise
    if stopped:  # the held Ctrl-C: its handler has normally raised this already
        raise KeyboardInterrupt
    return path
