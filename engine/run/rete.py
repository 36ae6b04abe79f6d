"""The experta adapter: the one module that imports experta.

It compiles a KnowledgeBase into a KnowledgeEngine subclass whose rules are built from the YAML
conditions (each action named after its rule id, so experta's own traces read well), and runs it.

Facts: all answers of an assessment go into one ``Answers`` fact (one key per question), and each
derived fact is a ``Derived`` fact. One fact for all answers means an answer test is a single
feature check on a single fact, instead of a join over one fact per answer: that choice decides
most of the cost of a run. Predicates are total (any value gives True or False), because experta
may run alpha tests in hash order.

The network, tokens and activations are experta's; what runs them is made cheaper here (an
indexed alpha network, a matcher that asks only the rules a change reached, a reset of only the
nodes that hold something, lazy log formatting) and one experta agenda bug is fixed. Watchers
(experta.watchers) still see every fact, activation and firing.
tests/engine/verify/test_differential.py and tests/bench/run.py hold the evidence.
"""

from __future__ import annotations

import bisect
import collections
import collections.abc
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any


def _import_experta() -> Any:
    """Import experta, tolerating its stale pins and undoing its logging side effect.

    experta 1.9.4 pins frozendict 1.2, which refers to ``collections.Mapping`` (gone in Python
    3.10); under a plain ``pip install`` that pin wins, so the alias is restored for that import
    only when needed. experta calls ``logging.basicConfig()`` at import, which would make every
    library's warnings print on our users' terminals: the handlers it adds are removed again.
    """
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        import frozendict  # noqa: F401
    except (AttributeError, ImportError):
        collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]
    import experta

    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
    # experta's watchers log every fact, and so every answer, once anything turns logging up (a
    # host program's logging.basicConfig(level=DEBUG) is enough). Answers are health data: its
    # loggers are set above CRITICAL, so no record of theirs is ever made.
    logging.getLogger("experta").setLevel(logging.CRITICAL + 1)
    return experta


experta = _import_experta()
from experta import (  # noqa: E402
    AND,
    NOT,
    OR,
    Fact,
    KnowledgeEngine,
    P,
    watchers,
)
from experta import Rule as ExpertaRule  # noqa: E402
from experta.fieldconstraint import L  # noqa: E402
from experta.matchers import ReteMatcher  # noqa: E402
from experta.matchers.rete.abstract import OneInputNode  # noqa: E402
from experta.matchers.rete.check import FactCapture, FeatureCheck, TypeCheck  # noqa: E402
from experta.matchers.rete.mixins import AnyChild, ChildNode, NoMemory  # noqa: E402
from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode  # noqa: E402
from experta.strategies import DepthStrategy  # noqa: E402

from engine.model import (  # noqa: E402
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
)
from engine.run.strata import strata  # noqa: E402


class Answers(Fact):  # type: ignore[misc]
    """Every answer of one assessment: question id -> value (a tuple for several-of)."""


class Derived(Fact):  # type: ignore[misc]
    """A fact concluded by a rule, named by ``name``."""


@dataclass(frozen=True)
class RunResult:
    """What one run of the network produced, in firing order."""

    fired: tuple[str, ...]
    derived: frozenset[str]


@dataclass(frozen=True)
class Pending:
    """An activation waiting on the agenda, with the two things experta ranks it by."""

    rule: str
    salience: int
    #: The matched facts' ids, newest first: the recency part of the ranking.
    fact_ids: tuple[int, ...]


@cache
def _member_of(values: frozenset[str], multi: bool) -> Callable[[Any], bool]:
    """A shared, total predicate: identical tests share one alpha node in the network."""
    if multi:
        def test(value: Any) -> bool:
            return isinstance(value, tuple) and not values.isdisjoint(value)
    else:
        def test(value: Any) -> bool:
            return isinstance(value, str) and value in values
    test.__name__ = f"{'includes_any' if multi else 'in'}_{'_'.join(sorted(values))}"
    return test


