"""WCAG 2.2 in a real browser: what axe-core checks, shown to work, and four criteria it cannot
check, measured on every kind of page at 320 CSS pixels wide (the narrowest reflow width).

- 2.5.8 Target size (minimum): every link, button, summary, radio and checkbox can be hit over
  at least 24 x 24 CSS pixels (an input together with its label, which activates it). Measured
  strictly: the criterion's exceptions (inline links, spacing) are not needed.
- 2.4.11 Focus not obscured (minimum): each focusable element, once focused, is at least partly
  on screen and not wholly covered by anything the page draws (some point of it, sampled over
  its boxes inside the window, hits the element itself).
- 3.3.7 Redundant entry: an answer given before is offered again, chosen, when its question
  comes back after Back (after Change on the check page: test_browser.py's routine path).
- 3.2.6 Consistent help: the help a page offers is in the same place, in the same order, on
  every page: the site links first in the header, and on a question page "Why are we asking
  this?" right after the answers and before Continue.

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
    serving,
)
from tests.questionnaire.web.test_browser import _by, button, choose, question_id, submit

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(browser_paths() is None, reason=HOW_TO_GET)]

#: The smallest target WCAG 2.2 AA allows, in CSS pixels (2.5.8).
TARGET = 24
INTERACTIVE = ("a[href], button, input:not([type=hidden]), summary, select, textarea, "
               "[tabindex]:not([tabindex='-1'])")

#: Each interactive element's hit area: its box joined with its labels' boxes.
TARGETS_JS = """
const found = [];
for (const el of document.querySelectorAll(arguments[0])) {
  if (!el.checkVisibility({visibilityProperty: true})) continue;
  const boxes = [el.getBoundingClientRect(), ...[...(el.labels || [])].map(
      label => label.getBoundingClientRect())];
  const width = Math.max(...boxes.map(b => b.right)) - Math.min(...boxes.map(b => b.left));
  const height = Math.max(...boxes.map(b => b.bottom)) - Math.min(...boxes.map(b => b.top));
  if (el.closest('.skip-link') && el !== document.activeElement) continue;  // off screen
  found.push({what: el.tagName + ' ' + (el.textContent || el.value || el.id).trim().slice(0, 50),
              width: width, height: height});
}
return found;
"""

#: Focus each focusable element in turn (as Tab would, scrolling it into view) and report the
#: ones entirely hidden, which is what 2.4.11 forbids: none of the points sampled over the part
#: of its boxes (one per line of a wrapped link) inside the window hits it or its label.
OBSCURED_JS = """
const hidden = [];
const mine = (el, hit) => hit && (el.contains(hit) ||
    [...(el.labels || [])].some(label => label.contains(hit)));
for (const el of document.querySelectorAll(arguments[0])) {
  if (el.disabled || !el.checkVisibility({visibilityProperty: true})) continue;
  el.focus();
  if (document.activeElement !== el) continue;
  let seen = false;
  for (const box of el.getClientRects()) {
    const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
    for (let i = 1; i < 6 && !seen && left < right && top < bottom; i++) {
      for (let j = 1; j < 6 && !seen; j++) {
        seen = mine(el, document.elementFromPoint(left + (right - left) * i / 6,
                                                  top + (bottom - top) * j / 6));
      }
    }
  }
  if (!seen) {
    const box = el.getBoundingClientRect();
    hidden.push(el.tagName + ' ' + (el.textContent || el.id).trim().slice(0, 50) + ' at ' +
                Math.round(box.left) + ',' + Math.round(box.top));
  }
}
document.activeElement && document.activeElement.blur();
return hidden;
"""

#: Where the help is: the header's site links in order, and on a question page the order of
#: the answers, the "why" disclosure and the Continue button.
HELP_JS = """
const site = [...document.querySelectorAll('header nav a')].map(a => a.textContent.trim());
const form = document.querySelector('main form[action="/question"] fieldset');
let around = null;
if (form) {
  const order = [...document.querySelectorAll('main fieldset, main details.why, main button')]
      .filter(el => el.closest('form') === form.closest('form'))
      .map(el => el.tagName === 'FIELDSET' ? 'answers' : el.tagName === 'DETAILS' ? 'why'
           : el.textContent.trim());
  around = order;
}
return {site: site, first: document.querySelector('header nav') ===
        document.querySelector('body nav'), question: around};
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("--class") as running:
        yield running


