"""A person at the browser, without a browser: read a page's forms and submit them as it would.

Pages are parsed with the standard library's HTMLParser; a form is submitted with its hidden
fields, the chosen inputs and the pressed button, url-encoded in document order, exactly what a
browser with JavaScript off sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx2 as httpx
from starlette.testclient import TestClient

from engine.model import AnswerValue, KnowledgeBase
from questionnaire.web.app import ServeSettings, create_app
from questionnaire.web.forms import NONE_CHOSEN
from tests.answer_paths import answer_path, calm_default

FORM_TYPE = {"content-type": "application/x-www-form-urlencoded"}
#: The opening questions answered as hidden fields: the person answers for themself, aged 40 to 59.
OPENING = [("answer.who", "self"), ("answer.age", "40_to_59")]


@dataclass
class Form:
    action: str
    hidden: list[tuple[str, str]] = field(default_factory=list)
    #: (type, name, value, checked) of radios and checkboxes.
    choices: list[tuple[str, str, str, bool]] = field(default_factory=list)
    #: (name, value, text) of submit buttons.
    buttons: list[tuple[str, str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is not None and tag == "input":
            if a.get("type") == "hidden":
                self._form.hidden.append((a["name"], a.get("value", "")))
            elif a.get("type") in ("radio", "checkbox"):
                self._form.choices.append((a["type"], a["name"], a.get("value", ""),
                                           "checked" in a))
        elif self._form is not None and tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._form is not None:
            name, value, text = self._button
            self._form.buttons.append((name, value, " ".join(text.split())))
            self._button = None
        elif tag == "form":
            self._form = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form(html: str, action: str) -> Form:
    found = [f for f in forms(html) if f.action == action]
    assert found, f"no form posting to {action}"
    return found[0]


def client(kb: KnowledgeBase | None = None, settings: ServeSettings | None = None,
           raise_errors: bool = True) -> TestClient:
    return TestClient(create_app(settings, kb), base_url="http://127.0.0.1",
                      raise_server_exceptions=raise_errors)


def post(c: TestClient, action: str, pairs: list[tuple[str, str]]) -> httpx.Response:
    return c.post(action, content=urlencode(pairs), headers=FORM_TYPE)


def submit(c: TestClient, html: str, action: str, extra: list[tuple[str, str]] = (),  # type: ignore[assignment]
           button: tuple[str, str] | None = None) -> httpx.Response:
    """Submit the page's form for ``action`` with its hidden fields, ``extra`` and a button."""
    f = form(html, action)
    pairs = [*f.hidden, *extra]
    if button is not None:
        pairs.append(button)
    return post(c, action, pairs)


def question_id(html: str) -> str | None:
    """The id of the question on the page, or None when the page asks none."""
    for f in forms(html):
        for name, value in f.hidden:
            if name == "question":
                return value
    return None


def answer(c: TestClient, html: str, *values: str, none: bool = False) -> httpx.Response:
    """Answer the question on the page: choose ``values`` (or "None of these") and continue."""
    extra = [("reply", value) for value in values]
    if none:
        extra.append(("reply", NONE_CHOSEN))
    return post(c, "/question", [*question_form(html).hidden, *extra])


def question_form(html: str) -> Form:
    """The form of the question on the page (not the Back button's, which posts there too)."""
    (found,) = [f for f in forms(html) if any(name == "question" for name, _ in f.hidden)]
    return found


def past_the_opening(c: TestClient, kb: KnowledgeBase) -> httpx.Response:
    """Start, and answer the opening questions (who is answering) with their calm defaults: the
    page after them asks the first question that is not an opening one."""
    page = post(c, "/question", [])
    while (asked := question_id(page.text)) in kb.opening:
        value = calm_default(kb.question(asked or ""))
        page = answer(c, page.text, *((value,) if isinstance(value, str) else value))
    return page


def walk(c: TestClient, kb: KnowledgeBase, wanted: Mapping[str, AnswerValue]
         ) -> httpx.Response:
    """Start, then answer every question asked (``wanted`` or a calm default) in order."""
    page = post(c, "/question", [])
    for question, value in answer_path(kb, wanted):
        assert question_id(page.text) == question.id
        values = (value,) if isinstance(value, str) else value
        page = answer(c, page.text, *values, none=values == ())
        assert page.status_code == 200, page.text
        if question_id(page.text) is None:
            break
    return page


def first_red_flag(kb: KnowledgeBase) -> str:
    """The id of the first red flag in asking order (asked straight after the opening)."""
    return next(q.id for q in kb.questions if q.role == "red_flag")


def back(c: TestClient, html: str) -> httpx.Response:
    (found,) = [f for f in forms(html) if ("action", "back") in
                [(name, value) for name, value, _ in f.buttons]]
    return post(c, "/question", [*found.hidden, ("action", "back")])


def checked(html: str) -> list[str]:
    return [value for f in forms(html) if f.action == "/question"
            for kind, name, value, on in f.choices if on and name == "reply"]