def _push_not(condition: Condition, negated: bool = False) -> Condition:
    """Push negations down to the leaves (De Morgan), the form experta matches well."""
    if isinstance(condition, NotOf):
        return _push_not(condition.part, not negated)
    if isinstance(condition, AllOf):
        parts = tuple(_push_not(part, negated) for part in condition.parts)
        return AnyOf(parts) if negated else AllOf(parts)
    if isinstance(condition, AnyOf):
        parts = tuple(_push_not(part, negated) for part in condition.parts)
        return AllOf(parts) if negated else AnyOf(parts)
    return NotOf(condition) if negated else condition


class _PatternCompiler:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.multi = {q.id: q.kind == "several_of" for q in kb.questions}

    def answer_pattern(self, tests: list[AnswerTest]) -> Any:
        checks: dict[str, Any] = {}
        for test in tests:
            multi = self.multi[test.question]
            if not multi and len(test.values) == 1:
                checks[test.question] = next(iter(test.values))
            else:
                checks[test.question] = P(_member_of(test.values, multi))
        return Answers(**checks)

    def leaf(self, condition: AnswerTest | FactTest) -> Any:
        if isinstance(condition, FactTest):
            return Derived(name=condition.fact)
        return self.answer_pattern([condition])

    def pattern(self, condition: Condition) -> Any:
        if isinstance(condition, (AnswerTest, FactTest)):
            return self.leaf(condition)
        if isinstance(condition, NotOf):
            assert isinstance(condition.part, (AnswerTest, FactTest))  # after _push_not
            return NOT(self.leaf(condition.part))
        if isinstance(condition, AnyOf):
            return OR(*(self.pattern(part) for part in condition.parts))
        # AND: positive tests on distinct questions share one Answers pattern (one alpha path).
        merged: dict[str, AnswerTest] = {}
        others: list[Condition] = []
        for part in condition.parts:
            if isinstance(part, AnswerTest) and part.question not in merged:
                merged[part.question] = part
            else:
                others.append(part)
        patterns = [self.answer_pattern(list(merged.values()))] if merged else []
        patterns += [self.pattern(part) for part in others]
        return AND(*patterns)


