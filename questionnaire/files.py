"""Writing files a person asked for: atomically, privately, never over an existing file.

Answers and reports hold health information. A file is written to a temporary name in the same
directory, then put in place: hard-linked to its name, which fails if anything is there already
(so two runs racing for one name cannot both succeed and lose one report), or, with --force,
renamed over it. Either way an interrupted write leaves no half-written file; the file is created
readable by its owner only (0600); and only a regular file is ever replaced: a device, a FIFO,
a directory or a symbolic link in the way is refused, never turned into a file.

Stopping is handled here too, in one place: a Ctrl-C, SIGTERM or SIGHUP that arrives during a
write is held until the temporary file is gone or the file is complete, and ``stop_message``
says which, for every command and the questionnaire alike.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from engine.problems import one_line


class WriteRefused(Exception):
    """The file exists and --force was not given, or the place cannot be written."""


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C came as a write finished: the file at ``path`` is complete, so say it exists."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path
        #: What the stop message says instead of "Nothing was saved."
        self.note = f"{shown(path)} was written just before."


def shown(path: Path | str) -> str:
    """A path for a message: one line, whatever its name holds."""
    return one_line(str(path))


def stop_message(stop: BaseException, saved: bool = False) -> str:
    """The one line said when a run stops early (Ctrl-C, end of input), for every command.

    ``saved``: files were written earlier in the run (the questionnaire's end menu), so it
    would be wrong to say nothing was.
    """
    if isinstance(stop, InterruptedAfterWriting):  # the write had just finished
        return f"Stopped. {stop.note}"
    return "Stopped." if saved else "Stopped. Nothing was saved."


#: Signals that end a run while a file may be half-written, and are held during a write.
_STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                  if hasattr(signal, name))


def _stops(signum: int) -> bool:
    """Whether this signal, delivered now, would stop the run (not ignored, not handled apart)."""
    handler = signal.getsignal(signum)
    if signum == signal.SIGINT:
        return handler is signal.default_int_handler
    return handler is not signal.SIG_IGN


@contextlib.contextmanager
def stops_held() -> Iterator[Callable[[], bool]]:
    """Hold Ctrl-C, SIGTERM and SIGHUP for the milliseconds of one write; yield "did one come?".

    Without this, a Ctrl-C landing between the temporary file's creation and the line that
    records its name would leave the file behind, and SIGTERM or SIGHUP (which end the process
    without any Python code running) would leave it at any moment. A held signal is delivered
    when the block ends: by then the temporary file is removed, or the file is complete.
    Where signals cannot be held (not POSIX, or not the main thread, which alone gets them), the
    write goes ahead unheld.
    """
    if not hasattr(signal, "pthread_sigmask") or (
            threading.current_thread() is not threading.main_thread()):
        yield lambda: False
        return
    # Read the mask first: a Ctrl-C that arrives as the mask changes is raised by that call,
    # and the mask must be put back whatever happens after it.
    before = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, set(_STOPPING))
        yield lambda: any(signum in signal.sigpending() and _stops(signum)
                          for signum in _STOPPING)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def existing(path: Path) -> os.stat_result | None:
    """What is at ``path`` itself (a link is not followed), or None; WriteRefused if unknowable."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise WriteRefused(f"cannot write {shown(path)}: a part of the path is a file, not a "
                           "directory") from None
    except (OSError, ValueError) as exc:  # PermissionError: a directory on the way not searchable
        raise WriteRefused(f"cannot write {shown(path)}: "
                           f"{getattr(exc, 'strerror', None) or exc}") from None


