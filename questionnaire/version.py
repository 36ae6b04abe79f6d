"""The tool's version, as installed: one lookup for --version, the report and the FHIR files."""

from __future__ import annotations

from functools import cache

#: What a source tree that was never installed (so has no package metadata) calls itself.
UNKNOWN = "0+unknown"


@cache
def tool_version() -> str:
    """The installed muscle-triage version, read from its package metadata.

    importlib.metadata costs tens of milliseconds to import and search, so it is asked only when
    a version is shown or written, never on a plain start.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("muscle-triage")
    except PackageNotFoundError:
        return UNKNOWN