class _AlphaIndexNode(AnyChild, NoMemory, OneInputNode):  # type: ignore[misc]
    """One fact type's alpha network, as an index instead of a chain of tests.

    experta builds the alpha network as a tree of one-test nodes and passes each fact to every
    child of every node that passed, copying the token at each: with hundreds of patterns on the
    one Answers fact, most of a run went there. This node knows, for each pattern's terminal node
    (the one that binds the fact and feeds the rules), the tests on the path to it. On a fact it
    runs only the tests on keys the fact has, finds equality tests by dictionary lookup, and
    activates the terminals whose every test passed, in the tree's own order. The tests are
    experta's FeatureCheck objects, called as the tree would call them.

    The original tree stays below as ``children``: while experta's MATCHER or MATCH watchers are
    on, facts go down the tree itself, so a watcher sees every node's own record.
    """

    def __init__(self, tree: list[Any], terminals: list[tuple[Any, tuple[Any, ...]]]) -> None:
        super().__init__()
        self.children = tree
        self.terminals = [node for node, _ in terminals]
        self.needs = [len(checks) for _, checks in terminals]
        self.always = [i for i, checks in enumerate(terminals) if not checks[1]]
        #: Tests on a plain key: key -> (literal value -> [(test, terminals)], [(test, terminals)]).
        self.by_key: dict[str, tuple[dict[Any, list[Any]], list[Any]]] = {}
        #: Tests on nested or positional keys, run on every fact.
        self.elsewhere: list[tuple[Any, list[int]]] = []
        users: dict[Any, list[int]] = {}
        for index, (_, checks) in enumerate(terminals):
            for check in checks:
                users.setdefault(check, []).append(index)
        for check, indexes in users.items():
            if not isinstance(check.what, str) or "__" in check.what:
                self.elsewhere.append((check, indexes))
                continue
            literals, predicates = self.by_key.setdefault(check.what, ({}, []))
            if isinstance(check.how, L):
                literals.setdefault(check.how.value, []).append((check, indexes))
            else:
                predicates.append((check, indexes))

    @staticmethod
    def build(type_node: Any) -> _AlphaIndexNode | None:
        """Index the tree under one TypeCheck node, or None if it holds tests we do not index."""
        terminals: list[tuple[Any, tuple[Any, ...]]] = []

        def walk(node: Any, path: tuple[Any, ...]) -> bool:
            for child in node.children:
                below = child.node
                if not isinstance(below, FeatureTesterNode) or child.callback != below.activate:
                    return False
                check = below.matcher
                if isinstance(check, FactCapture):
                    terminals.append((below, path))
                elif isinstance(check, FeatureCheck) and isinstance(check.how, (L, P)) and \
                        check.how.__bind__ is None:
                    if not walk(below, (*path, check)):
                        return False
                else:
                    return False
            return True

        if not walk(type_node, ()) or not terminals:
            return None
        return _AlphaIndexNode(list(type_node.children), terminals)

    def add_child(self, node: Any, callback: Any) -> None:  # pragma: no cover - never rewired
        raise TypeError("the alpha index is built after the network and takes no children")

    def _activate(self, token: Any) -> None:
        if watchers.worth("MATCHER", "DEBUG") or watchers.MATCH.isEnabledFor(logging.INFO):
            for child in self.children:
                child.callback(token)
            return
        (fact,) = token.data
        counts = dict.fromkeys(self.always, 0)
        passed: list[Any] = list(self.elsewhere)
        # The keys the fact has, and those its class gives a default (experta's Field).
        for key in dict.fromkeys((*fact.keys(), *fact.__fields__)):
            entry = self.by_key.get(key)
            if entry is None:
                continue
            literals, predicates = entry
            try:
                value = fact[key]
            except (KeyError, IndexError, TypeError):
                continue
            try:
                passed.extend(literals.get(value, ()))
            except TypeError:  # an unhashable value: compare one by one
                passed.extend(pair for literal, pairs in literals.items() if literal == value
                              for pair in pairs)
            passed.extend(predicates)
        for check, indexes in passed:
            if check(fact):
                for index in indexes:
                    counts[index] = counts.get(index, 0) + 1
        needs = self.needs
        for index in sorted(counts):
            if counts[index] == needs[index]:
                self.terminals[index].activate(token)


class _TypeDispatchNode(AnyChild, NoMemory, OneInputNode):  # type: ignore[misc]
    """The root's fan-out by fact class, looked up instead of tested.

    Below experta's root, each fact class has a node that tests ``type(fact) == cls``, and every
    fact visits every one of them. This node goes straight to what lies below the node of the
    fact's own class. As with the alpha index, watching MATCHER or MATCH restores experta's path.
    """

    def __init__(self, type_nodes: list[Any]) -> None:
        super().__init__()
        self.children = type_nodes  # experta's own ChildNode entries, kept for watching
        self.below: dict[type, list[Any]] = {}
        for child in type_nodes:
            self.below.setdefault(child.node.matcher.fact_type, []).extend(child.node.children)

    def add_child(self, node: Any, callback: Any) -> None:  # pragma: no cover - never rewired
        raise TypeError("the type dispatch is built after the network and takes no children")

    def _activate(self, token: Any) -> None:
        if watchers.worth("MATCHER", "DEBUG") or watchers.MATCH.isEnabledFor(logging.INFO):
            targets = self.children
        else:
            (fact,) = token.data
            targets = self.below.get(type(fact), [])
        for child in targets:
            child.callback(token)


