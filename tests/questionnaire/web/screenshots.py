"""Screenshots of the main web pages into docs/web/, from a real server and headless Chromium.

    uv run python -m tests.questionnaire.web.screenshots

Not a test: run it after changing a template or the stylesheet, and look at the pictures.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from engine.load.knowledge_base import load_knowledge_base
from tests.answer_paths import answer_path
from tests.questionnaire.web.browser import HOW_TO_GET, browser_paths, chromium, serving
from tests.repo import ROOT

OUT = ROOT / "docs" / "web"
WIDTH = 900


def shoot(driver: Any, name: str, height: int | None = None) -> Path:
    """The whole page (or its top ``height`` CSS pixels) as a PNG."""
    full = driver.execute_script("return document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": min(full, height or full), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": clip})
    path = OUT / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def main() -> None:
    from selenium.webdriver.common.by import By

    from tests.questionnaire.web.test_browser import button, choose, submit

    if browser_paths() is None:
        raise SystemExit(HOW_TO_GET)
    OUT.mkdir(parents=True, exist_ok=True)
    kb = load_knowledge_base()
    with serving() as server, chromium(width=WIDTH, height=900) as driver:
        driver.get(server.base + "/")
        shoot(driver, "welcome")
        submit(driver, button(driver, "Start the questions"))
        driver.find_element(By.CSS_SELECTOR, "details.why summary").click()
        shoot(driver, "question-who")
        wanted = {"who": "self", "age": "40_to_59", "muscles_smaller": "yes", "weaker": "yes",
                  "onset": "over_months", "where_affected": ("hands", "feet_ankles"),
                  "inactivity": ()}
        for question, value in answer_path(kb, wanted):
            if question.id == "weaker":
                driver.find_element(By.CSS_SELECTOR, "details.why summary").click()
                shoot(driver, "question")
            if question.id == "where_affected":
                submit(driver, button(driver, "Continue"))
                shoot(driver, "question-error")
            values = (value,) if isinstance(value, str) else value
            choose(driver, *([question.label_of(v) for v in values] or ["None of these"]))
        shoot(driver, "check-your-answers", 1100)
        submit(driver, button(driver, "See the result"))
        driver.find_element(By.CSS_SELECTOR, "details.why-tree summary").click()
        shoot(driver, "result", 1500)
        submit(driver, button(driver, "rule network"))
        shoot(driver, "rules-lit", 1000)
        submit(driver, driver.find_element(By.CSS_SELECTOR, ".rule-list button"))
        shoot(driver, "card-why-not", 1100)
        driver.get(server.base + "/")
        submit(driver, button(driver, "Start the questions"))
        choose(driver, "Someone else: a child (1 to 17 years)")
        choose(driver, kb.question("child_age").options[0].label)
        choose(driver, "Yes")
        shoot(driver, "result-emergency")
        driver.get(server.base + "/demo/rule_chain?step=2")
        shoot(driver, "demo", 1100)
        driver.get(server.base + "/demo/rule_chain?step=999")
        shoot(driver, "demo-what-if")
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
