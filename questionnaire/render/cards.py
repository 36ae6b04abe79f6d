"""Everything the knowledge base says about one id, for `muscle-triage explain ID`.

An id may name a rule, a question, a reading topic, a derived fact or a level. For each, a card
answers the questions a reader of the rules asks: what does it need, what does it conclude, who
reads it, where is it written, what is it based on, and which scenario cases exercise it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.conditions import facts_read, questions_read
from engine.explain.words import outline, rules_deriving
from engine.load.crosscheck import did_you_mean
from engine.model import (
    KnowledgeBase,
    Question,
    Rule,
)
from engine.verify.scenarios import Case
from questionnaire.render.result import variant_lines
from questionnaire.render.scenario_refs import cases_for_question, cases_for_rule


@dataclass
class Card:
    """What to print about one id: a heading, then titled sections of (indented) lines."""

    heading: str
    where: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))

    def items(self, title: str, items: list[str]) -> None:
        """A section that is a list: each item a '- ' bullet (a lone item stays plain)."""
        self.add(title, [f"- {item}" for item in items] if len(items) > 1 else items)


def _scenario_lines_rule(cases: list[Case], rule_id: str) -> list[str]:
    found = cases_for_rule(cases, rule_id)
    lines = [f"{case.id} ({case.where}): expects it to {'fire' if fires else 'stay silent'}"
             for case, fires in found]
    return lines or ["none yet: no scenario case names this rule in 'fires' or 'not_fires'"]


def rule_card(kb: KnowledgeBase, rule: Rule, cases: list[Case]) -> Card:
    card = Card(f"Rule {rule.id}: {rule.title}", str(rule.where))
    card.add("Needs (fires when)", outline(kb, rule.when))
    then = rule.then
    concludes: list[str] = []
    if then.level:
        concludes.append(f"level {then.level}: {kb.level(then.level).title}")
    if then.guidance:
        concludes += [f"guidance: {line}" for line in variant_lines(
            kb.worded(lambda v: v.rule(rule.id).then.guidance or ""))]
    concludes += [f"reading {t}: {kb.reading_item(t).title}" for t in then.reading]
    for fact in then.derive:
        readers = [r.id for r in kb.rules if fact in facts_read(r.when)]
        concludes.append(f"fact {fact} (read by {', '.join(readers) or 'no rule'})")
    card.items("Concludes", concludes or ["nothing (a rule with an empty 'then')"])
    card.add("Why", [rule.explanation])
    card.items("Sources", [kb.citation(s) for s in rule.sources])
    card.items("Scenarios that exercise it", _scenario_lines_rule(cases, rule.id))
    return card


def question_card(kb: KnowledgeBase, question: Question, cases: list[Case]) -> Card:
    number = kb.questions.index(question) + 1
    card = Card(f"Question {question.id} (number {number} in asking order; "
                f"{question.role.replace('_', ' ')}, {question.kind.replace('_', '/')})",
                str(question.where))
    card.add("Asks", variant_lines(kb.worded(lambda v: v.question(question.id).text)))
    card.items("Answers", [line for o in question.options for line in variant_lines(
        kb.worded(lambda v, value=o.value: f"{value}: {v.question(question.id).label_of(value)}"))])
    card.add("Why it is asked", variant_lines(kb.worded(lambda v: v.question(question.id).why)))
    card.add("When it is asked", ["always"] if question.ask_if is None else
             ["only if:", *outline(kb, question.ask_if, 1)])
    if question.raises_to:
        card.add("Red flag", [f"a 'yes' always reaches at least {question.raises_to}: "
                              f"{kb.level(question.raises_to).title}"])
    readers = [f"{r.id}: {r.title}" for r in kb.rules if question.id in questions_read(r.when)]
    card.items("Rules that read it", readers or ["none"])
    later = [q.id for q in kb.questions if question.id in questions_read(q.ask_if)]
    if later:
        card.items("Decides whether these are asked", later)
    cases = [f"{case.id} ({case.where})" for case in cases_for_question(cases, question.id)]
    card.items("Scenarios that answer it", cases or ["none yet"])
    return card


def topic_card(kb: KnowledgeBase, topic_id: str) -> Card:
    item = kb.reading_item(topic_id)
    card = Card(f"Reading topic {item.id}: {item.title}", str(item.where))
    card.add("Summary", variant_lines(kb.worded(lambda v: v.reading_item(topic_id).summary)))
    card.items("Sources", [kb.citation(s) for s in item.sources])
    card.add("Link", [item.link])
    offered = [f"{r.id}: {r.title}" for r in kb.rules if topic_id in r.then.reading]
    card.items("Offered by", offered or ["no rule"])
    return card


def fact_card(kb: KnowledgeBase, fact: str) -> Card:
    card = Card(f"Derived fact {fact}", "concluded by rules, never asked")
    card.items("Concluded by",
               [f"{r.id}: {r.title}" for r in rules_deriving(kb, fact)] or ["no rule"])
    readers = [f"{r.id}{' (needs it absent)' if facts_read(r.when)[fact] else ''}"
               for r in kb.rules if fact in facts_read(r.when)]
    card.items("Read by", readers or ["no rule"])
    return card


def level_card(kb: KnowledgeBase, level_id: str) -> Card:
    level = kb.level(level_id)
    default = " (the starting level)" if level_id == kb.default_level else ""
    card = Card(f"Urgency level {level.id}: {level.title}{default}",
                f"rank {level.rank} (higher wins)")
    card.add("Advice", variant_lines(kb.worded(lambda v: v.level(level_id).advice)))
    card.items("Reached by", [f"{r.id}: {r.title}" for r in kb.rules if r.then.level == level_id]
             or ["no rule"])
    flags = [q.id for q in kb.questions if q.raises_to == level_id]
    if flags:
        card.items("Red-flag questions that always reach it", flags)
    return card


def all_facts(kb: KnowledgeBase) -> set[str]:
    return {fact for rule in kb.rules for fact in rule.then.derive}


def known_ids(kb: KnowledgeBase) -> list[str]:
    return ([r.id for r in kb.rules] + [q.id for q in kb.questions]
            + [t.id for t in kb.reading] + sorted(all_facts(kb)) + [lv.id for lv in kb.levels])


def cards_for(kb: KnowledgeBase, name: str, cases: list[Case]) -> list[Card]:
    """Every card an id names (an id may be, say, both a fact and a reading topic)."""
    cards: list[Card] = []
    if name in {r.id for r in kb.rules}:
        cards.append(rule_card(kb, kb.rule(name), cases))
    if kb.has_question(name):
        cards.append(question_card(kb, kb.question(name), cases))
    if name in {t.id for t in kb.reading}:
        cards.append(topic_card(kb, name))
    if name in all_facts(kb):
        cards.append(fact_card(kb, name))
    if name in {lv.id for lv in kb.levels}:
        cards.append(level_card(kb, name))
    return cards


def suggestion(kb: KnowledgeBase, name: str) -> str:
    """' (did you mean 'x'?)' for the closest known id, or ''."""
    return did_you_mean(name, known_ids(kb))
