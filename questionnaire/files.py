"""Writing files a person asked for: atomically, privately, never over an existing file.

Answers and reports hold health information. A file is written to a temporary name in the same
directory and renamed into place, so an interrupted write leaves no half-written file; it is
created readable by its owner only (0600); and an existing file is replaced only with --force.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


class WriteRefused(Exception):
    """The file exists and --force was not given, or the place cannot be written."""


def write_private(path: Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write ``content`` to ``path`` atomically, mode 0600; never overwrite unless forced."""
    path = Path(path)
    if path.exists() and not force:
        raise WriteRefused(f"{path} already exists; use --force to replace it")
    if path.is_dir():
        raise WriteRefused(f"{path} is a directory")
    import tempfile  # only when writing: it is not needed for the questions

    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as exc:
        raise WriteRefused(f"cannot write in {directory}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:  # mkstemp creates the file with mode 0600
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if not force and path.exists():  # appeared while we were writing
            raise WriteRefused(f"{path} already exists; use --force to replace it")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path
