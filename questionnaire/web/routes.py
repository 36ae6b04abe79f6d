"""The pages: the person's path (welcome, questions, check, result, downloads) and the educator's.

Every page that carries answers is the answer to a POST whose hidden fields hold all the answers
so far (questionnaire/web/forms.py); nothing about a person is kept between requests. The words
come from the knowledge base and from the renderers the terminal uses (render/result.py's JSON
shape, render/summary.py, render/why_tree.py, render/report.py, render/fhir.py,
render/answers_file.py, render/cards.py, render/watch_view.py); the templates add page chrome.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from engine.model import AnswerValue, Assessment, KnowledgeBase, Question
from engine.run.answers import AnswerError
from engine.verify.scenarios import Case
from questionnaire.flow import Progress, Questionnaire
from questionnaire.web.app import ServeSettings
from questionnaire.web.forms import (
    ANSWER,
    NONE_CHOSEN,
    QUESTION,
    REMEMBERED,
    Ending,
    Hidden,
    ReplyProblem,
    answered,
    ending_screens,
    form_pairs,
    hidden_fields,
    hidden_pairs,
    read_reply,
    replay,
    settle,
    shown,
)
from questionnaire.web.texts import PageTexts, page_texts

HERE = Path(__file__).parent
DOWNLOADS = {
    "answers.yaml": "application/x-yaml; charset=utf-8",
    "report.html": "text/html; charset=utf-8",
    "report.md": "text/markdown; charset=utf-8",
    "questionnaire-response.json": "application/fhir+json; charset=utf-8",
}
#: Where a question page rendered at start-up takes its hidden answer fields and its count
#: (Site.question_page). A NUL cannot come from the knowledge base: its reader refuses control
#: characters.
ANSWERS_HOLE, NUMBER_HOLE, ABOUT_HOLE = "\x00answers\x00", "\x00number\x00", "\x00about\x00"
LEVEL_CLASSES = {0: "routine", 1: "soon", 2: "urgent", 3: "emergency"}


@dataclass
class ClassCounts:
    """Anonymous counts for the class view: how often each level was reached, each rule fired.

    Only counts, in this process's memory, gone when it stops: never answers, times or addresses.
    """

    results: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, assessment: Assessment) -> None:
        with self._lock:
            self.results += 1
            self.levels[assessment.level.id] += 1
            self.rules.update(step.rule.id for step in assessment.trace)


@dataclass
class Site:
    """What every request reads: the knowledge base, templates, demos, counts."""

    kb: KnowledgeBase
    templates: jinja2.Environment
    settings: ServeSettings
    demos: tuple[Case, ...]
    cases: list[Case]
    counts: ClassCounts | None
    #: The answers that could end a walk early, when forms can be replayed with at most one
    #: assessment (questionnaire/web/forms.py ending_screens); None: assess every step.
    ending: Ending | None = None
    #: The page texts of each audience's wording, made once.
    texts: dict[KnowledgeBase, PageTexts] = field(default_factory=dict)
    #: Every question page as most requests show it (no suggestion, no problem), rendered once
    #: for each audience's wording, with and without Back, with holes where the answers and the
    #: count go (see question_page): about 470 pages, 0.1 s of start-up.
    question_pages: dict[tuple[KnowledgeBase, str, bool], str] = field(
        init=False, default_factory=dict, repr=False)
    #: Every hidden field a question page can carry (each question's every value, answered or
    #: remembered), rendered once by the template's ``carry`` macro (see carry).
    carried_fields: dict[tuple[str, str], str] = field(init=False, default_factory=dict,
                                                       repr=False)

    @classmethod
    def build(cls, kb: KnowledgeBase, settings: ServeSettings) -> Site:
        from engine.run.assess import network_for, reaches_top
        from engine.verify.demos import load_demos
        from questionnaire.render.scenario_refs import read_cases

        # auto_reload off: the templates ship with the package and do not change while serving,
        # so Jinja2 need not look at each file's time on every page.
        templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False)
        for name in templates.list_templates(extensions=["html"]):
            templates.get_template(name)  # compiled now, not on some person's first page
        # the rule networks too (the whole one, and the one of the rules behind the emergency
        # level that question pages steer by): every worker is ready when it starts listening
        network_for(kb)
        reaches_top(kb, {})
        return cls(kb=kb, templates=templates, settings=settings,
                   demos=load_demos(kb, Path(settings.rules) if settings.rules else None),
                   cases=read_cases(kb),
                   counts=ClassCounts() if settings.class_token else None,
                   ending=ending_screens(kb),
                   texts={worded: page_texts(worded) for worded in kb.family})

    def __post_init__(self) -> None:
        carry = self.templates.get_template("macros.html").module.carry  # type: ignore[attr-defined]
        self.carried_fields = {
            (name, value): str(carry([Hidden(name, value)])) for question in self.kb.questions
            for value in question.values + (("",) if question.kind == "several_of" else ())
            for name in (ANSWER + question.id, REMEMBERED + question.id)}
        self.question_pages = {
            (words, question.id, can_go_back): self._question_html(
                words, question, NUMBER_HOLE, ABOUT_HOLE, frozenset(), False, can_go_back,
                None, Markup(ANSWERS_HOLE))
            for words in self.kb.family for question in words.questions
            for can_go_back in (False, True)}

    def render(self, name: str, words: KnowledgeBase | None = None, **context: Any) -> str:
        """A page's HTML; ``words`` is the knowledge base worded for the session's audience
        (``run.worded``), so the notice and texts speak of whom the answers are about."""
        kb = words or self.kb
        texts = self.texts.get(kb) or page_texts(kb)
        return self.templates.get_template(name).render(texts=texts, kb=kb,
                                                        demos=bool(self.demos), **context)

    def page(self, name: str, status: int = 200, words: KnowledgeBase | None = None,
             **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render(name, words, **context), status_code=status)

    def question_page(self, words: KnowledgeBase, question: Question, progress: Progress,
                      picked: frozenset[str], none_picked: bool, can_go_back: bool,
                      problem: str | None, hidden: Iterable[tuple[str, str]]) -> HTMLResponse:
        """A question page, filled in from the one rendered at start-up when it can be.

        Rendering was about a third of a question page's work, and all of it but the hidden
        answer fields and the count is the same for every walk at that question: with the pages
        rendered once, the 12th page of a walk took 1.27 million instructions in-process instead
        of 1.83 (tests/bench/web_instructions.py), and 0.51 instead of 0.43 times the bare
        page's rate (tests/bench/web.py). The bytes are the same. The pages are made before
        any request, so nothing a request brings is kept; a page with a suggestion to show (after
        Back) or a problem is rendered afresh.
        """
        carried = self.carry(hidden)
        kept = (None if problem is not None or picked or none_picked
                else self.question_pages.get((words, question.id, can_go_back)))
        if kept is None:
            html = self._question_html(words, question, progress.number, progress.about, picked,
                                       none_picked, can_go_back, problem, carried)
        else:  # the answers go in last: nothing in them is read as a hole
            html = (kept.replace(NUMBER_HOLE, str(progress.number))
                    .replace(ABOUT_HOLE, str(progress.about)).replace(ANSWERS_HOLE, carried))
        return HTMLResponse(html, status_code=400 if problem else 200)

    def carry(self, pairs: Iterable[tuple[str, str]]) -> Markup:
        """Hidden fields (forms.hidden_pairs) as the ``carry`` macro renders them, put together
        from the fields rendered at start-up.

        The answers reader lets through only the question bank's own values, so every field a
        page carries is among them; any other is rendered by the macro. Rendering 34 fields
        through the macro, escaping each name and value, was a sixth of the 35th question page's
        work: put together, that page took 1.99 million instructions in-process instead of 2.37
        (tests/bench/web_instructions.py), and looked up by (name, value) rather than made into
        ``Hidden`` first, 1.56 instead of 1.63. The bytes are the same.
        """
        fields = list(pairs)
        kept = [self.carried_fields.get(field) for field in fields]
        if None in kept:
            macros = self.templates.get_template("macros.html").module
            return macros.carry(  # type: ignore[attr-defined, no-any-return]
                [Hidden(name, value) for name, value in fields])
        return Markup("".join(kept))  # type: ignore[arg-type]  # no None among them

    def _question_html(self, words: KnowledgeBase, question: Question, number: int | str,
                       about: int | str, picked: frozenset[str], none_picked: bool,
                       can_go_back: bool, problem: str | None, carried: Markup) -> str:
        title = ("Error: " if problem else "") + _short(question.text)
        return self.render(
            "question.html", words=words, title=title, question=question, number=number,
            about=about, problem=problem, picked=picked, none_picked=none_picked,
            none_value=NONE_CHOSEN, can_go_back=can_go_back, carried=carried)


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


async def _fields(request: Request) -> list[tuple[str, str]]:
    """The form as (name, value) pairs in order (forms.form_pairs). Our pages post url-encoded
    forms only; a multipart body (a file upload, never sent by our pages) is refused. The safety
    layer (app.py) has already read the body, bounded."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        raise HTTPException(400, "This form does not take files.")
    if kind != "application/x-www-form-urlencoded":
        return []
    try:
        return form_pairs(await request.body())
    except ValueError as exc:  # more fields than forms.MAX_FIELDS
        raise HTTPException(400, "The form has too many fields.") from exc