@pytest.fixture(scope="module")
def narrow() -> Iterator[Any]:
    with chromium(width=320, height=640) as browser:
        yield browser


#: Posts a form of hidden fields, built through WebDriver (the page's Content-Security-Policy
#: does not apply to it): the answers as the app's own pages carry them from page to page.
POST_JS = """
const form = document.createElement('form');
form.method = 'post';
form.action = arguments[0];
for (const [name, value] of arguments[1]) {
  const field = document.createElement('input');
  Object.assign(field, {type: 'hidden', name: name, value: value});
  form.append(field);
}
document.body.append(form);
window.leftBehind = true;
form.submit();
"""


def answered_up_to(driver: Any, kb: KnowledgeBase, wanted: dict[str, Any],
                   before: str | None = None) -> None:
    """Go straight to the page after ``wanted``'s answers (up to the question ``before``), as
    the Continue of the page before it would: a page of each kind is measured without walking
    the 49 questions of a full path in between (test_browser.py walks them, clicking)."""
    from selenium.webdriver.support.wait import WebDriverWait

    from questionnaire.web.forms import hidden_fields

    path = [(q.id, v) for q, v in answer_path(kb, wanted)]
    if before is not None:
        path = path[:[q for q, _ in path].index(before)]
    driver.execute_script(POST_JS, "/question", [list(f) for f in hidden_fields(dict(path))])
    WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(
        "return !window.leftBehind && document.readyState === 'complete';"))
    assert question_id(driver) == before, (question_id(driver), before)


def every_kind_of_page(driver: Any, server: Server, kb: KnowledgeBase) -> Iterator[str]:
    """Open each kind of page in turn, yielding its name while it is shown."""
    driver.get(server.base + "/")
    yield "welcome"
    submit(driver, button(driver, "Start the questions"))
    yield "question"
    submit(driver, button(driver, "Continue"))
    yield "question with an error"
    wanted = {"who": "self", "age": "40_to_59", "weaker": "yes", "onset": "over_months",
              "where_affected": ("hands",)}
    flag = next(q.id for q in kb.questions if q.role == "red_flag")
    answered_up_to(driver, kb, wanted, before=flag)
    yield "red-flag question"
    answered_up_to(driver, kb, wanted, before="where_affected")
    yield "several-of question"
    choose(driver, kb.question("where_affected").label_of("hands"))
    yield "yes-or-no question"
    answered_up_to(driver, kb, wanted)
    yield "check your answers"
    submit(driver, button(driver, "See the result"))
    yield "result"
    submit(driver, button(driver, "rule network"))
    yield "rule network, lit"
    submit(driver, driver.find_element(_by("CSS_SELECTOR"), ".rule-list button"))
    yield "rule card with the answers"
    for path, name in (("/rules", "rule network"), ("/rules/card/weaker", "card"),
                       ("/demo", "demo list")):
        driver.get(server.base + path)
        yield name
    submit(driver, driver.find_element(_by("CSS_SELECTOR"), "main li a"))
    yield "demo"
    driver.get(driver.current_url.split("?")[0] + "?step=999")
    yield "finished demo"
    assert server.class_url
    driver.get(server.class_url)
    yield "class view"
    driver.get(server.base + "/no-such-page")
    yield "not found"


