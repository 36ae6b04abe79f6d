"""Answers as a YAML file that `muscle-triage assess --answers FILE` reads back to the same result.

Only the questions actually asked are written, in asking order, with the option values (not the
labels) that the answers file format uses; a several-of answer is a list, `[]` for none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import yaml

from engine.model import AnswerValue

HEADER = """\
# Answers saved by muscle-triage on {day}. They hold health information: keep them private.
# See the result again with: muscle-triage assess --answers {name}
"""


def answers_yaml(answers: Mapping[str, AnswerValue], name: str, day: date | None = None) -> str:
    """The answers in asking order as YAML, with a header saying how to replay them."""
    data = {key: value if isinstance(value, str) else list(value)
            for key, value in answers.items()}
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True,
                          width=100)
    return HEADER.format(day=(day or date.today()).isoformat(), name=name) + body
