"""Where the shipped knowledge base and its schemas live.

Found through importlib.resources so the same code works from a checkout (editable install) and
from an installed wheel. A wheel carries rules/ as the data package ``muscle_triage_rules``
(hatch_build.py: PyPI's django-rules owns the top-level name ``rules``); a checkout's editable
install puts the project root on sys.path, where rules/ is the package ``rules``.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

#: Import names of the shipped knowledge base: in a built wheel, then in a checkout.
RULES_PACKAGES = ("muscle_triage_rules", "rules")


@cache
def shipped_rules_dir() -> Path:
    """The knowledge base that ships with the tool."""
    for name in RULES_PACKAGES:
        try:
            found = resources.files(name)
        except ModuleNotFoundError:
            continue
        return Path(str(found))  # a regular package: files() is a real directory
    raise ModuleNotFoundError(f"the shipped knowledge base is missing (none of "
                              f"{', '.join(RULES_PACKAGES)} can be imported): reinstall "
                              f"muscle-triage")


def schemas_dir() -> Path:
    """The JSON Schemas that define the knowledge base language (always the shipped ones)."""
    return shipped_rules_dir() / "schemas"


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return relative if not relative.startswith("..") else str(path)
