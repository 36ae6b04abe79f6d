"""Answers as a YAML file that `muscle-triage assess --answers FILE` reads back to the same result.

Only the questions actually asked are written, in asking order, with the option values (not the
labels) that the answers file format uses; a several-of answer is a list, `[]` for none.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from datetime import date

import yaml

from engine.model import AnswerValue

HEADER = """\
# Answers saved by muscle-triage on {day}. They hold health information: keep them private.
# See the result again with: {replay} --answers {name}
"""


def _flow(value: object) -> str:
    """One value as inline YAML, quoted where any YAML reader could take it for something else."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def answers_yaml(answers: Mapping[str, AnswerValue], name: str, day: date | None = None,
                 replay: str = "muscle-triage assess") -> str:
    """The answers in asking order as YAML, with a header saying how to replay them (``replay``
    is `assess` as the person started the tool, e.g. `uv run muscle-triage assess`).

    >>> print(answers_yaml({"weaker": "yes", "inactivity": ("cast",)}, "a.yaml"))  # doctest: +SKIP
    # Answers saved by muscle-triage on ...
    weaker: 'yes'
    inactivity: [cast]
    """
    lines = [f"{_flow(key)}: {_flow(value if isinstance(value, str) else list(value))}"
             for key, value in answers.items()]
    header = HEADER.format(day=(day or date.today()).isoformat(), replay=replay,
                           name=shlex.quote(name))
    return header + "\n".join(lines) + "\n"