async def _replayed(request: Request, settled: bool = True
                    ) -> tuple[Questionnaire, list[tuple[str, str]]]:
    pairs = await _fields(request)
    site = _site(request)
    return replay(site.kb, pairs, site.ending, settled), pairs


# --- the person's path ---------------------------------------------------------------------------


async def welcome(request: Request) -> Response:
    return _site(request).page("welcome.html", title="Welcome")


def _question_page(site: Site, run: Questionnaire, problem: str | None = None,
                   chosen: AnswerValue | None = None) -> Response:
    question = run.current()
    assert question is not None
    suggestion = chosen if chosen is not None else run.remembered.get(question.id)
    picked = frozenset() if suggestion is None else frozenset(
        (suggestion,) if isinstance(suggestion, str) else suggestion)
    return site.question_page(run.worded, question, run.progress(), picked, suggestion == (),
                              run.can_go_back, problem, hidden_pairs(run.answers, run.remembered))


def _short(text: str) -> str:
    from questionnaire.render.summary import shorten

    return shorten(text)


def _next_page(site: Site, run: Questionnaire) -> Response:
    """After a move: the next question, or (questions done) check-your-answers or the result."""
    if run.current() is not None:
        return _question_page(site, run)
    if run.ended_early:
        return _result_page(site, run)
    return _check_page(site, run)


