"""The experta adapter: the one module that imports experta.

It compiles a KnowledgeBase into a KnowledgeEngine subclass whose rules are built from the YAML
conditions (each action named after its rule id, so experta's own traces read well), and runs it.

Facts: all answers of an assessment go into one ``Answers`` fact (one key per question), and each
derived fact is a ``Derived`` fact. One fact for all answers means an answer test is a single
feature check on a single fact, instead of a join over one fact per answer: that choice decides
most of the cost of a run. Predicates are total (any value gives True or False), because experta
may run alpha tests in hash order.

The network, tokens, activations and run loop are experta's; what matches is made cheaper here
(an indexed alpha network, a matcher that asks only the rules a change reached, a reset of only
the nodes that hold something) and one experta agenda bug is fixed. Watchers (experta.watchers)
still see every fact, activation and firing.
tests/engine/verify/test_differential.py and tests/bench/run.py hold the evidence.

Teaching mode (engine/run/watch.py) hears a run through one hook point, ``_Engine``: it reports
each change of working memory and of the agenda as experta computes it (``get_activations``), and
each firing as experta takes it off the agenda (``agenda.get_next``), as typed events carrying
plain data. Nothing there reads experta's log text, and a change in how experta's reset builds
its agenda stops with an error there rather than silently showing less.
"""

from __future__ import annotations

import bisect
import collections
import collections.abc
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
    InitialFact,
    KnowledgeEngine,
    P,
    watchers,
)
from experta import Rule as ExpertaRule  # noqa: E402
from experta.agenda import Agenda  # noqa: E402
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


@dataclass(frozen=True)
class WorkingFact:
    """A fact in working memory: experta's id, what kind of fact it is, and its fields."""

    id: int
    #: "initial" (experta's starting fact), "answers" (every answer), or "derived" (by a rule).
    kind: str
    #: The fact's own fields (question id -> answer, or ``name`` of a derived fact).
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class FactChange:
    """A fact entered working memory (``asserted``) or left it."""

    asserted: bool
    fact: WorkingFact


@dataclass(frozen=True)
class AgendaChange:
    """An activation joined the agenda (``added``) or left it unfired or after firing."""

    added: bool
    activation: Pending


@dataclass(frozen=True)
class Firing:
    """The top of the agenda is about to fire; its action runs right after this event."""

    #: 1 for the first firing of the run.
    number: int
    activation: Pending
    #: The activation now on top of what is left of the agenda, if any.
    next_up: Pending | None


EngineEvent = FactChange | AgendaChange | Firing
Listener = Callable[[EngineEvent], None]


def _working(fact: Any) -> WorkingFact:
    kind = ("answers" if isinstance(fact, Answers) else "derived" if isinstance(fact, Derived)
            else "initial" if isinstance(fact, InitialFact) else type(fact).__name__.lower())
    fields = {key: value for key, value in fact.items() if not str(key).startswith("__")}
    return WorkingFact(int(fact["__factid__"]), kind, fields)


def _pending(activation: Any) -> Pending:
    return Pending(activation.rule.__name__, activation.rule.salience,
                   tuple(sorted((fact["__factid__"] for fact in activation.facts), reverse=True)))


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

    Pays, with the alpha index and type dispatch it installs: an assessment took 6.0 ms here
    against 11.1 ms with experta's ReteMatcher on the shipped rules, and 8.5 against 59.7 ms on
    500 generated rules (best of 3 runs of 150 answer sets, side by side, a busy 2-core machine;
    tests/bench/run.py's scale table shows the same against CLIPS): the throughput a server
    assessing many people gets.
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


class _HookedAgenda(Agenda):  # type: ignore[misc]
    """experta's agenda, telling the engine's listener which activation fires next.

    experta's run loop fires exactly what ``get_next`` returns (and stops on None), so this is
    where a firing is seen, before its action runs, with the rest of the agenda still in view.
    """

    def __init__(self, engine: _Engine) -> None:
        super().__init__()
        self.engine = engine
        self.fired = 0

    def get_next(self) -> Any:
        activation = super().get_next()
        listener = self.engine.listener
        if activation is not None:
            self.fired += 1
            if listener is not None:
                rest = self.activations
                listener(Firing(self.fired, _pending(activation),
                                _pending(rest[-1]) if rest else None))
        return activation


class _Engine(KnowledgeEngine):  # type: ignore[misc]
    """KnowledgeEngine with the matcher and agenda above, and the one hook point for watching.

    ``listener`` (None unless a run is watched) hears every fact change and agenda change as
    ``get_activations`` hands them on, and every firing from the agenda experta's reset makes.
    """

    __matcher__ = _ChangedNodesMatcher
    __strategy__ = _DepthStrategy
    listener: Listener | None = None

    @property
    def agenda(self) -> _HookedAgenda:
        return self._agenda

    @agenda.setter
    def agenda(self, agenda: Any) -> None:
        # experta's reset assigns a new, empty Agenda: ours takes its place. Anything else means
        # experta's reset changed, and watching would silently miss firings: stop here instead.
        if type(agenda) is not Agenda or agenda.activations:
            raise TypeError(f"engine/run/rete.py expects experta's reset to assign a new, empty "
                            f"Agenda, not {agenda!r}: experta has changed")
        self._agenda = _HookedAgenda(self)

    def get_deffacts(self) -> Any:
        """experta's, once per engine: it inspects every attribute (every rule) at each reset.

        Pays: an assessment of the shipped rules took 3.5 ms with this against 5.0 ms without
        (best of 7 runs of 300 assessments, a busy 2-core machine), most of it that inspection.
        """
        cached = self.__dict__.get("_deffacts")
        if cached is None:
            cached = self._deffacts = super().get_deffacts()
        return cached

    def get_activations(self) -> tuple[list[Any], list[Any]]:
        """experta's own (the matcher's changes for the facts changed since the last call),
        reporting those facts and activations to the listener."""
        added_facts, removed_facts = self.facts.changes
        listener = self.listener
        if listener is not None:
            for fact in removed_facts:
                listener(FactChange(False, _working(fact)))
            for fact in added_facts:
                listener(FactChange(True, _working(fact)))
        added, removed = self.matcher.changes(added_facts, removed_facts)
        if listener is not None:
            for activation in removed:
                listener(AgendaChange(False, _pending(activation)))
            for activation in added:
                listener(AgendaChange(True, _pending(activation)))
        return added, removed


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

    @contextmanager
    def listening(self, listener: Listener) -> Iterator[None]:
        """Hand every event of each run on this thread, inside the block, to ``listener``."""
        previous = getattr(self._local, "listener", None)
        self._local.listener = listener
        try:
            yield
        finally:
            self._local.listener = previous
            engine = getattr(self._local, "engine", None)
            if engine is not None:
                engine.listener = previous

    def run(self, answers: Mapping[str, AnswerValue]) -> RunResult:
        engine = self._engine()
        engine.listener = getattr(self._local, "listener", None)
        engine.reset()
        engine.fired_ids = {}
        engine.declare(Answers(**answers))
        engine.run()
        derived = frozenset(fact["name"] for fact in engine.facts.values()
                            if isinstance(fact, Derived))
        return RunResult(tuple(engine.fired_ids), derived)
