"""The educator's pages: the rule network, its cards, the demos, and the class counts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from engine.model import KnowledgeBase
from engine.run.assess import assess
from questionnaire.render.network_picture import highlight, rule_network
from questionnaire.web.app import ServeSettings
from questionnaire.web.network_svg import layout, network_svg
from questionnaire.web.routes import demo_steps
from tests.questionnaire.web.pages import (
    answer,
    client,
    first_red_flag,
    form,
    past_the_opening,
    submit,
)


@pytest.fixture(scope="module")
def web(kb: KnowledgeBase) -> Iterator[TestClient]:
    with client(kb) as running:
        yield running


def test_the_network_links_every_node_to_a_card_that_exists(web: TestClient,
                                                            kb: KnowledgeBase) -> None:
    page = web.get("/rules")
    assert page.status_code == 200 and "<svg" in page.text
    links = set(re.findall(r'<a href="(/rules/card/[^"]+)" class="node', page.text))
    assert links == {f"/rules/card/{node.label}" for node in rule_network(kb).nodes}
    for link in sorted(links):
        assert web.get(link).status_code == 200, link
    assert ' on"' not in page.text  # nothing lit without answers


def test_the_layout_puts_every_edge_forward(kb: KnowledgeBase) -> None:
    graph = rule_network(kb)
    column = {placed.node.id: placed.column for placed in layout(graph)}
    assert all(column[e.source] < column[e.target] for e in graph.edges)
    questions = {column[n.id] for n in graph.nodes if n.kind == "question"}
    outcomes = {column[n.id] for n in graph.nodes if n.kind in ("level", "topic")}
    assert questions == {0} and outcomes == {max(column.values())}


def test_labels_are_escaped_in_the_picture(kb: KnowledgeBase) -> None:
    from dataclasses import replace

    graph = rule_network(kb)
    first = replace(graph.nodes[0], label="<b>&")
    svg = network_svg(replace(graph, nodes=(first, *graph.nodes[1:]),
                              edges=tuple(e for e in graph.edges
                                          if graph.nodes[0].id not in (e.source, e.target))))
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg


def test_from_a_result_the_fired_path_is_lit(web: TestClient, kb: KnowledgeBase) -> None:
    page = past_the_opening(web, kb)
    carried = [*form(page.text, "/question").hidden, ("answer." + first_red_flag(kb), "yes")]
    page = answer(web, page.text, "yes")  # emergency at once
    lit = submit(web, page.text, "/rules")
    assert lit.status_code == 200 and kb.level("emergency").title in lit.text
    answers = {name.removeprefix("answer."): value for name, value in carried}
    expected = highlight(kb, rule_network(kb), assess(kb, answers))
    on = set(re.findall(r'<a href="/rules/card/([^"]+)" class="node \w+ on"', lit.text))
    assert on == {node.label for node in expected.nodes if node.id in expected.lit}
    assert form(lit.text, "/result").hidden == carried


def test_a_card_shows_what_explain_shows(web: TestClient, kb: KnowledgeBase) -> None:
    rule = kb.rules[0]
    page = web.get(f"/rules/card/{rule.id}")
    assert f"Rule {rule.id}" in page.text and "Needs (fires when)" in page.text
    assert web.get("/rules/card/no_such_id").status_code == 404


def test_a_demo_steps_through_the_engine_events_with_next_and_back(
        web: TestClient, kb: KnowledgeBase) -> None:
    from engine.verify.demos import load_demos

    listing = web.get("/demo")
    demos = load_demos(kb)
    assert all(f"/demo/{d.id}" in listing.text for d in demos)
    chosen = max(demos, key=lambda d: len(demo_steps(kb, d)[0]))
    steps, assessment = demo_steps(kb, chosen)
    assert len(steps) >= 2
    first = web.get(f"/demo/{chosen.id}")
    assert "How to read the steps" in first.text and "?step=1" in first.text
    middle = web.get(f"/demo/{chosen.id}?step=1")
    assert "FIRE" in middle.text and "?step=0" in middle.text and "?step=2" in middle.text
    last = web.get(f"/demo/{chosen.id}?step={len(steps)}")
    assert "The agenda is empty" in last.text and assessment.level.title in last.text
    assert f"?step={len(steps) + 1}" not in last.text
    assert web.get(f"/demo/{chosen.id}?step=junk").status_code == 200
    assert web.get("/demo/no_such_demo").status_code == 404


def test_the_demo_events_are_the_watch_printers_words(kb: KnowledgeBase) -> None:
    from engine.verify.demos import load_demos
    from questionnaire.render.watch_view import describe

    demo = load_demos(kb)[0]
    events: list[object] = []
    assess(kb, demo.answers, events.append)
    steps, _ = demo_steps(kb, demo)
    shown = [event for step in steps for event in step.events]
    assert shown == [(e.step, *describe(e)) for e in events]  # type: ignore[attr-defined]


def test_the_class_view_counts_results_behind_a_secret_address(kb: KnowledgeBase) -> None:
    token = "s3cret-token"
    with client(kb, ServeSettings(class_token=token)) as web:
        assert web.get("/class/wrong").status_code == 404
        empty = web.get(f"/class/{token}")
        assert "<strong>0</strong> results shown" in empty.text
        for reply in ("yes", "yes"):
            page = answer(web, past_the_opening(web, kb).text, reply)
            assert page.status_code == 200
        counted = web.get(f"/class/{token}")
        assert "<strong>2</strong> results shown" in counted.text
        emergency = kb.level("emergency").title
        assert re.search(rf"{re.escape(emergency)}</td><td class=\"num\">2<", counted.text)
        assert "sudden_one_sided" not in counted.text.replace(
            "/rules/card/rf_sudden_one_sided", "")  # counts, not answers
    with client(kb) as plain:
        assert plain.get(f"/class/{token}").status_code == 404


def test_from_a_result_a_rule_card_shows_why_it_did_not_fire(web: TestClient,
                                                            kb: KnowledgeBase) -> None:
    from engine.explain.why_not import why_not
    from questionnaire.render.why_not_view import MARKS_KEY, why_not_nodes

    page = past_the_opening(web, kb)
    carried = [*form(page.text, "/question").hidden, ("answer." + first_red_flag(kb), "yes")]
    lit = submit(web, answer(web, page.text, "yes").text, "/rules")
    answers = {name.removeprefix("answer."): value for name, value in carried}
    result = assess(kb, answers)
    unfired = next(rule for rule in kb.rules if rule.id not in result.fired)
    card = submit(web, lit.text, f"/rules/card/{unfired.id}")
    assert card.status_code == 200 and MARKS_KEY in card.text
    (top,) = why_not_nodes(kb, why_not(kb, result, unfired.id))
    assert f"{unfired.title} [{unfired.id}]: did not fire" == top.label
    assert top.label in card.text.replace("&#39;", "'")
    assert form(card.text, "/rules").hidden == carried  # back to the lit network
    assert MARKS_KEY not in web.get(f"/rules/card/{unfired.id}").text  # no answers: no marks


def test_what_would_change_it_is_on_the_demo_and_never_on_a_result(web: TestClient,
                                                                   kb: KnowledgeBase) -> None:
    from engine.explain.what_if import what_if
    from engine.verify.demos import load_demos
    from questionnaire.render.what_if_view import HEADING

    demo = load_demos(kb, None)[0]
    first = web.get(f"/demo/{demo.id}?step=0")
    assert HEADING not in first.text  # only once the steps are done
    last = web.get(f"/demo/{demo.id}?step=999")
    assert HEADING in last.text
    found = what_if(kb, assess(kb, demo.answers))
    for level in found.levels:
        assert f"{level.level.title} <code>{level.level.id}</code>" in last.text.replace(
            "&#39;", "'")
    page = past_the_opening(web, kb)
    result = answer(web, page.text, "yes")
    assert kb.level("emergency").title in result.text and HEADING not in result.text


def test_the_demo_says_why_the_silent_rules_stayed_silent_once_its_steps_are_done(
        web: TestClient, kb: KnowledgeBase) -> None:
    from engine.verify.demos import load_demos
    from questionnaire.render.why_not_view import SILENT_HEADING, silent_rows

    demo = next(d for d in load_demos(kb, None) if d.id == "not_blocks")
    assert SILENT_HEADING not in web.get(f"/demo/{demo.id}?step=1").text
    last = web.get(f"/demo/{demo.id}?step=999").text.replace("&#39;", "'")
    section = last[last.index(SILENT_HEADING):last.index("</section>", last.index(SILENT_HEADING))]
    rows = silent_rows(kb, assess(kb, demo.answers))
    assert rows.ruled_out and rows.waiting
    for rule_id, _, parts in rows.ruled_out:
        assert f'<a href="/rules/card/{rule_id}">' in section
        assert f"<code>{rule_id}</code>" in section
        for _, line in parts:
            assert line in section, line
    assert "<code>disuse_context</code>" in section and "[failed] not (fact other_signs)" in section
    assert all(f'<a href="/rules/card/{rule_id}"><code>{rule_id}</code></a>' in section
               for rule_id in rows.waiting)
    for rule_id in (*[row[0] for row in rows.ruled_out], *rows.waiting):  # each link leads on
        assert web.get(f"/rules/card/{rule_id}").status_code == 200
