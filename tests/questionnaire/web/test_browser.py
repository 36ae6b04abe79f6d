"""The pages in a real browser: a routine path and a red-flag path walked with clicks and keys,
"why" opened, an answer changed, and axe-core run on every kind of page: 0 violations.

Skipped, saying how to get one, only when no Chromium and driver are on PATH.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.model import KnowledgeBase
from tests.answer_paths import answer_path
from tests.questionnaire.web.browser import (
    HOW_TO_GET,
    Server,
    axe_violations,
    browser_paths,
    chromium,
    described,
    serving,
)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(browser_paths() is None, reason=HOW_TO_GET)]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("--class") as running:
        yield running


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _by(kind: str) -> Any:
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def accessible(driver: Any, page: str) -> None:
    violations = axe_violations(driver)
    assert violations == [], f"{page}:\n{described(violations)}"


def submit(driver: Any, element: Any, key: str | None = None) -> None:
    """Click (or press ``key`` on) an element that submits, and wait for the next page."""
    from selenium.webdriver.support.wait import WebDriverWait

    driver.execute_script("window.leftBehind = true;")  # gone once the next page has loaded
    if key is None:
        element.click()
    else:
        element.send_keys(key)
    WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(
        "return !window.leftBehind && document.readyState === 'complete';"))


def button(driver: Any, text: str) -> Any:
    return driver.find_element(_by("XPATH"), f"//button[contains(normalize-space(), '{text}')]")


def choose(driver: Any, *labels: str) -> None:
    for label in labels:
        driver.find_element(_by("XPATH"), f"//fieldset//label[normalize-space()='{label}']"
                            ).click()
    submit(driver, button(driver, "Continue"))


def question_id(driver: Any) -> str | None:
    found = driver.find_elements(_by("CSS_SELECTOR"), "input[name=question]")
    return found[0].get_attribute("value") if found else None


def test_a_routine_path_with_why_errors_and_a_changed_answer(
        server: Server, driver: Any, kb: KnowledgeBase) -> None:
    driver.get(server.base + "/")
    accessible(driver, "welcome")
    assert driver.find_element(_by("TAG_NAME"), "html").get_attribute("lang") == "en"
    submit(driver, button(driver, "Start the questions"))
    accessible(driver, "question")
    why = driver.find_element(_by("CSS_SELECTOR"), "details.why")
    why.find_element(_by("TAG_NAME"), "summary").click()
    assert why.get_attribute("open") is not None
    accessible(driver, "question with why open")
    submit(driver, button(driver, "Continue"))
    summary = driver.find_element(_by("CSS_SELECTOR"), ".error-summary a")
    accessible(driver, "question with an error")
    summary.click()  # the summary's link moves focus to the first answer
    assert driver.switch_to.active_element.get_attribute("id").endswith("-1")
    wanted = {"who": "self", "age": "40_to_59", "muscles_smaller": "yes", "weaker": "yes",
              "onset": "over_months", "where_affected": ("hands",), "inactivity": ()}
    several_checked = False
    for question, value in answer_path(kb, wanted):
        assert question_id(driver) == question.id
        if question.kind == "several_of" and not several_checked:
            accessible(driver, "several-of question")
            several_checked = True
        values = (value,) if isinstance(value, str) else value
        choose(driver, *([question.label_of(v) for v in values] or ["None of these"]))
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Check your answers"
    accessible(driver, "check your answers")
    submit(driver, driver.find_element(_by("XPATH"), "//button[@value='weaker']"))
    assert question_id(driver) == "weaker"
    assert driver.find_element(_by("CSS_SELECTOR"), "input[name=reply][value=yes]").is_selected()
    submit(driver, button(driver, "Continue"))
    while question_id(driver) is not None:  # the later answers come back as suggestions
        submit(driver, button(driver, "Continue"))
    submit(driver, button(driver, "See the result"))
    assert driver.find_element(_by("TAG_NAME"), "h1").text == kb.level("soon").title
    nets = driver.find_elements(_by("CSS_SELECTOR"), ".net-group h2")
    assert nets and all(n.text for n in nets)  # the safety net, each group under its heading
    tree = driver.find_element(_by("CSS_SELECTOR"), "details.why-tree")
    tree.find_element(_by("TAG_NAME"), "summary").click()
    assert tree.find_element(_by("CSS_SELECTOR"), ".tree-urgency").is_displayed()
    accessible(driver, "result")


def test_a_red_flag_path_by_keyboard_alone(server: Server, driver: Any, kb: KnowledgeBase
                                           ) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.get(server.base + "/")
    submit(driver, button(driver, "Start the questions"), Keys.ENTER)
    while question_id(driver) in kb.opening:  # who is answering: the first option each time
        option = driver.find_element(_by("CSS_SELECTOR"), "input[name=reply]")
        option.send_keys(Keys.SPACE)
        submit(driver, option, Keys.ENTER)
    assert question_id(driver) == next(q.id for q in kb.questions if q.role == "red_flag")
    first = driver.find_element(_by("CSS_SELECTOR"), "input[name=reply][value=yes]")
    first.send_keys(Keys.SPACE)
    assert first.is_selected()
    submit(driver, first, Keys.ENTER)  # Enter in a form submits it
    heading = driver.find_element(_by("TAG_NAME"), "h1").text
    assert heading == kb.level("emergency").title
    assert kb.for_audience("self").texts.stopped_early in driver.page_source
    accessible(driver, "emergency result")
    tree = driver.find_element(_by("CSS_SELECTOR"), ".tree-urgency")
    visible = "return arguments[0].checkVisibility();"
    assert not driver.execute_script(visible, tree)  # on screen: on request only
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:  # printed: the reasoning is open, the buttons and site navigation are not printed
        assert driver.execute_script(visible, tree)
        assert not driver.execute_script(visible, button(driver, "Change an answer"))
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    submit(driver, button(driver, "rule network"))
    assert driver.find_elements(_by("CSS_SELECTOR"), "a.node.on")
    accessible(driver, "rule network, lit")
    submit(driver, driver.find_element(_by("CSS_SELECTOR"), ".rule-list button"))
    assert driver.find_elements(_by("CSS_SELECTOR"), ".why-not .tree-rule")
    accessible(driver, "rule card, why (not) with the answers")


def test_the_educator_pages(server: Server, driver: Any) -> None:
    driver.get(server.base + "/rules")
    accessible(driver, "rule network")
    driver.get(server.base + "/rules/card/weaker")
    accessible(driver, "card")
    driver.get(server.base + "/demo")
    accessible(driver, "demo list")
    submit(driver, driver.find_element(_by("CSS_SELECTOR"), "main li a"))
    submit(driver, driver.find_element(_by("LINK_TEXT"), "Next"))
    assert "Step 1" in driver.page_source
    accessible(driver, "demo step")
    driver.get(driver.current_url.split("?")[0] + "?step=999")
    assert driver.find_elements(_by("ID"), "what-if")
    accessible(driver, "demo done, what would change it")
    assert server.class_url
    driver.get(server.class_url)
    accessible(driver, "class view")
    driver.get(server.base + "/no-such-page")
    accessible(driver, "not found")


def test_pages_reflow_at_320_css_pixels(server: Server, kb: KnowledgeBase) -> None:
    with chromium(width=320, height=700) as narrow:
        narrow.get(server.base + "/")
        submit(narrow, button(narrow, "Start"))
        while question_id(narrow) in kb.opening:
            choose(narrow, kb.question(question_id(narrow) or "").options[0].label)
        for page in ("question", "result"):
            wide = narrow.execute_script("return document.documentElement.scrollWidth")
            seen = narrow.execute_script("return document.documentElement.clientWidth")
            assert wide <= seen, f"{page} scrolls sideways at 320 px: {wide} > {seen}"
            if page == "question":
                choose(narrow, "Yes")
