"""Load a knowledge base directory into a validated, typed KnowledgeBase.

Read each file and check its schema (documents), build the typed Draft once (build), cross-check
it (crosscheck), then make the version for each audience and lint its wording (here).

A directory holds ``levels.yaml``, ``sources.yaml``, ``questions.yaml``, ``reading.yaml``,
``texts.yaml`` and any number of ``*.rules.yaml`` (``*.scenarios.yaml`` beside them are read by
the scenario runner).
Loading either returns a KnowledgeBase or raises KnowledgeBaseError carrying every problem found.
"""

from __future__ import annotations

import operator
import os
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from engine.load.build import Draft, build
from engine.load.crosscheck import cross_reference_problems
from engine.load.documents import Document, read_document
from engine.load.paths import display_path, shipped_rules_dir
from engine.load.wording_lint import wording_problems
from engine.model import (
    AUDIENCES,
    Audience,
    KnowledgeBase,
    Level,
    Option,
    Question,
    ReadingItem,
    Rule,
    Texts,
    Then,
)
from engine.problems import KnowledgeBaseError, Problem

SINGLE_FILES = ("levels", "sources", "questions", "reading", "texts")
RULES_SUFFIX = ".rules.yaml"


def rule_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"*{RULES_SUFFIX}"))


def _unusable_directory(root: Path) -> str | None:
    """Why ``root`` cannot be read as a knowledge base directory, in words; None if it can."""
    try:
        os.listdir(root)
    except FileNotFoundError:
        if os.path.islink(root):
            return "a symbolic link to a directory that does not exist"
        return "no such directory"
    except NotADirectoryError:
        return "not a directory (--rules takes the directory that holds the rule files)"
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return f"cannot read the directory: {getattr(exc, 'strerror', None) or exc}"
    return None


def read_documents(root: Path) -> tuple[list[Document], list[Problem]]:
    """Parse and schema-check every knowledge base file under ``root``."""
    shown_root = display_path(root)
    refusal = _unusable_directory(root)
    if refusal:
        raise KnowledgeBaseError([Problem(shown_root, None, "", refusal)])
    found_rules = rule_files(root)
    files = [(kind, root / f"{kind}.yaml") for kind in SINGLE_FILES]
    files += [("rules", path) for path in found_rules]
    docs: list[Document] = []
    problems: list[Problem] = []
    if not found_rules:
        problems.append(Problem(shown_root, None, "", f"no *{RULES_SUFFIX} files found"))
    for kind, path in files:
        shown = display_path(path)
        if not os.path.lexists(path):
            problems.append(Problem(shown, None, "",
                                    f"missing: a knowledge base needs {path.name}"))
            continue
        doc, found = read_document(kind, path)
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs, problems


def load_knowledge_base(root: Path | None = None) -> KnowledgeBase:
    """Read, validate and build a knowledge base; raise KnowledgeBaseError with every problem."""
    root = root or shipped_rules_dir()
    docs, problems = read_documents(root)
    if problems:
        raise KnowledgeBaseError(problems)
    draft = build(docs, display_path(root))
    problems = cross_reference_problems(draft)
    if problems:
        raise KnowledgeBaseError(problems)
    kb = knowledge_bases(draft)
    wording = wording_problems(kb)
    if wording:
        raise KnowledgeBaseError(wording)
    return kb


_Worded = TypeVar("_Worded", Option, Then, Level, ReadingItem, Texts)


def _worded_for(item: _Worded, audience: Audience) -> _Worded:
    """``item`` with its texts written by audience worded for ``audience``: the same object when
    it has none, so the versions share everything worded alike. A Draft's texts are already
    worded for ``self``, so that version is the Draft's own objects."""
    if not item.worded or audience == "self":
        return item
    return replace(item, **{key: text.for_audience(audience)  # type: ignore[arg-type]
                            for key, text in item.worded.items()})


def _question_for(question: Question, audience: Audience) -> Question:
    if audience == "self":
        return question
    options = tuple(_worded_for(option, audience) for option in question.options)
    if not question.worded and all(map(operator.is_, options, question.options)):
        return question
    return replace(question, options=options, **{  # type: ignore[arg-type]
        key: text.for_audience(audience) for key, text in question.worded.items()})


def _rule_for(rule: Rule, audience: Audience) -> Rule:
    then = _worded_for(rule.then, audience)
    return rule if then is rule.then else replace(rule, then=then)


def _version(draft: Draft, audience: Audience, sources: tuple[tuple[str, str], ...]
             ) -> KnowledgeBase:
    """The checked draft with every reader text worded for ``audience``."""
    return KnowledgeBase(
        questions=tuple(_question_for(question, audience) for question in draft.questions),
        rules=tuple(_rule_for(rule, audience) for rule in draft.rules),
        levels=tuple(_worded_for(level, audience) for level in draft.levels),
        default_level=draft.default_level, notice=draft.notice.for_audience(audience),
        reading=tuple(_worded_for(item, audience) for item in draft.reading),
        texts=_worded_for(draft.texts, audience), sources=sources, floor=draft.floor,
        root=draft.root, audience=audience, notice_line=draft.levels_marks.keys.get("notice"))


def knowledge_bases(draft: Draft) -> KnowledgeBase:
    """One version of a checked draft per audience, joined as a family; returns the version for
    the person answering (``self``). Everything worded alike is shared between the versions."""
    sources = tuple((source.id, source.citation) for source in draft.sources)
    family = {audience: _version(draft, audience, sources) for audience in AUDIENCES}
    for version in family.values():
        version.join_family(family)
    return family["self"]
