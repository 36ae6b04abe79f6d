"""Private and safe by construction: headers, Host allow-list, body limit, tampered forms, errors,
and Hypothesis-made form bodies that never get a 500."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from engine.model import KnowledgeBase
from questionnaire.web.app import MAX_BODY, SECURITY_HEADERS, ServeSettings
from tests.questionnaire.web.pages import FORM_TYPE, OPENING, answer, client, form, post

ROUTES = [("GET", "/"), ("POST", "/question"), ("POST", "/check"), ("POST", "/result"),
          ("POST", "/download/report.md"), ("GET", "/rules"), ("POST", "/rules"),
          ("GET", "/rules/card/weaker"), ("GET", "/demo"), ("GET", "/static/site.css"),
          ("GET", "/no-such-page"), ("GET", "/question"), ("GET", "/rules/card/nothing")]


@pytest.fixture(scope="module")
def web(kb: KnowledgeBase) -> Iterator[TestClient]:
    with client(kb) as running:
        yield running


def _has_security_headers(headers: object) -> None:
    for name, value in SECURITY_HEADERS:
        assert headers[name.decode()] == value.decode(), name  # type: ignore[index]
    csp = headers["content-security-policy"]  # type: ignore[index]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert not [h for h in headers if h.lower().startswith("access-control-")]  # type: ignore[attr-defined]
    assert "server" not in headers and "set-cookie" not in headers  # type: ignore[operator]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_sends_the_security_headers(web: TestClient, method: str, path: str) -> None:
    response = web.request(method, path, headers={"origin": "http://evil.example"})
    assert response.status_code in (200, 404, 405)
    _has_security_headers(response.headers)


def test_answers_never_travel_in_a_url(web: TestClient) -> None:
    assert web.get("/question?answer.weaker=yes").status_code == 405
    assert web.get("/result").status_code == 405
    assert web.get("/download/answers.yaml").status_code == 405


def test_a_wrong_host_is_refused_with_the_headers(kb: KnowledgeBase) -> None:
    with TestClient(client(kb).app, base_url="http://attacker.example") as other:
        refused = other.get("/")
    assert refused.status_code == 400
    assert "muscle-triage" not in refused.text
    _has_security_headers(refused.headers)


@pytest.mark.parametrize(("host", "served"), [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("LOCALHOST", True),
    ("192.168.1.20:8000", True), ("[::1]:8000", True), ("[fe80::1]", True),
    ("attacker.example", False), ("localhost.attacker.example", False),
    ("127.0.0.1.nip.io", False), ("", False), ("[::1", False)])
def test_names_must_be_allowed_but_any_address_is_served(web: TestClient, host: str,
                                                        served: bool) -> None:
    """DNS rebinding needs a name that resolves to this server; an address cannot rebind."""
    response = web.get("/", headers={"host": host})
    assert (response.status_code == 200) is served, response.text[:80]


def test_a_host_allowed_by_settings_is_served(kb: KnowledgeBase) -> None:
    settings = ServeSettings(allowed_hosts=("class.example",))
    with TestClient(client(kb, settings).app, base_url="http://class.example") as named:
        assert named.get("/").status_code == 200


def test_an_oversized_form_is_refused(web: TestClient) -> None:
    big = urlencode([("answer.weaker", "yes" * (MAX_BODY // 3 + 10))])
    refused = web.post("/question", content=big, headers=FORM_TYPE)
    assert refused.status_code == 413
    _has_security_headers(refused.headers)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY // 1000 + 2):
            yield b"x" * 1000

    streamed = web.post("/question", content=chunks(), headers=FORM_TYPE)
    assert streamed.status_code == 413


@pytest.mark.parametrize(("pairs", "named"), [
    ([("answer.no_such_question", "yes")], "no_such_question"),
    ([("answer.sudden_one_sided", "maybe")], "sudden_one_sided"),
    ([*OPENING, ("answer.sudden_one_sided", "no"), ("answer.sudden_one_sided", "yes")],
     "sudden_one_sided"),
    ([("answer.sudden_one_sided", "no")], "sudden_one_sided"),  # before the opening questions
    ([*OPENING, ("answer.weaker", "yes")], "weaker"),  # skips the questions before it
    ([*OPENING, ("answer.sudden_one_sided", "yes"), ("answer.breathing_trouble", "no")],
     "breathing_trouble"),  # after the emergency stop
    ([*OPENING, ("question", "weaker"), ("reply", "yes")], "weaker"),  # a stale page
    ([*OPENING, ("answer.sudden_one_sided", "no"), ("change", "weaker")], "weaker"),
])
def test_a_tampered_form_gets_a_400_page_naming_the_question(
        web: TestClient, kb: KnowledgeBase, pairs: list[tuple[str, str]], named: str) -> None:
    action = "/change" if any(name == "change" for name, _ in pairs) else "/question"
    page = post(web, action, pairs)
    assert page.status_code == 400
    assert "There is a problem" in page.text and f"&#39;{named}&#39;" in page.text
    assert "Traceback" not in page.text
    if kb.has_question(named):
        assert kb.question(named).text.replace("'", "&#39;") in page.text


def test_a_file_part_is_refused(web: TestClient) -> None:
    sent = web.post("/question", files={"answer.weaker": ("a.txt", b"yes")})
    assert sent.status_code == 400 and "Traceback" not in sent.text


def test_a_form_with_too_many_fields_is_refused(web: TestClient) -> None:
    sent = post(web, "/question", [("answer.weaker", "yes")] * 501)
    assert sent.status_code == 400 and "too many fields" in sent.text
    assert "Traceback" not in sent.text


def test_a_server_error_page_shows_no_internals(kb: KnowledgeBase,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import questionnaire.web.routes as routes

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail /secret/path")

    monkeypatch.setattr(routes, "_question_page", broken)
    with client(kb, raise_errors=False) as web:
        page = post(web, "/check", [])
    assert page.status_code == 500
    assert "secret" not in page.text and "RuntimeError" not in page.text
    _has_security_headers(page.headers)


def test_every_text_is_escaped(web: TestClient) -> None:
    page = post(web, "/question", [("answer.<script>x</script>", "yes")])
    assert page.status_code == 400
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text


# --- Hypothesis: whatever a form says, the answer is a page, never a 500 ------------------------

_NAMES = st.sampled_from([
    "answer.who", "answer.age", "answer.sudden_one_sided", "answer.weaker",
    "answer.where_affected", "answer.onset",
    "answer.inactivity", "answer.nope", "remembered.weaker", "remembered.where_affected",
    "remembered.x", "reply", "question", "action", "change", "answer.",
    "", "answer.breathing_trouble"])
_VALUES = st.one_of(st.sampled_from(["yes", "no", "unsure", "", "hands", "cast", "back",
                                     "none-of-these", "weaker", "sudden_one_sided", "over_days",
                                     "1", "self", "child", "40_to_59"]),
                    st.text(max_size=12))
_ACTIONS = st.sampled_from(["/question", "/check", "/change", "/result", "/rules",
                            "/download/answers.yaml", "/download/report.html",
                            "/download/questionnaire-response.json"])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=_ACTIONS, pairs=st.lists(st.tuples(_NAMES, _VALUES), max_size=8),
       raw=st.booleans(), junk=st.binary(max_size=40))
def test_no_form_body_gets_a_500(web: TestClient, action: str, pairs: list[tuple[str, str]],
                                 raw: bool, junk: bytes) -> None:
    body = junk if raw else urlencode(pairs).encode()
    response = web.post(action, content=body, headers=FORM_TYPE)
    assert response.status_code in (200, 400, 413), response.text[-500:]
    assert "Traceback" not in response.text


def test_the_start_of_a_walk_is_not_an_error(web: TestClient) -> None:
    """The Hypothesis test's happy path exists: real answers move on."""
    page = post(web, "/question", [])
    for value in ("self", "40_to_59", "no"):
        page = answer(web, page.text, value)
        assert page.status_code == 200
    assert [*OPENING, ("answer.sudden_one_sided", "no")] == form(page.text, "/question").hidden
