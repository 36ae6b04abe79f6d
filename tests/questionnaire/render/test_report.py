"""assess --report: a Markdown or HTML report for the doctor, private, escaped, never diagnostic."""

from __future__ import annotations

import re
import stat
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.load.wording_lint import diagnostic_wording
from engine.model import AnswerValue, KnowledgeBase
from engine.run.assess import assess
from questionnaire.environment import Environment
from questionnaire.files import WriteRefused
from questionnaire.render.report import md, report_html, report_markdown, write_report
from questionnaire.terminal.end_menu import Finished, show_why, write_report_action
from tests.answer_paths import answer_path
from tests.conftest import replace_in, run_cli
from tests.repo import ROOT

DAY = date(2026, 3, 14)
SOON: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_months",
                                "where_affected": ("hands",), "twitching_or_cramps": "yes"}
class _Text(HTMLParser):
    """The visible text of an HTML page (style contents left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def test_markdown_report_holds_every_part(kb: KnowledgeBase) -> None:
    result = assess(kb, SOON)
    text = report_markdown(kb, result, DAY)
    body, appendix = text.split("## For educators: how the rules reached this")
    assert "Date: 2026-03-14" in body
    assert " ".join(kb.notice.split()) in body
    assert "## Result: See a doctor soon" in body and result.guidance[0][:40] in body
    # the answers in words, grouped; ids only in the appendix table
    weaker = kb.question("weaker")
    reported = body[body.index("### Reported"):body.index("## Warning signs asked about")]
    assert f"- {md(weaker.text)} **Yes**" in reported
    assert md("Hands or grip (jars, buttons, keys)") in reported
    rows = [line for line in appendix.splitlines() if line.startswith("| ")]
    assert rows[0] == "| Question id | Answer |" and len(rows) == 2 + len(SOON)
    # why: fired rules as sentences in the body, the tree with ids in the appendix
    why = body[body.index("## Why this advice"):body.index("## Reading")]
    assert kb.rule("see_doctor_about_muscle_change").title in why
    assert "see\\_doctor\\_about\\_muscle\\_change" in appendix and "answer weaker: Yes" in appendix
    # rules that did not fire are named only where the appendix says what would change it
    outside = text[:text.index("### What would change it")] + text[text.index("````mermaid"):]
    for rule in kb.rules:
        if rule.id not in result.fired:
            assert md(rule.id) not in outside and rule.title not in text
    # the picture of the fired path
    picture = appendix[appendix.index("````mermaid"):]
    assert "r_see_doctor_about_muscle_change" in picture and "q_weaker" in picture
    assert "r_disuse_only" not in picture and "q_onset" not in picture
    # reading with sources and links, and the blank list
    assert "## Reading" in body
    assert "(<https://www.nhs.uk/conditions/motor-neurone-disease/>)" in body
    blank = body[body.index("## Questions to ask the doctor"):]
    assert len(re.findall(r"^\d\. &nbsp;$", blank, re.MULTILINE)) == 5


def test_what_would_change_it_is_in_the_appendix_and_never_in_the_body(kb: KnowledgeBase
                                                                        ) -> None:
    """The report's educator appendix lists the what-if sets `assess --what-if` finds; the body
    a person reads as their own result never suggests answers that would lower the urgency."""
    from engine.explain.what_if import what_if
    from questionnaire.render.what_if_view import change_text

    result = assess(kb, SOON)
    found = what_if(kb, result)
    text = report_markdown(kb, result, DAY)
    body, appendix = text.split("## For educators: how the rules reached this")
    page = report_html(kb, result, DAY)
    for shown in (body, _html_body(page)):
        assert "What would change it" not in shown and "->" not in shown
    section = appendix[appendix.index("### What would change it"):appendix.index("````mermaid")]
    folded = visible_text(page[page.index('<details class="educators">'):])
    assert "What would change it" in folded
    for level in found.levels:
        assert f"**{md(level.level.title)}** ({md(level.level.id)}):" in section
        assert level.sets, level.level.id  # each other level is in reach from these answers
        first = "; ".join(change_text(kb, dict(result.answers), c) for c in level.sets[0].changes)
        assert f"- {md(first)}" in section
        assert " ".join(first.split()) in folded
    assert md("weaker: Yes -> No") in section  # the way down is shown, to educators only


def _html_body(page: str) -> str:
    """The visible text of an HTML report outside the educator appendix."""
    return visible_text(page[:page.index('<details class="educators">')])


def test_html_report_is_self_contained_and_printable(kb: KnowledgeBase) -> None:
    page = report_html(kb, assess(kb, SOON), DAY)
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "size: A4" in page and "details.educators:not([open]) { display: none; }" in page
    for outside in ("<script", "<link", "<img", "@import", "src="):
        assert outside not in page
    assert "mermaid" not in page  # a diagram needs a script: the HTML has the reasoning as a list
    text = visible_text(page)
    assert "Date: 2026-03-14" in text and "Questions to ask the doctor" in text
    assert "answer weaker: Yes" in text and "answer weaker: Yes" not in _html_body(page)
    assert "Causes of muscle loss [read_conditions_set] (answers weaker: Yes" in text
    assert 'href="https://www.nhs.uk/conditions/motor-neurone-disease/"' in page


def _ids_and_places(kb: KnowledgeBase) -> list[str]:
    found = {q.id for q in kb.questions} | {r.id for r in kb.rules}
    return sorted(found)


def test_the_html_body_names_no_id_and_no_rule_file(kb: KnowledgeBase) -> None:
    """Outside the appendix, no question or rule id and no file:line, for every answer set."""
    ids = _ids_and_places(kb)
    for answers in _answer_sets(kb):
        body = _html_body(report_html(kb, assess(kb, answers), DAY))
        named = [i for i in ids if "_" in i and i in body]
        assert named == [], f"ids {named} in the body for {answers}"
        assert not re.search(r"\.ya?ml:\d+|rule at |fact [a-z_]+|concluded", body)
        # ids without an underscore (e.g. "age") are ordinary words: they must not stand in
        # brackets or parentheses the way the appendix shows ids (unless a question's own words
        # hold them so, as "a fit (seizure)" does)
        worded = " ".join(q.text for q in kb.questions)
        for i in ids:
            assert f"[{i}]" not in body
            assert f"({i})" not in body or f"({i})" in worded


def test_answers_are_grouped_in_words(kb: KnowledgeBase) -> None:
    answers: dict[str, AnswerValue] = {"weaker": "yes", "twitching_or_cramps": "no",
                                       "numbness_or_tingling": "unsure",
                                       "sudden_one_sided": "no"}
    body = _html_body(report_html(kb, assess(kb, answers), DAY))
    reported = body.index("Reported")
    absent = body.index("Not present")
    unsure = body.index("Not sure", absent)
    signs = body.index("Warning signs asked about")
    assert reported < absent < unsure < signs
    assert kb.question("weaker").text in body[reported:absent]
    assert kb.question("twitching_or_cramps").text in body[absent:unsure]
    assert kb.question("numbness_or_tingling").text in body[unsure:signs]
    # a warning sign is listed with the warning signs, not among the symptoms
    flag = kb.question("sudden_one_sided").text
    assert flag in body[signs:] and flag not in body[reported:signs]


def test_markdown_and_html_say_the_same_things(kb: KnowledgeBase) -> None:
    for answers in _answer_sets(kb):
        result = assess(kb, answers)
        markdown = " ".join(report_markdown(kb, result, DAY).replace("\\", "").split())
        page = visible_text(report_html(kb, result, DAY))
        worded = kb.for_answers(answers)
        said = [result.level.title, result.level.advice, *result.guidance,
                worded.texts.report_unanswered, " ".join(kb.notice.split())]
        said += [worded.question(q).text for q in answers if worded.has_question(q)]
        said += [worded.question(q).answer_text(v) for q, v in answers.items()
                 if worded.has_question(q) and q not in result.ignored]
        said += [rule.title for rule in map(worded.rule, result.fired)
                 if rule.then.level or rule.then.guidance or rule.then.derive]
        said += [item.title for item in result.reading]
        said += [s.question.text for g in result.safety_net for s in g.signs]
        for text in said:
            flat = " ".join(text.split())
            assert flat in markdown and flat in page, (flat, answers)


def test_html_and_markdown_escape_what_the_knowledge_base_says(rules_copy: Path) -> None:
    hostile = "<script>alert(1)</script> [click](javascript:alert(2)) <b>bold</b> | &amp;"
    replace_in(rules_copy / "questions.yaml", "Hands or grip (jars, buttons, keys)", hostile)
    replace_in(rules_copy / "reading.rules.yaml", "title: Causes of muscle loss",
               'title: "ALS <img src=x onerror=alert(3)>"')
    kb = load_knowledge_base(rules_copy)
    result = assess(kb, SOON)
    page = report_html(kb, result, DAY)
    body = page[page.index("<body>"):]
    assert "<script" not in page and "<img" not in page and "<b>" not in body
    assert 'href="javascript' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(3)&gt;" in body
    # the answer still reads as typed, in the table
    assert "[click](javascript:alert(2)) &lt;b&gt;bold&lt;/b&gt; | &amp;amp;" in body
    markdown = report_markdown(kb, result, DAY)
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "\\[click\\](javascript:alert(2))" in markdown and "\\|" in markdown


def _answer_sets(kb: KnowledgeBase) -> list[dict[str, AnswerValue]]:
    every_flag = {q.id: "yes" for q in kb.questions if q.role == "red_flag"}
    every_yes = {q.id: ("yes" if q.kind == "yes_no" else
                        q.values if q.kind == "several_of" else q.values[0])
                 for q in kb.questions}
    return [{}, SOON, {"weaker": "yes", "inactivity": ("cast",)}, every_flag, every_yes,
            {q.id: "unsure" for q in kb.questions if q.kind == "yes_no"}]


def _own_words(kb: KnowledgeBase, text: str) -> str:
    """A report minus the texts that may name diagnosis: the notice (it must say the tool does
    not diagnose), its heading, and source citations (the article has a section "Diagnosis")."""
    flat = " ".join(text.split())
    for allowed in (" ".join(kb.notice.split()), md(" ".join(kb.notice.split())),
                    "Not a diagnosis."):
        flat = flat.replace(allowed, "")
    for source, _ in kb.sources:
        for form in (kb.citation(source), md(kb.citation(source))):
            flat = flat.replace(" ".join(form.split()), "")
    return flat


def test_no_report_uses_diagnostic_wording(kb: KnowledgeBase) -> None:
    for answers in _answer_sets(kb):
        result = assess(kb, answers)
        markdown = report_markdown(kb, result, DAY)
        page = visible_text(report_html(kb, result, DAY))
        for text in (markdown, page):
            assert "Not a diagnosis." in text and " ".join(kb.notice.split()) in " ".join(
                text.replace("\\", "").split())
            found = diagnostic_wording(_own_words(kb, text))
            assert found == [], f"{found} in a report for {answers}"


def test_the_wording_check_sees_what_a_report_would_add(kb: KnowledgeBase) -> None:
    text = report_markdown(kb, assess(kb, SOON), DAY)
    assert diagnostic_wording(_own_words(kb, text)) == []
    assert diagnostic_wording(_own_words(kb, text + " This suggests ALS."))
    assert diagnostic_wording(_own_words(kb, text.replace("See a doctor soon",
                                                          "You probably have ALS")))


def test_write_report_is_private_and_never_overwrites(kb: KnowledgeBase, tmp_path: Path
                                                      ) -> None:
    result = assess(kb, SOON)
    path = write_report(kb, result, tmp_path / "visit.html", today=DAY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(WriteRefused, match="already exists"):
        write_report(kb, assess(kb, {}), path, today=DAY)
    assert "Result: See a doctor soon" in path.read_text(encoding="utf-8")
    write_report(kb, assess(kb, {}), path, force=True, today=DAY)
    # (the appendix's what-if still names the level, as one the answers could reach)
    assert "Result: See a doctor soon" not in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ValueError, match=r"\.md .*\.html"):
        write_report(kb, result, tmp_path / "visit.pdf")


def test_assess_report_on_the_command_line(tmp_path: Path) -> None:
    target = tmp_path / "visit.md"
    first = run_cli("assess", "--answers", "-", "--report", str(target), stdin="weaker: yes\n")
    assert first.code == 0, first.err
    assert "report written to" in first.err and "See a doctor soon" in first.out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    written = target.read_text(encoding="utf-8")
    assert "**Yes**" in written and "muscle\\_change\\_reported" in written

    again = run_cli("assess", "--answers", "-", "--report", str(target),
                    stdin="sudden_one_sided: yes\n")
    assert again.code == 2 and "already exists" in again.err and "--force" in again.err
    assert again.out == "" and target.read_text(encoding="utf-8") == written

    forced = run_cli("assess", "--answers", "-", "--report", str(target), "--force",
                     stdin="sudden_one_sided: yes\n")
    assert forced.code == 0 and "Emergency" in target.read_text(encoding="utf-8")


def test_report_suffix_must_be_md_or_html(tmp_path: Path) -> None:
    result = run_cli("assess", "--answers", "-", "--report", str(tmp_path / "visit.pdf"),
                     stdin="weaker: yes\n")
    assert result.code == 2 and ".md" in result.err and ".html" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "visit.pdf").exists()


class _FakeFront:
    """Just enough of a FrontEnd for the end actions: scripted replies, output captured."""

    def __init__(self, texts: list[str], confirms: list[bool]) -> None:
        self.env = Environment.captured()
        self.console = self.env.console()
        self.texts, self.confirms = texts, confirms

    def ask_text(self, message: str, default: str) -> str:
        return self.texts.pop(0) or default

    def confirm(self, message: str) -> bool:
        return self.confirms.pop(0)

    @property
    def out(self) -> str:
        return " ".join(self.env.stdout.getvalue().split())  # type: ignore[attr-defined]


def test_end_actions_show_why_and_write_a_report(kb: KnowledgeBase, tmp_path: Path) -> None:
    done = Finished(kb, assess(kb, SOON))
    front = _FakeFront([str(tmp_path / "visit.pdf"), str(tmp_path / "visit.md"),
                        str(tmp_path / "visit.md"), str(tmp_path / "visit.md")], [False, True])
    assert show_why(front, done) is False  # type: ignore[arg-type]
    assert "Why this result" in front.out and "answer weaker: Yes" in front.out
    for _ in range(4):  # wrong suffix; written; exists and "no"; exists and "yes"
        assert write_report_action(front, done) is False  # type: ignore[arg-type]
    assert "Not written: a report must end in .md" in front.out
    assert front.out.count("Wrote the report to") == 2 and "Not written." in front.out
    assert done.saved == [tmp_path / "visit.md", tmp_path / "visit.md"]
    assert stat.S_IMODE((tmp_path / "visit.md").stat().st_mode) == 0o600
    assert not (tmp_path / "visit.pdf").exists()


def test_the_questionnaire_offers_why_and_a_report_at_the_end(kb: KnowledgeBase,
                                                              tmp_path: Path) -> None:
    path = answer_path(kb, {"weaker": "yes"})
    lines = [str(q.values.index(v) + 1) if isinstance(v, str)
             else ",".join(str(q.values.index(x) + 1) for x in v) or "none" for q, v in path]
    target = tmp_path / "visit.html"
    result = run_cli(stdin="\n".join([*lines, "2", "3", str(target), "5"]) + "\n")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "2) Show why" in out and "3) Write a report for the doctor" in out
    assert "Why this result" in out and "answer weaker: Yes" in out
    assert not re.search("[\u2500-\u257f]", result.out)  # plain mode: no box drawing
    assert f"Wrote the report to {target}" in out
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "[muscle_change_reported]" in page
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_sample_report_in_docs_is_what_the_documented_command_writes_today(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/sample-report.md stays in step with the rules; when they change on purpose, running
    the command in docs/teaching.md again is the fix."""
    readme = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    command = re.search(r"printf '([^']*)' \\\n\s*\| uv run muscle-triage assess --answers - "
                        r"--report docs/sample-report\.md", readme)
    assert command, "docs/teaching.md no longer shows how docs/sample-report.md is made"
    answers = command.group(1).replace("\\n", "\n")
    monkeypatch.chdir(ROOT)  # the report names rule files relative to where it was made
    fresh = tmp_path / "sample-report.md"
    result = run_cli("assess", "--answers", "-", "--report", str(fresh), stdin=answers)
    assert result.code == 0, result.err
    dated = re.compile(r"^Date: \d{4}-\d{2}-\d{2}$", re.MULTILINE)
    made = dated.sub("Date: -", fresh.read_text(encoding="utf-8"))
    shipped = dated.sub("Date: -", (ROOT / "docs" / "sample-report.md").read_text(encoding="utf-8"))
    assert made == shipped, ("docs/sample-report.md is out of date; make it again with the "
                             "command in docs/teaching.md (section 'A report for the doctor')")