async def question(request: Request) -> Response:
    """One step: start, answer the question on the page, or go back one question."""
    site = _site(request)
    run, pairs = await _replayed(request, settled=False)
    action = dict(pairs).get("action", "answer")
    asked = dict(pairs).get(QUESTION)
    if action == "back" or asked is None:
        _settle(site, run)
    if action == "back":
        if not run.back():
            return site.page("welcome.html", title="Welcome")
        return _question_page(site, run)
    if asked is None:  # the start button, or a page of check-your-answers: no reply here
        return _next_page(site, run)
    current = run.current()
    if current is None or current.id != asked:
        raise AnswerError(f"question '{asked}': this page is out of date, or the form was "
                          "changed (the answers before it do not lead to this question)", asked)
    try:
        value = read_reply(current, pairs)
    except ReplyProblem as problem:
        _settle(site, run)
        return _question_page(site, run, str(problem))
    run.answer(value)  # one assessment: the answers so far and this one (see forms.replay)
    if site.ending is not None:
        answered(run)
    return _next_page(site, run)


def _settle(site: Site, run: Questionnaire) -> None:
    """The assessment an unsettled replay left out (replay settles on its own otherwise)."""
    if site.ending is not None:
        settle(run)


def _answer_rows(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[dict[str, Any]]:
    """Each answer as the person read its question (``kb`` worded for them)."""
    return [{"id": q.id, "text": q.text, "answer": q.answer_text(value)}
            for q in kb.questions if (value := answers.get(q.id)) is not None]


def _check_page(site: Site, run: Questionnaire) -> Response:
    return site.page("check.html", title="Check your answers", words=run.worded,
                     rows=_answer_rows(run.worded, run.answers),
                     hidden=hidden_fields(run.answers))


async def check(request: Request) -> Response:
    run, _ = await _replayed(request)
    if run.current() is not None:
        return _question_page(_site(request), run)
    return _check_page(_site(request), run)


async def change(request: Request) -> Response:
    """Change one answer: go back to that question, the later answers kept as suggestions."""
    site = _site(request)
    run, pairs = await _replayed(request)
    wanted = dict(pairs).get("change", "")
    if wanted not in run.answers:
        raise AnswerError(f"question '{wanted}': there is no answer to it to change", wanted)
    while wanted in run.answers:
        run.back()
    return _question_page(site, run)


def _result_page(site: Site, run: Questionnaire) -> Response:
    """The result as the terminal shows it (render/result.py's render_assessment, in order):
    level and advice (its with_reading line only when there is reading), what to do, the safety
    net, reading, how we got here, the notice; all worded for the session's audience."""
    from questionnaire.render.result import assessment_json, sign_options
    from questionnaire.render.summary import questions_behind, shorten
    from questionnaire.render.why_tree import build_explanation

    assessment = shown(run)
    kb = run.worded
    if site.counts is not None:
        site.counts.add(assessment)
    behind = [{"text": shorten(kb.question(q).text),
               "answer": kb.question(q).answer_text(assessment.answers[q])}
              for q in questions_behind(kb, assessment)]
    level = assessment.level
    with_reading = level.with_reading if assessment.reading and level.with_reading else None
    safety_net = [{"heading": group.level.safety_net or group.level.title,
                   "level_class": LEVEL_CLASSES.get(group.level.rank, "routine"),
                   "signs": [{"text": sign.question.text, "options": sign_options(sign)}
                             for sign in group.signs]}
                  for group in assessment.safety_net]
    return site.page(
        "result.html", title=level.title, words=kb, result=assessment_json(kb, assessment),
        level_class=LEVEL_CLASSES.get(level.rank, "routine"), with_reading=with_reading,
        safety_net=safety_net,
        ended_early=run.ended_early, behind=behind, rules=[s.rule.title for s in assessment.trace],
        tree_nodes=build_explanation(kb, assessment), hidden=hidden_fields(run.answers))


async def result(request: Request) -> Response:
    site = _site(request)
    run, _ = await _replayed(request)
    if run.current() is not None and not run.ended_early:
        return _question_page(site, run)
    return _result_page(site, run)


async def download(request: Request) -> Response:
    """A file made from the answers in the form, sent to the browser and written nowhere here."""
    from questionnaire.render.answers_file import answers_yaml
    from questionnaire.render.fhir import questionnaire_response
    from questionnaire.render.report import report_html, report_markdown

    name = request.path_params["name"]
    if name not in DOWNLOADS:
        raise HTTPException(404)
    run, _ = await _replayed(request)
    assessment = shown(run)
    kb = run.worded  # the report's title and texts speak of whom the answers are about
    makers: dict[str, Callable[[], str]] = {
        "answers.yaml": lambda: answers_yaml(run.answers, f"muscle-triage-{name}"),
        "report.html": lambda: report_html(kb, assessment),
        "report.md": lambda: report_markdown(kb, assessment),
        "questionnaire-response.json": lambda: json.dumps(
            questionnaire_response(kb, assessment.answers), indent=2,
            ensure_ascii=False) + "\n",
    }
    return Response(makers[name](), media_type=DOWNLOADS[name], headers={
        "content-disposition": f'attachment; filename="muscle-triage-{name}"'})


# --- the educator's views -------------------------------------------------------------------------


async def rules(request: Request) -> Response:
    """The rule network; from a result (POST with its answers), the fired path lit."""
    from questionnaire.render.network_picture import highlight, rule_network
    from questionnaire.web.network_svg import network_svg

    site = _site(request)
    graph = rule_network(site.kb)
    hidden: list[Any] = []
    level = None
    if request.method == "POST":
        run, _ = await _replayed(request)
        assessment = shown(run, with_safety_net=False)  # the level and the fired rules only
        graph = highlight(site.kb, graph, assessment)
        hidden = hidden_fields(run.answers)
        level = assessment.level.title
    listing = [{"id": rule.id, "title": rule.title, "lit": f"r_{rule.id}" in graph.lit}
               for rule in site.kb.rules]
    return site.page("rules.html", title="The rule network", svg=network_svg(graph),
                     lit=graph.highlighted, level=level, hidden=hidden, listing=listing)


async def card(request: Request) -> Response:
    """A card as `explain ID` shows it; for a rule with a result's answers posted (from the lit
    rule network), also why it fired or not, part by part, as `explain RULE --answers` does."""
    from engine.explain.why_not import why_not
    from questionnaire.render.cards import cards_for
    from questionnaire.render.why_not_view import MARKS_KEY, why_not_nodes

    site = _site(request)
    name = request.path_params["name"]
    cards = cards_for(site.kb, name, site.cases)
    if not cards:
        raise HTTPException(404, "There is no rule, question, topic, fact or level with that id.")
    marked: tuple[Any, ...] = ()
    hidden: list[Any] = []
    if request.method == "POST":
        run, _ = await _replayed(request)
        hidden = hidden_fields(run.answers)
        if any(rule.id == name for rule in site.kb.rules):
            # why (not) reads the answers and the fired rules: no safety net is shown here
            assessment = shown(run, with_safety_net=False)
            marked = why_not_nodes(run.worded, why_not(run.worded, assessment, name))
    return site.page("card.html", title=cards[0].heading, cards=cards, why_not=marked,
                     marks_key=MARKS_KEY, hidden=hidden)


@dataclass(frozen=True)
class DemoStep:
    """The events of one step of a demo: up to and including one firing (or the last ones)."""

    events: tuple[tuple[int, str, str], ...]


def demo_steps(kb: KnowledgeBase, demo: Case) -> tuple[list[DemoStep], Assessment]:
    """The engine's events on a demo's answers, cut after each firing, as `demo --step` pauses."""
    from engine.run.assess import assess
    from engine.run.watch import Event, RuleFired
    from questionnaire.render.watch_view import describe

    events: list[Event] = []
    assessment = assess(kb, demo.answers, events.append)
    steps: list[DemoStep] = []
    current: list[tuple[int, str, str]] = []
    for event in events:
        current.append((event.step, *describe(event)))
        if isinstance(event, RuleFired):
            steps.append(DemoStep(tuple(current)))
            current = []
    if current or not steps:
        steps.append(DemoStep(tuple(current)))
    return steps, assessment


async def demo_list(request: Request) -> Response:
    site = _site(request)
    return site.page("demos.html", title="Teaching demos", demo_cases=site.demos)


async def demo(request: Request) -> Response:
    """A teaching demo step by step; after its last step, why the silent rules stayed silent and
    what would change its result (the what-if, on the demo's example answers: never on a
    person's own result page)."""
    from engine.explain.what_if import MAX_CHANGES, what_if
    from questionnaire.render.watch_view import LEGEND
    from questionnaire.render.what_if_view import ASIDE, HEADING, what_if_rows
    from questionnaire.render.why_not_view import SILENT_ASIDE, SILENT_HEADING, silent_rows

    site = _site(request)
    chosen = next((d for d in site.demos if d.id == request.path_params["name"]), None)
    if chosen is None:
        raise HTTPException(404, "There is no demo with that name.")
    steps, assessment = demo_steps(site.kb, chosen)
    try:
        number = int(request.query_params.get("step", "0"))
    except ValueError:
        number = 0
    number = min(max(number, 0), len(steps))
    answers = [(key, value if isinstance(value, str) else ", ".join(value) or "none")
               for key, value in chosen.answers.items()]
    firings = sum(1 for step in steps for event in step.events if event[1] == "FIRE")
    done = number == len(steps)
    changes = (what_if_rows(site.kb, dict(chosen.answers), what_if(site.kb, assessment),
                            MAX_CHANGES) if done else [])
    return site.page("demo.html", title=chosen.teach.title if chosen.teach else chosen.id,
                     demo=chosen, steps=steps, number=number, total=len(steps), answers=answers,
                     legend=LEGEND.splitlines(), assessment=assessment, firings=firings,
                     what_if=changes, what_if_heading=HEADING, what_if_aside=ASIDE,
                     silent=silent_rows(site.kb, assessment) if done else None,
                     silent_heading=SILENT_HEADING, silent_aside=SILENT_ASIDE)


async def class_view(request: Request) -> Response:
    site = _site(request)
    if site.counts is None or request.path_params["token"] != site.settings.class_token:
        raise HTTPException(404)
    counts = site.counts
    return site.page("class.html", title="Class view", counts=counts,
                     levels=[(lv, counts.levels[lv.id]) for lv in site.kb.levels],
                     rules=[(r, counts.rules[r.id]) for r in site.kb.rules if counts.rules[r.id]])


# --- errors --------------------------------------------------------------------------------------


def _error(request: Request, status: int, message: str, question: Question | None = None
           ) -> Response:
    site = _site(request)
    return site.page("error.html", status=status, title="There is a problem", status_code=status,
                     message=message, question=question)


async def _answer_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AnswerError)
    site = _site(request)
    question = (site.kb.question(exc.question)
                if exc.question and site.kb.has_question(exc.question) else None)
    return _error(request, 400, str(exc), question)


