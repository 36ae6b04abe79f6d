"""Where the shipped knowledge base and its schemas live.

Found through importlib.resources so the same code works from a checkout (editable install) and
from an installed wheel, which carries rules/ as the data package ``rules``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def shipped_rules_dir() -> Path:
    """The knowledge base that ships with the tool."""
    return Path(str(resources.files("rules")))  # a regular package: files() is a real directory


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