def test_targets_focus_and_help_on_every_page_at_320_px(
        server: Server, narrow: Any, kb: KnowledgeBase) -> None:
    small: list[str] = []
    obscured: list[str] = []
    helps: dict[str, dict[str, Any]] = {}
    for page in every_kind_of_page(narrow, server, kb):
        targets = narrow.execute_script(TARGETS_JS, INTERACTIVE)
        assert targets, page
        small += [f"{page}: {t['what']} {t['width']:.0f}x{t['height']:.0f}"
                  for t in targets if t["width"] < TARGET or t["height"] < TARGET]
        obscured += [f"{page}: {what}" for what in narrow.execute_script(OBSCURED_JS,
                                                                          INTERACTIVE)]
        helps[page] = narrow.execute_script(HELP_JS)
    assert small == [], "targets under 24 x 24 CSS px:\n" + "\n".join(small)
    assert obscured == [], "focused but hidden:\n" + "\n".join(obscured)
    # 3.2.6: the same site links, in the same order, first in the page, everywhere ...
    sites = {page: (h["site"], h["first"]) for page, h in helps.items()}
    assert len(set(map(repr, sites.values()))) == 1, sites
    # ... and the question pages' "why" always between the answers and Continue.
    questions = {page: h["question"] for page, h in helps.items() if h["question"]}
    assert len(questions) >= 4, questions
    assert all(order == ["answers", "why", "Continue"] for order in questions.values()), questions


def test_an_answer_given_before_is_chosen_again_when_its_question_comes_back(
        server: Server, narrow: Any, kb: KnowledgeBase) -> None:
    """3.3.7: after Back, the earlier answer is chosen, and Continue takes it as it is."""
    narrow.get(server.base + "/")
    submit(narrow, button(narrow, "Start the questions"))
    while question_id(narrow) in kb.opening:
        choose(narrow, kb.question(question_id(narrow) or "").options[0].label)
    first = question_id(narrow)
    assert first is not None
    choose(narrow, "No")
    second = question_id(narrow)
    submit(narrow, button(narrow, "Back"))
    assert question_id(narrow) == first
    chosen = narrow.find_elements(_by("CSS_SELECTOR"), "input[name=reply]:checked")
    assert [c.get_attribute("value") for c in chosen] == ["no"]
    submit(narrow, button(narrow, "Continue"))  # the offered answer, taken as it is
    assert question_id(narrow) == second


def test_the_checks_find_planted_failures(server: Server, narrow: Any) -> None:
    """On a page that passes, planted failures are found: the pinned axe-core runs its WCAG 2.2
    rules (two tiny buttons side by side fail 2.5.8; an image without a text alternative fails
    1.1.1), the target measure sees the tiny buttons, and a layer over the page hides focus."""
    narrow.get(server.base + "/")
    assert axe_violations(narrow) == []
    # Made through the DOM: the page's Content-Security-Policy refuses inline style attributes.
    narrow.execute_script("""
        const main = document.querySelector('main');
        const image = document.createElement('img');
        image.src = '/static/site.css';
        main.prepend(image);
        for (const name of ['a', 'b']) {
          const tiny = document.createElement('button');
          tiny.setAttribute('aria-label', name);
          Object.assign(tiny.style, {width: '8px', height: '8px', padding: '0', border: '0'});
          main.prepend(tiny);
        }""")
    found = {v["id"]: v["tags"] for v in axe_violations(narrow)}
    assert "wcag22aa" in found.get("target-size", []), found
    assert "image-alt" in found, found
    small = [t["what"] for t in narrow.execute_script(TARGETS_JS, INTERACTIVE)
             if t["width"] < TARGET or t["height"] < TARGET]
    assert len(small) == 2, small
    narrow.execute_script("""
        const layer = document.createElement('div');
        Object.assign(layer.style, {position: 'fixed', inset: '0', background: '#fff'});
        document.body.append(layer);""")
    assert len(narrow.execute_script(OBSCURED_JS, INTERACTIVE)) >= 5
