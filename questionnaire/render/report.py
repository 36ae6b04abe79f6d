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
from engine.model import AnswerValue, Assessment, KnowledgeBase, Question
from engine.problems import quote as quote_text
from questionnaire.files import check_target, write_private
from questionnaire.render.network_picture import fired_path, to_mermaid
from questionnaire.render.result import sign_options
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
        shown = quote_text(path.suffix) if path.suffix else "no suffix"
        raise ValueError(f"a report must end in .md (Markdown) or .html (web page, prints well); "
                         f"{quote_text(str(path))} has {shown}")
    return suffix



@dataclass(frozen=True)
class Section:
    """One part of the report; `css` names it in the HTML so print styles can address it.

    `educators` marks the appendix (ids, rule files and lines, fact names): the body a doctor
    and a patient read carries none of them, so the HTML folds the appendix away (it does not
    print unless opened) and the Markdown puts it last under its own heading.
    """

    css: str
    markdown: str
    educators: bool = False


#: The appendix heading (interface wording: it names a part of the report, says nothing about
#: health or the tool's limits).
EDUCATORS_HEADING = "For educators: how the rules reached this"

#: How an answer is grouped in the body, the way a consultation report lists symptoms.
ANSWER_GROUPS = ("Reported", "Not present", "Not sure", "Does not apply")
_GROUP_OF_VALUE = {"yes": "Reported", "no": "Not present", "unsure": "Not sure",
                   "not_applicable": "Does not apply"}


def answer_group(value: AnswerValue) -> str:
    """The body group of one answer: yes and any chosen option are "Reported", no and an empty
    choice "Not present"; "Not sure" and "Does not apply" (alone) are their own groups."""
    if isinstance(value, tuple):
        if not value:
            return "Not present"
        value = value[0] if len(value) == 1 else "several"
    return _GROUP_OF_VALUE.get(value, "Reported")


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


def _sentence(title: str) -> str:
    """A rule title as the lead of a sentence: a full stop unless it ends in punctuation."""
    return title if title[-1:] in ".?!:" else title + "."


def _asked_line(question: Question, value: AnswerValue) -> str:
    return f"- {md(question.text)} **{md(question.answer_text(value))}**"


def _body_sections(kb: KnowledgeBase, assessment: Assessment, today: date) -> list[Section]:
    """What a doctor and a patient read, in the order a short appointment wants it: who and
    when, the urgency and advice, the safety net, the answers in words, the warning signs, the
    reasoning, the reading, the notice. No ids, no rule files, no fact names."""
    level, texts, answers = assessment.level, kb.texts, assessment.answers
    asked = [q for q in kb.questions if q.id in answers]
    opening = [q for q in asked if q.id in kb.opening]
    flags = [q for q in asked if q.role == "red_flag"]
    rest = [q for q in asked if q not in opening and q not in flags]

    title = [f"# {md(texts.report_title)}", "", f"Date: {today.isoformat()}"]
    title += [_asked_line(q, answers[q.id]) for q in opening] and (
        [""] + [_asked_line(q, answers[q.id]) for q in opening])
    title += ["", f"> **{md(texts.not_a_diagnosis)}**"]
    sections = [Section("title", "\n".join(title))]

    result = [f"## Result: {md(level.title)}", "", md(level.advice)]
    if assessment.guidance:
        result += ["", "### What to do", ""] + [f"- {md(text)}" for text in assessment.guidance]
    for group in assessment.safety_net:
        result += ["", f"**{md(group.level.safety_net or group.level.title)}**", ""]
        for sign in group.signs:
            result.append(f"- {md(sign.question.text)}")
            result += [f"  - {md(label)}" for label in sign_options(sign)]
    sections.append(Section("result", "\n".join(result)))

    said = ["## Answers", ""]
    grouped = {name: [q for q in rest if answer_group(answers[q.id]) == name]
               for name in ANSWER_GROUPS}
    for name, questions in grouped.items():
        if questions:
            said += [f"### {name}", ""] + [_asked_line(q, answers[q.id]) for q in questions]
            said.append("")
    if not rest:
        said += ["No questions about symptoms were answered.", ""]
    said.append(md(texts.report_unanswered))
    set_aside = [kb.question(q).text for q in assessment.ignored if kb.has_question(q)]
    if set_aside:
        said += ["", "Set aside, because these questions would not have been asked given the "
                     "other answers:", ""] + [f"- {md(text)}" for text in set_aside]
    sections.append(Section("answers", "\n".join(said)))

    signs = ["## Warning signs asked about", ""]
    signs += ([_asked_line(q, answers[q.id]) for q in flags] if flags
              else ["No warning-sign questions were answered."])
    sections.append(Section("signs", "\n".join(signs)))

    fired = [kb.rule(rule_id) for rule_id in dict.fromkeys(s.rule.id for s in assessment.trace)]
    advice_rules = [r for r in fired if r.then.level or r.then.guidance or r.then.derive]
    if advice_rules:
        sections.append(Section("why", "\n".join(
            ["## Why this advice", ""]
            + [f"- **{md(_sentence(r.title))}** {md(r.explanation)}" for r in advice_rules])))

    if assessment.reading:
        reading = ["## Reading", "", md(texts.reading_intro)]
        for item in assessment.reading:
            reading += ["", f"### {md(item.title)}", "", md(item.summary), "",
                        "Sources: " + "; ".join(md(kb.citation(s)) for s in item.sources)
                        + "\\", f"Read more: {_link(item.link, item.link)}"]
        sections.append(Section("reading", "\n".join(reading)))

    sections.append(Section("ask", "\n".join(
        ["## Questions to ask the doctor", "", "Write them down before the appointment.", ""]
        + [f"{n}. &nbsp;" for n in range(1, BLANK_QUESTIONS + 1)])))
    sections.append(Section("notice", "\n".join(["---", "", md(assessment.notice)])))
    return sections


