"""The sentences of the web pages that are not a question, rule or level text, read in one place.

Every health or limits sentence comes from the knowledge base: the notice (rules/levels.yaml) and
the reader texts (rules/texts.yaml, ``kb.texts``), worded for the session's audience because the
caller passes the knowledge base ``for_answers`` gave it. What Python adds is about the interface
only: the question count and that nothing is kept, as the terminal front ends say it
(questionnaire/terminal/menus.py, plain.py), and the shared "no rule matched" line of
render/summary.py. Every sentence here passes the wording lint (tests/questionnaire/web/).
"""

from __future__ import annotations

from typing import NamedTuple

from engine.model import KnowledgeBase
from questionnaire.flow import questionnaire_length
from questionnaire.render.summary import NO_RULE_MATCHED


class PageTexts(NamedTuple):
    """Reader-facing sentences of the web pages, for one audience."""

    #: The knowledge base's notice: on the welcome, every result and every download.
    notice: str
    #: What the tool is, for the welcome page (texts.yaml ``welcome``).
    welcome: str
    #: How the questions go: the count, then texts.yaml ``how_it_runs``, then the page controls.
    how_it_runs: str
    #: Said above a result that ended the questions early (texts.yaml ``stopped_early``).
    stopped_early: str
    #: Said above the reading list (texts.yaml ``reading_intro``).
    reading_intro: str
    #: Said when no answer matched a rule.
    no_rule_matched: str


def page_texts(kb: KnowledgeBase) -> PageTexts:
    """The sentences for this knowledge base, worded for its audience (the count depends on it)."""
    length = questionnaire_length(kb)
    return PageTexts(
        notice=kb.notice,
        welcome=kb.texts.welcome,
        how_it_runs=(f"There are {length.fewest} to {length.most} questions, depending on the "
                     f"answers. {kb.texts.how_it_runs} Every question lets you see why it is "
                     "asked and go back. Nothing is saved unless you download it."),
        stopped_early=kb.texts.stopped_early,
        reading_intro=kb.texts.reading_intro,
        no_rule_matched=NO_RULE_MATCHED,
    )