class _ChangedNodesMatcher(ReteMatcher):  # type: ignore[misc]
    """experta's RETE network, asking only the conflict-set nodes that a change reached.

    experta's own matcher asks every rule's conflict-set node for new activations after every
    change, so each firing costs time in proportion to the number of rules. Here the inputs of
    every node with memory are wrapped to note that it received a token, and only the noted
    conflict-set nodes are asked. experta's reset walks the whole network (revisiting shared
    nodes once per path); here only the nodes whose memory changed since the last reset are
    wiped, the rest being empty already. The nodes, tokens and activations are experta's own.
    """

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        for child in self.root_node.children:
            type_node = child.node
            if isinstance(type_node, FeatureTesterNode) and isinstance(type_node.matcher,
                                                                       TypeCheck):
                index = _AlphaIndexNode.build(type_node)
                if index is not None:
                    type_node.children[:] = [ChildNode(index, index.activate)]
        roots = self.root_node.children
        if roots and all(isinstance(child.node, FeatureTesterNode) and
                         isinstance(child.node.matcher, TypeCheck) and
                         child.callback == child.node.activate for child in roots):
            dispatch = _TypeDispatchNode(list(roots))
            roots[:] = [ChildNode(dispatch, dispatch.activate)]
        self._reached: dict[Any, None] = {}
        self._touched: dict[Any, None] = {}
        for node in self._every_node():
            for position, child in enumerate(node.children):
                if type(child.node)._reset is not NoMemory._reset:
                    node.children[position] = child._replace(
                        callback=self._noting(child.node, child.callback))

    def _every_node(self) -> list[Any]:
        seen: dict[Any, None] = {}
        stack = [self.root_node]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen[node] = None
                stack.extend(child.node for child in reversed(node.children))
        return list(seen)

    def _noting(self, node: Any, activate: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap an input of a node with memory: note that it changed (and, for a rule's
        conflict-set node, that it may hold new activations), then pass the token on."""
        touched = self._touched
        if isinstance(node, ConflictSetNode):
            reached = self._reached

            def noted(token: Any) -> None:
                touched[node] = reached[node] = None
                activate(token)
        else:
            def noted(token: Any) -> None:
                touched[node] = None
                activate(token)

        return noted

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list[Any], list[Any]]:
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        for node in self._reached:
            new, gone = node.get_activations()
            added.extend(new)
            removed.extend(gone)
        self._reached.clear()
        return added, removed

    def reset(self) -> None:
        """Wipe the memory of every node a token reached since the last reset: the others are
        still empty."""
        log = watchers.MATCHER.isEnabledFor(logging.DEBUG)
        for node in self._touched:
            if log:
                watchers.MATCHER.debug("Node <%s> reset", node)
            node._reset()
        self._touched.clear()


def _agenda_key(activation: Any) -> tuple[int, list[int]]:
    """Salience first, then the newest facts first: experta's depth order."""
    return (activation.rule.salience,
            sorted((fact["__factid__"] for fact in activation.facts), reverse=True))


class _DepthStrategy(DepthStrategy):  # type: ignore[misc]
    """experta's depth-first agenda, with a removal that finds its activation.

    experta's DepthStrategy removes a withdrawn activation by looking only next to where it would
    be inserted. When several activations share a key (same salience, same facts: common when
    many rules of one stratum match the one Answers fact), the withdrawn one can sit further
    along, stays on the agenda and fires although its condition no longer holds: a rule reading
    ``not fact: x`` fired after ``x`` was derived. Here the whole run of equal keys is searched.
    """

    def _update_agenda(self, agenda: Any, added: Any, removed: Any) -> None:
        queue = agenda.activations
        for activation in removed:
            activation.key = _agenda_key(activation)
            start = bisect.bisect_left(queue, activation)
            for position in range(start, bisect.bisect_right(queue, activation, start)):
                if queue[position] == activation:
                    del queue[position]
                    break
        for activation in added:
            activation.key = _agenda_key(activation)
            bisect.insort(queue, activation)


class _Engine(KnowledgeEngine):  # type: ignore[misc]
    """KnowledgeEngine with the matcher and agenda above and a run loop that formats lazily.

    experta's run loop builds the text of its "FIRE" log line on every firing, whether or not
    anyone listens. This loop does the same work and emits the same watcher records (RULES,
    AGENDA; FACTS and ACTIVATIONS come from experta's own fact list and strategy), building their
    text only when that watcher is enabled, so watching still shows what really ran.
    """

    __matcher__ = _ChangedNodesMatcher
    __strategy__ = _DepthStrategy

    def get_deffacts(self) -> Any:
        # experta finds deffacts by inspecting every attribute (every rule) at each reset.
        cached = self.__dict__.get("_deffacts")
        if cached is None:
            cached = self._deffacts = super().get_deffacts()
        return cached

    def run(self, steps: float = float("inf")) -> None:
        self.running = True
        fired = 0
        while steps > 0 and self.running:
            self.strategy.update_agenda(self.agenda, *self.get_activations())
            if watchers.worth("AGENDA", "DEBUG"):
                for position, pending in enumerate(self.agenda.activations):
                    watchers.AGENDA.debug("%d: %r %r", position, pending.rule.__name__,
                                          _facts_text(pending))
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            fired += 1
            if watchers.RULES.isEnabledFor(logging.INFO):
                watchers.RULES.info("FIRE %s %s: %s", fired, activation.rule.__name__,
                                    _facts_text(activation))
            bound = {name: value for name, value in activation.context.items()
                     if not name.startswith("__")}
            activation.rule(self, **bound)
        self.running = False


def _facts_text(activation: Any) -> str:
    return ", ".join(str(fact) for fact in activation.facts)


def _action(rule_id: str, derive: tuple[str, ...]) -> Callable[[Any], None]:
    def action(engine: Any) -> None:
        # An OR rule fires once per true branch: record the rule once.
        if rule_id not in engine.fired_ids:
            engine.fired_ids[rule_id] = None
            for fact in derive:
                engine.declare(Derived(name=fact))

    action.__name__ = rule_id
    action.__qualname__ = rule_id
    return action


class CompiledNetwork:
    """A knowledge base compiled into experta; one engine instance per thread."""

    def __init__(self, kb: KnowledgeBase) -> None:
        compiler = _PatternCompiler(kb)
        layers = strata(kb.rules)
        top = max(layers.values(), default=0)
        members: dict[str, Any] = {}
        #: Each rule's salience (higher fires first), for watching a run (engine/run/watch.py).
        self.salience: dict[str, int] = {}
        for rule in kb.rules:
            lhs = compiler.pattern(_push_not(rule.when))
            self.salience[rule.id] = top - layers[rule.id]
            members[rule.id] = ExpertaRule(lhs, salience=self.salience[rule.id])(
                _action(rule.id, rule.then.derive))
        self.engine_class: type = type("TriageEngine", (_Engine,), members)
        self._local = threading.local()

    def _engine(self) -> Any:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = self.engine_class()
            self._local.engine = engine
        return engine

    def agenda(self) -> tuple[Pending, ...]:
        """This thread's agenda during a run, the activation that fires next first.

        For watching a run from experta's watcher events (engine/run/watch.py); read-only.
        """
        engine = getattr(self._local, "engine", None)
        if engine is None:
            return ()
        return tuple(Pending(act.rule.__name__, act.rule.salience,
                             tuple(sorted((fact["__factid__"] for fact in act.facts),
                                          reverse=True)))
                     for act in reversed(engine.agenda.activations))

    def run(self, answers: Mapping[str, AnswerValue]) -> RunResult:
        engine = self._engine()
        engine.reset()
        engine.fired_ids = {}
        engine.declare(Answers(**answers))
        engine.run()
        derived = frozenset(fact["name"] for fact in engine.facts.values()
                            if isinstance(fact, Derived))
        return RunResult(tuple(engine.fired_ids), derived)
