"""The safety net as the person sees it: terminal result, report and JSON tell the same story."""

from __future__ import annotations

import json
from datetime import date

from engine.model import AnswerValue, KnowledgeBase
from engine.run.assess import assess
from questionnaire.render.report import report_markdown
from tests.conftest import run_cli

SOON: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_months"}
SOON_FILE = "weaker: yes\nonset: over_months\n"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_json_carries_the_safety_net_by_level_with_headings_from_the_rules(
        kb: KnowledgeBase) -> None:
    data = json.loads(run_cli("assess", "--answers", "-", "--format", "json",
                              stdin=SOON_FILE).out)
    assert data["schema_version"] == 1
    levels = [group["level"] for group in data["safety_net"]]
    assert levels == ["emergency", "urgent"]  # highest first, nothing at or below "soon"
    for group in data["safety_net"]:
        assert group["heading"] == kb.level(group["level"]).safety_net
    urgent = {sign["question"]: sign for sign in data["safety_net"][1]["signs"]}
    assert urgent["swallowing_or_speech_trouble"]["answers"] == ["yes"]
    assert urgent["swallowing_or_speech_trouble"]["text"] == kb.question(
        "swallowing_or_speech_trouble").text


def test_terminal_result_shows_each_heading_and_sign(kb: KnowledgeBase) -> None:
    out = _flat(run_cli("assess", "--answers", "-", stdin=SOON_FILE).out)
    result = assess(kb, SOON)
    for group in result.safety_net:
        assert _flat(group.level.safety_net or "") in out
        for sign in group.signs:
            assert _flat(sign.question.text) in out


def test_report_lists_the_safety_net_in_the_result_section(kb: KnowledgeBase) -> None:
    result = assess(kb, SOON)
    text = _flat(report_markdown(kb, result, date(2026, 3, 14)).replace("\\", ""))
    heading = _flat(kb.level("emergency").safety_net or "")
    assert heading in text
    assert text.index(heading) < text.index("## Answers")


def test_an_emergency_result_has_no_safety_net_anywhere() -> None:
    data = json.loads(run_cli("assess", "--answers", "-", "--format", "json",
                              stdin="breathing_trouble: yes\n").out)
    assert data["safety_net"] == []