_MESSAGES = {400: "The request could not be read.", 404: "There is no page at this address.",
             405: "This page cannot be opened that way. Start again from the welcome page.",
             413: "The form was too large to read."}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.detail[0].isupper() else ""
    return _error(request, exc.status_code, detail or _MESSAGES.get(exc.status_code,
                                                                    "That did not work."))


async def _server_error(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!DOCTYPE html><html lang=\"en\"><title>Error</title><p>Something went "
                        "wrong on the server. Nothing was saved.</p></html>", status_code=500)


def error_handlers() -> dict[Any, Callable[..., Any]]:
    return {AnswerError: _answer_error, HTTPException: _http_error, Exception: _server_error}


def routes(settings: ServeSettings) -> list[BaseRoute]:
    found: list[BaseRoute] = [
        Route("/", welcome, methods=["GET"]),
        Route("/question", question, methods=["POST"]),
        Route("/check", check, methods=["POST"]),
        Route("/change", change, methods=["POST"]),
        Route("/result", result, methods=["POST"]),
        Route("/download/{name}", download, methods=["POST"]),
        Route("/rules", rules, methods=["GET", "POST"]),
        Route("/rules/card/{name}", card, methods=["GET", "POST"]),
        Route("/demo", demo_list, methods=["GET"]),
        Route("/demo/{name}", demo, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if settings.class_token:
        found.append(Route("/class/{token}", class_view, methods=["GET"]))
    return found