def _educator_sections(kb: KnowledgeBase, assessment: Assessment,
                       picture: bool) -> list[Section]:
    """The appendix: ids beside answers, the rule tree with files and lines, what offered each
    reading, what would change the result, the Mermaid picture (Markdown only) and the tool
    version."""
    parts = [Section("educators", "\n".join([
        f"## {EDUCATORS_HEADING}", "",
        "Question and rule ids, and where each rule is written, for people who teach with or "
        "edit the rules."]), educators=True)]
    asked = [q for q in kb.questions if q.id in assessment.answers]
    if asked:
        table = ["### Answers with their ids", "", "| Question id | Answer |", "| --- | --- |"]
        table += [f"| {md(q.id)} | {md(q.answer_text(assessment.answers[q.id]))} |"
                  for q in asked]
        parts.append(Section("ids", "\n".join(table), educators=True))
    if assessment.ignored:
        parts.append(Section("ignored", "Set aside: " + ", ".join(
            md(q) for q in assessment.ignored) + ".", educators=True))
    tree = ["### The rules behind the guidance", "",
            "Each rule that fired, what it is based on, and the answers that made it fire.", ""]
    tree += _tree_markdown(build_explanation(kb, assessment, reading=False))
    parts.append(Section("tree", "\n".join(tree), educators=True))
    if assessment.reading:
        offered = ["### What offered each reading", ""]
        offered += [f"- {md(topic.item.title)}: "
                    + "; ".join(_offered(node) for node in topic.offered_by)
                    for topic in why(kb, assessment).reading]
        parts.append(Section("offered", "\n".join(offered), educators=True))
    parts.append(_what_if_section(kb, assessment))
    if picture:
        parts.append(Section("picture", "\n".join([
            "### The reasoning as a picture", "",
            "Answers (left) lead to the rules they made fire, and on to the result (right). "
            "Shown as a diagram wherever Markdown draws Mermaid (for example on GitHub).", "",
            "````mermaid", to_mermaid(fired_path(kb, assessment)).rstrip("\n"), "````"]),
            educators=True))
    parts.append(Section("made-with", f"Made with muscle-triage {md(tool_version())}.",
                         educators=True))
    return parts


