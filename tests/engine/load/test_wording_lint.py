"""The wording lint: diagnostic phrasing is refused in the knowledge base and in every output."""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.load.knowledge_base import load_knowledge_base
from engine.load.wording_lint import (
    DIAGNOSTIC_PHRASES,
    Phrase,
    as_read,
    diagnostic_wording,
    reader_texts,
    wording_problems,
)
from engine.model import KnowledgeBase
from engine.problems import KnowledgeBaseError
from tests.conftest import replace_in, run_cli


@pytest.mark.parametrize("text", [
    "You have muscle wasting.", "You may have a nerve problem.", "This is likely nerve damage.",
    "It is probably nothing.", "Your answers are consistent with ALS.", "This suggests MS.",
    "A diagnosis of SMA fits.", "There is a 30% chance.", "These are signs of a serious problem.",
    "Your condition needs care.",
])
def test_diagnostic_phrases_are_caught(text: str) -> None:
    assert diagnostic_wording(text)


@pytest.mark.parametrize("text", [
    "See a doctor soon about the weakness.", "The article explains ALS, which affects nerves.",
    "Only a doctor who examines you can find the cause.",
])
def test_plain_guidance_passes(text: str) -> None:
    assert diagnostic_wording(text) == []


@pytest.mark.parametrize("phrase", DIAGNOSTIC_PHRASES, ids=lambda phrase: phrase.pattern[:24])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_text_a_phrase_matches_holds_one_of_its_needed_words(phrase: Phrase,
                                                                     data: st.DataObject) -> None:
    """The ``needs`` shortcut may never hide a match: whatever the pattern finds (in any mix of
    upper and lower case), one of the needed words is in the casefolded text. Characters from
    other scripts that re.IGNORECASE treats as ASCII letters are checked below."""
    pattern = re.compile(phrase.pattern, re.IGNORECASE)
    text = data.draw(st.from_regex(pattern))
    assert pattern.search(text)
    assert any(word in text.casefold() for word in phrase.needs), text
    assert diagnostic_wording(text), text


def test_the_notice_may_say_it_does_not_diagnose_but_guidance_may_not() -> None:
    assert diagnostic_wording("It does not diagnose.", "notice") == []
    assert diagnostic_wording("It does not diagnose.", "rule")


def test_shipped_knowledge_base_has_clean_wording(kb: KnowledgeBase) -> None:
    assert wording_problems(kb) == []
    assert sum(1 for _ in reader_texts(kb)) > 150


def test_diagnostic_guidance_stops_the_knowledge_base_from_loading(rules_copy: Path) -> None:
    line = replace_in(rules_copy / "muscle_changes.rules.yaml",
                      "Book a visit with a doctor about the changes in your muscles.",
                      "You probably have muscle wasting.")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    problems = caught.value.problems
    assert {p.subject for p in problems} == {"rule 'see_doctor_about_muscle_change'"}
    messages = " | ".join(p.message for p in problems)
    assert "'probably' hints at likelihood" in messages
    assert "'You probably have' tells the reader what they have" in messages
    assert all(p.line is not None and p.line < line for p in problems)  # the rule's first line
    assert run_cli("check", "--rules", str(rules_copy)).code == 1


@pytest.mark.parametrize("text", ["dıagnosis", "It is lıkely.", "İndicates a problem.",
                                  "a sıgn of a problem", "YOU HAVE İT", "ſuggests"])
def test_letters_that_ignorecase_matches_across_scripts_are_still_caught(text: str) -> None:
    assert diagnostic_wording(text), text


def test_every_character_ignorecase_takes_for_an_ascii_letter_folds_to_it() -> None:
    """Over all of Unicode: where a pattern's letter would match a character, the needed-words
    check, which compares casefolded text, sees that same letter."""
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    for letter in string.ascii_lowercase:
        for char in re.findall(letter, everything, flags=re.IGNORECASE):
            assert as_read(char).casefold() == letter, (letter, char)


@pytest.mark.parametrize(("text", "words"), [
    ("You h\u0430ve ALS.", "tells the reader what they have"),           # Cyrillic а
    ("Y\u043eu have it.", "tells the reader what they have"),            # Cyrillic о
    ("You\u00a0have it.", "tells the reader what they have"),            # no-break space
    ("You\u202fhave it.", "tells the reader what they have"),            # narrow no-break space
    ("A 50\uff05 chance.", "gives a percentage"),                         # fullwidth ％
    ("y&#111;u have it", "tells the reader what they have"),              # HTML entity
    ("&#x79;ou have it", "tells the reader what they have"),
    ("pro&#98;ably", "likelihood"),
    ("\uff59\uff4f\uff55 \uff48\uff41\uff56\uff45", "tells the reader what they have"),
    ("di\u200bagnosis", "speaks of diagnosis"),                           # zero-width space
    ("li\u00adkely", "hints at likelihood"),                              # soft hyphen
    ("\u03bfne \u03c1robably", "hints at likelihood"),                    # Greek ο and ρ
])
def test_the_lint_reads_what_a_reader_sees(text: str, words: str) -> None:
    assert any(words in finding for finding in diagnostic_wording(text)), text


def test_a_notice_of_invisible_characters_is_an_empty_text() -> None:
    from engine.load.wording_lint import visible

    assert not visible("\u200b\u2060 \u00a0")
    assert visible("Read this.")


def test_wording_in_a_level_or_the_notice_names_its_line(rules_copy: Path,
                                                         kb: KnowledgeBase) -> None:
    """Found by the campaign: a lookalike diagnosis in a level title had no line."""
    path = rules_copy / "levels.yaml"
    text = path.read_text(encoding="utf-8")
    level_at = text.index("  - id: routine\n")
    title_at = text.index(kb.level("routine").title, level_at)
    notice_at = text.index("\nnotice:") + 1
    level_line = text.count("\n", 0, level_at) + 1
    notice_line = text.count("\n", 0, notice_at) + 1
    first_words = "This tool is for education only."
    words_at = text.index(first_words, notice_at)
    text = (text[:title_at] + '"d\\u0131agnosis: no warning signs"'
            + text[title_at + len(kb.level("routine").title):words_at]
            + "Y&#111;u have nothing. " + text[words_at:])
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    found = {(p.subject, p.line) for p in caught.value.problems}
    assert found == {("level 'routine'", level_line), ("notice", notice_line)}, found


def test_an_invisible_character_cannot_hide_wording_by_joining_words() -> None:
    """Found by the suite's property test: as read, '0\\u00adyour' is one word, as written two."""
    assert diagnostic_wording("0\u00adyour disease")
