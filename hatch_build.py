"""Build hook: ship the knowledge base in the wheel as the package ``muscle_triage_rules``.

The checkout keeps its layout (rules/, engine/, questionnaire/ at the top). A wheel installed with
pip into a shared environment must not claim the top-level name ``rules``, which PyPI's
django-rules owns: both would write into site-packages/rules/. So a built wheel carries rules/
under a name only this project uses. An editable install gets nothing from this hook and reads the
checkout's rules/ itself, so edits there show at once (engine/load/paths.py looks for both names).
"""

from __future__ import annotations

import os
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The import name the knowledge base has inside a built wheel; engine/load/paths.py must agree.
WHEEL_RULES_PACKAGE = "muscle_triage_rules"


class ShipRulesHook(BuildHookInterface):
    """Add rules/ to a standard (non-editable) wheel under WHEEL_RULES_PACKAGE."""

    PLUGIN_NAME = "ship-rules"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "standard":
            return
        source = os.path.join(self.root, "rules")
        build_data["force_include"][source] = WHEEL_RULES_PACKAGE
