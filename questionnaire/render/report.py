"""A report to take to a doctor, as Markdown or as one self-contained, printable HTML file.

The report is written as Markdown sections first; HTML is the same sections turned into HTML by
markdown-it-py with raw HTML switched off, so every text from the knowledge base or the answers is
escaped twice over: Markdown punctuation is backslash-escaped when a section is written, and
markdown-it escapes whatever HTML remains. The HTML carries its own print stylesheet and loads
nothing from anywhere.

Hook for other front ends (e.g. the interactive questionnaire)::

    write_report(kb, assessment, Path("visit.md"), force=False)   # -> the Path written
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from engine.explain.chain import RuleReason, answers_behind, why
from engine.model import Assessment, KnowledgeBase
from questionnaire.files import WriteRefused, write_private
from questionnaire.render.network_picture import fired_path, to_mermaid
from questionnaire.render.why_tree import Node, build_explanation
from questionnaire.version import tool_version

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

#: Report formats by file suffix.
REPORT_FORMATS = ("md", "html")
#: Blank lines for the reader to fill in before the appointment.
BLANK_QUESTIONS = 5

_INLINE = re.compile(r"([\\`*_\[\]<>&|~!{}])")
_LINE_START = re.compile(r"^(\s*)(\d*)([#>+=.)-])")


def md(text: str) -> str:
    """Text as literal Markdown: one line, with every character Markdown could act on escaped."""
    flat = " ".join(str(text).split())
    escaped = _INLINE.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3), escaped)


def _link(text: str, url: str) -> str:
    target = quote(url, safe=":/?#@!$&'()*+,;=%~-._")
    return f"[{md(text)}](<{target}>)"


def report_format(path: Path) -> str:
    """The format a report path asks for; ValueError naming the allowed suffixes otherwise."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in REPORT_FORMATS:
        shown = f"'{path.suffix}'" if path.suffix else "no suffix"
        raise ValueError(f"a report must end in .md (Markdown) or .html (web page, prints well); "
                         f"'{path}' has {shown}")
    return suffix



@dataclass(frozen=True)
class Section:
    """One part of the report; `css` names it in the HTML so print styles can address it."""

    css: str
    markdown: str


def _tree_markdown(nodes: tuple[Node, ...], depth: int = 0) -> list[str]:
    lines: list[str] = []
    pad = "  " * depth
    for node in nodes:
        text = f"**{md(node.label)}**" if node.kind in ("urgency", "rule", "topic") else md(
            node.label)
        parts = [text, *(md(d) for d in node.details)]
        lines.append(f"{pad}- " + f"\\\n{pad}  ".join(parts))
        lines += _tree_markdown(node.children, depth + 1)
    return lines


def _offered(node: RuleReason) -> str:
    answers = ", ".join(f"{a.question.id}: {a.label}" for a in answers_behind(node))
    return md(f"{node.rule.title} [{node.rule.id}]" + (f" (answers {answers})" if answers else ""))


def report_sections(kb: KnowledgeBase, assessment: Assessment, today: date,
                    picture: bool = True) -> list[Section]:
    """The report's parts in order; `picture` adds the Mermaid diagram (Markdown only)."""
    level, texts = assessment.level, kb.texts
    sections = [Section("title", "\n".join([
        f"# {md(texts.report_title)}", "",
        f"Date: {today.isoformat()}", "",
        f"> **{md(texts.not_a_diagnosis)}** {md(assessment.notice)}"]))]

    result = [f"## Result: {md(level.title)}", "", md(level.advice)]
    if assessment.guidance:
        result += ["", "### What to do", ""] + [f"- {md(text)}" for text in assessment.guidance]
    sections.append(Section("result", "\n".join(result)))

    asked = [q for q in kb.questions if q.id in assessment.answers]
    answers = ["## Answers, as asked", ""]
    if asked:
        answers += ["| # | Question | Answer |", "| ---: | --- | --- |"]
        answers += [f"| {n} | {md(q.text)} ({md(q.id)}) "
                    f"| {md(q.answer_text(assessment.answers[q.id]))} |"
                    for n, q in enumerate(asked, start=1)]
    else:
        answers.append("No questions were answered.")
    answers += ["", "Questions not listed were not answered (unknown, not \"no\")."]
    if assessment.ignored:
        answers += ["", "Set aside, because these questions would not have been asked given the "
                        "other answers: " + ", ".join(md(q) for q in assessment.ignored) + "."]
    sections.append(Section("answers", "\n".join(answers)))

    guidance_roots = build_explanation(kb, assessment, reading=False)
    reasons = ["## Why this guidance", "",
           "Each rule that fired, what it is based on, and the answers that made it fire.", ""]
    reasons += _tree_markdown(guidance_roots)
    sections.append(Section("why", "\n".join(reasons)))
    if picture:
        sections.append(Section("picture", "\n".join([
            "### The reasoning as a picture", "",
            "Answers (left) lead to the rules they made fire, and on to the result (right). "
            "Shown as a diagram wherever Markdown draws Mermaid (for example on GitHub).", "",
            "````mermaid", to_mermaid(fired_path(kb, assessment)).rstrip("\n"), "````"])))

    if assessment.reading:
        reading = ["## Reading", "", md(texts.reading_intro)]
        for topic in why(kb, assessment).reading:
            item = topic.item
            reading += ["", f"### {md(item.title)}", "", md(item.summary), "",
                        "Offered by: " + "; ".join(_offered(node) for node in topic.offered_by)
                        + "\\",
                        "Sources: " + "; ".join(md(kb.citation(s)) for s in item.sources)
                        + "\\", f"Read more: {_link(item.link, item.link)}"]
        sections.append(Section("reading", "\n".join(reading)))

    sections.append(Section("ask", "\n".join(
        ["## Questions to ask the doctor", "", "Write them down before the appointment.", ""]
        + [f"{n}. &nbsp;" for n in range(1, BLANK_QUESTIONS + 1)])))
    sections.append(Section("footer", "\n".join([
        "---", "",
        f"Made with muscle-triage {md(tool_version())}. {md(assessment.notice)}"])))
    return sections


