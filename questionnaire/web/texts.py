"""The few sentences the web pages say around the knowledge base's own texts, read in one place.

The notice comes from the knowledge base (rules/levels.yaml). The welcome lines, the "questions
stop here" line and the caveat above the reading are, for now, the terminal front ends' own words
(questionnaire/terminal/menus.py, plain.py, session.py and render/result.py say the same), minus
their keyboard instructions. Reader texts are moving into rules/texts.yaml; when they land, this
one function is the only place the web front end needs repointing. Every sentence here passes the
wording lint (tests/questionnaire/web/test_texts.py).
"""

from __future__ import annotations

from typing import NamedTuple

from engine.model import KnowledgeBase
from questionnaire.flow import questionnaire_length


class PageTexts(NamedTuple):
    """Reader-facing sentences of the web pages that are not a question, rule or level text."""

    #: The knowledge base's notice: on the welcome, every result and every download.
    notice: str
    #: What the tool is, for the welcome page.
    about: str
    #: How the questions go (count, red flags first, early stop).
    how_it_goes: str
    #: Said above a result that ended the questions early.
    stopped_early: str
    #: Said above the reading list.
    reading_caveat: str
    #: Said when no answer matched a rule.
    no_rule_matched: str


def page_texts(kb: KnowledgeBase) -> PageTexts:
    """The sentences for this knowledge base (the question count depends on it)."""
    length = questionnaire_length(kb)
    return PageTexts(
        notice=kb.notice,
        about=("A questionnaire about muscle wasting, for education. You answer questions about "
               "what you notice; rules written from public health sources turn the answers into "
               "how soon to see a doctor, reading about the subject, and the reasons."),
        how_it_goes=(f"There are {length.fewest} to {length.most} questions, depending on your "
                     "answers. Questions about warning signs come first, and an answer that calls "
                     "for help at once ends the questions there. Every question lets you see why "
                     "it is asked and go back. Nothing is saved unless you download it."),
        stopped_early="The questions stop here: this answer reaches the highest urgency.",
        reading_caveat="About a subject, not about you: only a doctor can find the cause.",
        no_rule_matched=("None of your answers matched a rule, so the result is the starting "
                         "level."),
    )
