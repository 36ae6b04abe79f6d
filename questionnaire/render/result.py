"""Renderers: an Assessment or the question bank as readable text or as stable JSON.

The last step of the one-way flow answers -> facts -> engine -> Assessment -> renderers. Text goes
through rich, which drops colour and styles on its own when the output is not a terminal or
NO_COLOR is set; the JSON shape is a documented contract (schema_version 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from engine.explain.words import formula
from engine.model import AnswerValue, Assessment, KnowledgeBase, Question, Wording

SCHEMA_VERSION = 1
#: Badge styles by level rank (0 = lowest).
LEVEL_STYLES = {0: "bold white on green", 1: "bold black on yellow",
                2: "bold white on dark_orange3", 3: "bold white on red"}


def _answer_json(value: AnswerValue) -> str | list[str]:
    return value if isinstance(value, str) else list(value)


def assessment_json(kb: KnowledgeBase, assessment: Assessment) -> dict[str, Any]:
    """The documented JSON result (schema_version 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "urgency": {"level": assessment.level.id, "title": assessment.level.title,
                    "advice": assessment.level.advice},
        "notice": assessment.notice,
        "guidance": list(assessment.guidance),
        "reading": [{"id": item.id, "title": item.title, "summary": item.summary,
                     "sources": [kb.citation(s) for s in item.sources], "link": item.link}
                    for item in assessment.reading],
        "trace": [{"rule": step.rule.id, "title": step.rule.title, "because": list(step.because),
                   "concluded": list(step.concluded)} for step in assessment.trace],
        "answers": {key: _answer_json(value) for key, value in assessment.answers.items()},
        "ignored": list(assessment.ignored),
    }


def question_json(question: Question, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """A question as JSON; with ``kb``, a question worded by audience also gets ``by_audience``
    (text, why and option labels for each of self, adult, child and baby)."""
    found: dict[str, Any] = {
        "id": question.id, "text": question.text, "kind": question.kind, "role": question.role,
        "options": [{"value": o.value, "label": o.label} for o in question.options],
        "ask_if": formula(question.ask_if) if question.ask_if else None,
        "why": question.why,
    }
    if kb is not None:
        versions = {v.audience: v.question(question.id) for v in kb.family}
        shown = {audience: {"text": q.text, "why": q.why,
                            "labels": [o.label for o in q.options]}
                 for audience, q in versions.items()}
        if any(words != shown["self"] for words in shown.values()):
            found["by_audience"] = shown
    return found


def _block(console: Console, markup: str, indent: int) -> None:
    """Print a paragraph wrapped with a hanging indent, so long lines stay readable."""
    console.print(Padding(Text.from_markup(markup), (0, 0, 0, indent), expand=False))


def _bullet(console: Console, markup: str, indent: int = 2) -> None:
    """A list item whose wrapped lines align under its first word, not under the dash."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column()
    grid.add_row("-", Text.from_markup(markup))
    console.print(Padding(grid, (0, 0, 0, indent), expand=False))


bullet = _bullet  # for other renderers (e.g. questionnaire/render/summary.py)


SectionPrinter = Callable[[KnowledgeBase, Assessment, Console], None]


def render_assessment(kb: KnowledgeBase, assessment: Assessment, console: Console, *,
                      how_we_got_here: SectionPrinter | None = None) -> None:
    """The result as text: urgency first, then what to do, reading, reasons and the notice.

    ``how_we_got_here`` replaces the full rule trace, e.g. with the questionnaire's short summary.
    """
    level = assessment.level
    style = LEVEL_STYLES.get(level.rank, "bold")
    console.print(f"[{style}] {escape(level.title)} [/]")
    # The line about reading joins the advice only when there is reading to show.
    with_reading = f" {level.with_reading}" if assessment.reading and level.with_reading else ""
    _block(console, escape(level.advice + with_reading), 0)
    if assessment.guidance:
        console.print()
        console.print("[bold]What to do[/]")
        for text in assessment.guidance:
            _bullet(console, escape(text))
    if assessment.reading:
        console.print()
        console.print("[bold]Reading[/]")
        _block(console, f"[dim]{escape(kb.texts.reading_intro)}[/]", 2)
        for item in assessment.reading:
            _block(console, f"[bold]{escape(item.title)}[/]", 2)
            _block(console, escape(item.summary), 4)
            _block(console, f"[link={item.link}]{escape(item.link)}[/link]", 4)
    console.print()
    (how_we_got_here or render_trace)(kb, assessment, console)
    console.print()
    _block(console, f"[italic]{escape(assessment.notice)}[/]", 0)


def render_trace(kb: KnowledgeBase, assessment: Assessment, console: Console) -> None:
    """Every fired rule with the parts of its condition that held and what it concluded."""
    console.print("[bold]How we got here[/]")
    if not assessment.trace:
        _bullet(console, "No rule fired, so the result is the starting level "
                         f"'{escape(kb.default_level)}'.")
    for step in assessment.trace:
        _bullet(console, f"{escape(step.rule.title)} [dim]({step.rule.id})[/]")
        if step.because:
            _block(console, f"because: {escape('; '.join(step.because))}", 4)
        _block(console, f"so: {escape(', '.join(step.concluded))}", 4)
    for question_id in assessment.ignored:
        _bullet(console, f"[dim]Set aside: the answer to '{question_id}', a question that "
                         "would not be asked given the other answers.[/]")


def variant_lines(wording: Wording) -> list[str]:
    """A text as each audience reads it: the text alone when everyone reads the same, else one
    line per variant led by whom it is for, e.g. ``[adult, child] Have they lost strength?``."""
    if wording.uniform:
        return [wording.by_audience[0]]
    return [f"[{', '.join(audiences)}] {text}" for audiences, text in wording.variants()]


def _choices(question: Question) -> str:
    return ", ".join(f"{o.value} ({o.label})" if o.label.lower() != o.value else o.value
                     for o in question.options)


def render_questions(kb: KnowledgeBase, console: Console) -> None:
    """The question bank, with every audience's wording where a text is worded by audience."""
    for number, question in enumerate(kb.questions, start=1):
        role = question.role.replace("_", " ")
        console.print(f"[bold]{number}. {question.id}[/] [dim]({role}, {question.kind})[/]")
        for line in variant_lines(kb.worded(lambda v, q=question.id: v.question(q).text)):
            _block(console, escape(line), 3)
        for line in variant_lines(kb.worded(lambda v, q=question.id: _choices(v.question(q)))):
            _block(console, f"[dim]answers:[/] {escape(line)}", 3)
        if question.ask_if:
            _block(console, f"[dim]asked if:[/] {escape(formula(question.ask_if))}", 3)
        for line in variant_lines(kb.worded(lambda v, q=question.id: v.question(q).why)):
            _block(console, f"[dim]why:[/] {escape(line)}", 3)
        console.print()