def check_target(path: Path, force: bool) -> None:
    """Refuse, before any work is done, a place write_private would refuse anyway."""
    found = existing(path)
    if found is not None and not force:
        raise WriteRefused(f"{shown(path)} already exists; use --force to replace it")
    if found is not None and not stat.S_ISREG(found.st_mode):
        kind = ("a directory" if stat.S_ISDIR(found.st_mode) else
                "a symbolic link" if stat.S_ISLNK(found.st_mode) else
                "a device, pipe or socket")
        raise WriteRefused(f"{shown(path)} is {kind}, not a regular file; it is never replaced")
    directory = path.parent
    try:
        is_directory = stat.S_ISDIR(os.stat(directory).st_mode)
    except FileNotFoundError:
        raise WriteRefused(f"cannot write {shown(path)}: the directory {shown(directory)} does "
                           "not exist") from None
    except OSError as exc:
        raise WriteRefused(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
    if not is_directory:
        raise WriteRefused(f"cannot write {shown(path)}: {shown(directory)} is not a directory")


def check_targets(paths: Iterable[Path | None], force: bool) -> None:
    """Check every output of one command before any is written; one path given twice is refused.

    Otherwise ``--report x --fhir-response x`` would write one and then lose it to the other,
    and a refusal of the second would come after the first was already on disk.
    """
    seen: dict[str, Path] = {}
    for path in paths:
        if path is None:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise WriteRefused(f"{shown(path)} is named twice as an output "
                               f"(also as {shown(seen[key])}); give each output its own file")
        seen[key] = path
        check_target(path, force)


def write_private(path: Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write ``content`` to ``path`` atomically, mode 0600; never overwrite unless forced.

    On POSIX, a Ctrl-C, SIGTERM or SIGHUP during the write leaves no file at all: the temporary
    file is removed and the signal takes effect as anywhere else. One in the instant the file is
    put in place finds it complete: InterruptedAfterWriting says so. A full disk, or any other
    failure, is a WriteRefused with the system's words, and leaves nothing either.
    """
    path = Path(path)
    check_target(path, force)
    import tempfile  # only when writing: it is not needed for the questions

    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = path.parent if str(path.parent) else Path(".")
    written = stopped = False
    try:
        with stops_held() as interrupted:
            try:
                handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                     dir=directory)
            except OSError as exc:
                raise WriteRefused(f"cannot write in {shown(directory)}: "
                                   f"{exc.strerror or exc}") from None
            try:
                try:
                    with os.fdopen(handle, "wb") as stream:  # mkstemp makes the file mode 0600
                        stream.write(data)
                        stream.flush()
                        os.fsync(stream.fileno())
                except OSError as exc:  # a full disk, a quota, an I/O error
                    raise WriteRefused(f"cannot write {shown(path)}: {exc.strerror or exc}"
                                       ) from None
                stopped = interrupted()
                if not stopped:
                    _put_in_place(temporary, path, force)
                    written = True
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)  # after a link, the name; otherwise the whole file
    except KeyboardInterrupt:
        if written:
            raise InterruptedAfterWriting(path) from None
        raise
    if stopped:  # the held Ctrl-C: its handler has normally raised this already
        raise KeyboardInterrupt
    return path


#: Where a file system has no hard links, the name is taken with O_EXCL and written again.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


def _put_in_place(temporary: str, path: Path, force: bool) -> None:
    """Give the finished temporary file its name: never over anything unless ``force``."""
    try:
        if force:
            check_target(path, force)  # still a regular file (or nothing) just before
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails, atomically, if anything has the name already
    except FileExistsError:
        raise WriteRefused(f"{shown(path)} already exists; use --force to replace it") from None
    except OSError as exc:
        if not force and exc.errno in _NO_LINKS:
            _create_exclusively(temporary, path)
            return
        raise WriteRefused(f"cannot write {shown(path)}: {exc.strerror or exc}") from None


def _create_exclusively(temporary: str, path: Path) -> None:
    """Copy the temporary file to a name nobody else has (O_EXCL), removing it on failure."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WriteRefused(f"{shown(path)} already exists; use --force to replace it") from None
    except OSError as exc:
        raise WriteRefused(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream, open(temporary, "rb") as source:
            stream.write(source.read())
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        if isinstance(exc, OSError):
            raise WriteRefused(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
        raise