def _what_if_section(kb: KnowledgeBase, assessment: Assessment) -> Section:
    """What would change it, in the appendix only: the body a person reads as their own result
    never suggests answers that would lower their urgency (issue 18); the lines are those of
    `assess --what-if` and the web demo page."""
    from engine.explain.what_if import MAX_CHANGES, what_if
    from questionnaire.render.what_if_view import ASIDE, HEADING, what_if_rows

    lines = [f"### {md(HEADING)}", "", md(ASIDE[:1].upper() + ASIDE[1:] + ".")]
    rows = what_if_rows(kb, dict(assessment.answers), what_if(kb, assessment), MAX_CHANGES)
    for row in rows:
        lines += ["", f"**{md(row.level.level.title)}** ({md(row.level.level.id)}): "
                      f"{md(row.outcome)}"]
        if row.sets:
            lines.append("")
        for changes, notes in row.sets:
            lines.append(f"- {md(changes)}")
            lines += [f"  - {md(note)}" for note in notes]
        if row.more:
            lines.append(f"- and {row.more} more (all of them in "
                         f"`assess --what-if --format json`)")
    return Section("what-if", "\n".join(lines), educators=True)


def report_sections(kb: KnowledgeBase, assessment: Assessment, today: date,
                    picture: bool = True) -> list[Section]:
    """The report's parts in order, body then appendix; `picture` adds the Mermaid diagram
    (Markdown only: drawing it in HTML would need a script)."""
    worded = kb.for_answers(assessment.answers)
    return (_body_sections(worded, assessment, today)
            + _educator_sections(worded, assessment, picture))


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
section.ask ol li { min-height: 1.8em; border-bottom: 1px solid #777; margin-bottom: 0.3em; }
section.title ul { list-style: none; padding-left: 0; }
details.educators { margin-top: 2em; border-top: 1px solid #999; }
details.educators > summary { font-size: 1.25em; font-weight: bold; cursor: pointer; }
a { color: #0d47a1; }
@page { size: A4; margin: 1.2cm 1.4cm; }
@media print {
  /* one or two A4 pages for the body: smaller type, tighter spacing; link texts are their
     addresses already, so nothing is added after them */
  body { margin: 0; max-width: none; font-size: 8.5pt; line-height: 1.25; }
  h1 { font-size: 1.4em; margin: 0 0 0.2em; }
  h2 { font-size: 1.15em; margin: 0.8em 0 0.3em; }
  h3 { font-size: 1em; margin: 0.6em 0 0.2em; }
  p, ul, ol { margin: 0.3em 0; }
  a { color: #111; text-decoration: none; word-break: break-all; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  section.ask ol li { min-height: 1.2em; margin-bottom: 0.2em; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  details.educators:not([open]) { display: none; }
  details.educators[open] { break-before: page; page-break-before: always; }
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
    sections = report_sections(kb, assessment, day, picture=False)

    def rendered(section: Section) -> str:
        return f'<section class="{section.css}">\n{renderer.render(section.markdown)}</section>'

    body = "\n".join(rendered(s) for s in sections if not s.educators)
    # The appendix is folded: on screen a click opens it; on paper it is left out unless opened,
    # so the body prints on one or two pages. Its heading becomes the fold's summary.
    appendix = "\n".join(rendered(s) for s in sections if s.educators and s.css != "educators")
    intro = next(s for s in sections if s.css == "educators")
    lead = renderer.render(intro.markdown.split("\n", 2)[-1])
    body += (f'\n<details class="educators">\n<summary>{html.escape(EDUCATORS_HEADING)}</summary>'
             f"\n{lead}{appendix}\n</details>")
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
    check_target(Path(path), force)


def write_report(kb: KnowledgeBase, assessment: Assessment, path: Path, fmt: str | None = None,
                 force: bool = False, today: date | None = None) -> Path:
    """Write the report to ``path`` (format from its suffix unless ``fmt``), mode 0600.

    Raises ValueError for a suffix that is neither .md nor .html, and
    questionnaire.files.WriteRefused when the file exists and ``force`` is false.
    """
    chosen = fmt or report_format(Path(path))
    return write_private(Path(path), render_report(kb, assessment, chosen, today), force=force)
