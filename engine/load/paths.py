"""Where the shipped knowledge base and its schemas live.

Found through the import system so the same code works from a checkout (editable install) and
from an installed wheel. A wheel carries rules/ as the data package ``muscle_triage_rules``
(hatch_build.py: PyPI's django-rules owns the top-level name ``rules``); a checkout's editable
install puts the project root on sys.path, where rules/ is the package ``rules``.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.util import find_spec
from pathlib import Path

#: Import names of the shipped knowledge base: in a built wheel, then in a checkout.
RULES_PACKAGES = ("muscle_triage_rules", "rules")


@cache
def shipped_rules_dir() -> Path:
    """The knowledge base that ships with the tool.

    The package's directory comes from its import spec, without importing it; that is all
    importlib.resources would do for a regular package, at a tenth of the cost of loading it.
    """
    for name in RULES_PACKAGES:
        spec = find_spec(name)
        if spec is None:
            continue
        for location in spec.submodule_search_locations or ():
            if os.path.isdir(location):
                return Path(location)
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
