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


#: Tick the labels named in arguments[0] and press Continue, by the page's own DOM: what
#: choose() does with five WebDriver round trips (each WebDriver click, 70-240 ms here, also
#: scrolls, checks the element can be hit and waits for a navigation) in one.
CHOOSE_JS = """
const labels = [...document.querySelectorAll('fieldset label')];
const named = arguments[0].map(text => labels.find(
    label => label.textContent.trim().replace(/\\s+/g, ' ') === text));
const go = [...document.querySelectorAll('button')].find(
    b => b.textContent.trim() === 'Continue');
if (named.includes(undefined) || !go) return false;
named.forEach(label => label.click());
window.leftBehind = true;
go.click();
return true;
"""


def choose_by_script(driver: Any, *labels: str) -> None:
    """choose(), for a page of a kind already answered with WebDriver's own clicks."""
    from selenium.webdriver.support.wait import WebDriverWait

    assert driver.execute_script(CHOOSE_JS, list(labels)), labels
    WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(
        "return !window.leftBehind && document.readyState === 'complete';"))


def question_id(driver: Any) -> str | None:
    """The id of the question on the page, or None: one round trip (find, then read, is two)."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "const f = document.querySelector('input[name=question]'); return f ? f.value : null;")


def test_a_routine_path_with_why_errors_and_a_changed_answer(
        server: Server, driver: Any, kb: KnowledgeBase) -> None:
    driver.get(server.base + "/")
    accessible(driver, "welcome")
    assert driver.find_element(_by("TAG_NAME"), "html").get_attribute("lang") == "en"
    submit(driver, button(driver, "Start the questions"))
    why = driver.find_element(_by("CSS_SELECTOR"), "details.why")
    why.find_element(_by("TAG_NAME"), "summary").click()
    assert why.get_attribute("open") is not None
    # one axe run covers the question page and what "why" opens (closed, it only hides that)
    accessible(driver, "question with why open")
    submit(driver, button(driver, "Continue"))
    summary = driver.find_element(_by("CSS_SELECTOR"), ".error-summary a")
    accessible(driver, "question with an error")
    summary.click()  # the summary's link moves focus to the first answer
    assert driver.switch_to.active_element.get_attribute("id").endswith("-1")
    wanted = {"who": "self", "age": "40_to_59", "muscles_smaller": "yes", "weaker": "yes",
              "onset": "over_months", "where_affected": ("hands",), "inactivity": ()}
    clicked: set[str] = set()  # the kinds of question answered with WebDriver's own clicks
    for question, value in answer_path(kb, wanted):
        assert question_id(driver) == question.id
        if question.kind == "several_of" and question.kind not in clicked:
            accessible(driver, "several-of question")
        values = (value,) if isinstance(value, str) else value
        labels = [question.label_of(v) for v in values] or ["None of these"]
        (choose if question.kind not in clicked else choose_by_script)(driver, *labels)
        clicked.add(question.kind)
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Check your answers"
    accessible(driver, "check your answers")
    # Change a late answer (the pages after it are walked again, so a late one keeps that
    # short): the earlier answer is chosen, a new one is given, and each later answer comes back
    # chosen, so Continue alone takes it (3.3.7 Redundant entry).
    later = [q.id for q, _ in answer_path(kb, wanted)]
    later = later[later.index("family_history") + 1:]
    submit(driver, driver.find_element(_by("XPATH"), "//button[@value='family_history']"))
    assert question_id(driver) == "family_history"
    assert driver.find_element(_by("CSS_SELECTOR"), "input[name=reply][value=no]").is_selected()
    choose(driver, "Yes")
    for expected in later:
        assert question_id(driver) == expected
        assert driver.find_elements(_by("CSS_SELECTOR"), "input[name=reply]:checked"), expected
        submit(driver, button(driver, "Continue"))
    assert question_id(driver) is None
    assert driver.find_element(_by("XPATH"), "//button[@value='family_history']/parent::dd"
                               "/preceding-sibling::dd[1]").text == "Yes"
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


def test_pages_reflow_at_320_css_pixels(server: Server, driver: Any, kb: KnowledgeBase) -> None:
    """The module's browser, narrowed to 320 CSS pixels (a window of its own costs a start)."""
    size = driver.get_window_size()
    driver.set_window_size(320, 700)
    try:
        assert driver.execute_script("return window.innerWidth") == 320
        driver.get(server.base + "/")
        submit(driver, button(driver, "Start"))
        while question_id(driver) in kb.opening:
            choose(driver, kb.question(question_id(driver) or "").options[0].label)
        for page in ("question", "result"):
            wide = driver.execute_script("return document.documentElement.scrollWidth")
            seen = driver.execute_script("return document.documentElement.clientWidth")
            assert wide <= seen, f"{page} scrolls sideways at 320 px: {wide} > {seen}"
            if page == "question":
                choose(driver, "Yes")
    finally:
        driver.set_window_size(size["width"], size["height"])