def report_markdown(kb: KnowledgeBase, assessment: Assessment,
                    today: date | None = None) -> str:
    sections = report_sections(kb, assessment, today or date.today())
    return "\n\n".join(section.markdown for section in sections) + "\n"


_CSS = """
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; max-width: 46em;
       margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #999; padding-bottom: 0.1em; margin-top: 1.6em; }
h3 { font-size: 1.05em; }
blockquote { border-left: 4px solid #b71c1c; margin: 1em 0; padding: 0.3em 1em;
             background: #fff3f3; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
section.result h2 { color: #7f0000; }
section.why ul { padding-left: 1.3em; }
section.ask ol li { min-height: 2.4em; border-bottom: 1px solid #777; margin-bottom: 0.4em; }
a { color: #0d47a1; }
@page { margin: 1.8cm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  a { color: #111; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 0.85em; word-break: break-all; }
  section, tr, li { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.ask { break-before: page; page-break-before: always; }
  blockquote { background: none; }
}
"""


def _markdown_renderer() -> MarkdownIt:
    """CommonMark plus tables, with raw HTML off: any HTML in a text is shown, not run."""
    from markdown_it import MarkdownIt  # ~170 ms to import: only when an HTML report is made

    return MarkdownIt("commonmark", {"html": False, "linkify": False,
                                     "typographer": False}).enable("table")


def report_html(kb: KnowledgeBase, assessment: Assessment, today: date | None = None) -> str:
    """One self-contained HTML page (inline CSS, no scripts, nothing fetched) that prints well."""
    day = today or date.today()
    renderer = _markdown_renderer()
    body = "\n".join(
        f'<section class="{section.css}">\n{renderer.render(section.markdown)}</section>'
        for section in report_sections(kb, assessment, day, picture=False))
    title = html.escape(f"{kb.texts.report_title} ({day.isoformat()})")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="robots" content="noindex">\n<title>{title}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def render_report(kb: KnowledgeBase, assessment: Assessment, fmt: str,
                  today: date | None = None) -> str:
    if fmt == "html":
        return report_html(kb, assessment, today)
    if fmt == "md":
        return report_markdown(kb, assessment, today)
    raise ValueError(f"unknown report format '{fmt}' (use one of: {', '.join(REPORT_FORMATS)})")


def refuse_existing(path: Path, force: bool) -> None:
    """Fail early, before assessing or drawing, when write_private would refuse anyway."""
    if Path(path).exists() and not force:
        raise WriteRefused(f"{path} already exists; use --force to replace it")


def write_report(kb: KnowledgeBase, assessment: Assessment, path: Path, fmt: str | None = None,
                 force: bool = False, today: date | None = None) -> Path:
    """Write the report to ``path`` (format from its suffix unless ``fmt``), mode 0600.

    Raises ValueError for a suffix that is neither .md nor .html, and
    questionnaire.files.WriteRefused when the file exists and ``force`` is false.
    """
    chosen = fmt or report_format(Path(path))
    return write_private(Path(path), render_report(kb, assessment, chosen, today), force=force)
