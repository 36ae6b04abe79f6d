"""Loading gives the same data, lines, verdicts and messages on its fast paths as on the slow ones.

engine/load/yaml_reader.py reads plain YAML with libyaml, and engine/load/quickschema.py answers
"valid?" before jsonschema is asked (tests/bench/loading.py has the figures that keep them). A
user must never see a difference: each is checked here against the library path on the shipped
files and on many broken variants of them.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.load import yaml_reader
from engine.load.paths import shipped_rules_dir
from engine.load.quickschema import is_valid
from engine.load.schemas import validator

SHIPPED = sorted(shipped_rules_dir().glob("*.yaml"))


def _kind(path: Path) -> str:
    name = path.name
    for suffix in ("rules", "scenarios"):
        if name.endswith(f".{suffix}.yaml"):
            return suffix
    return name.removesuffix(".yaml")


def _marked(value: Any) -> Any:
    """The data with every line mark, for comparing two parses exactly."""
    if isinstance(value, yaml_reader.MarkedDict):
        return ("map", value.line, value.key_lines, {k: _marked(v) for k, v in value.items()})
    if isinstance(value, yaml_reader.MarkedList):
        return ("seq", value.line, value.item_lines, [_marked(v) for v in value])
    return (type(value).__name__, value)


def _parse(text: str, parse: Callable[[str, str], Any]) -> Any:
    try:
        return _marked(parse(text, "file.yaml"))
    except yaml_reader.YamlError as exc:
        return ("error", exc.line, exc.message)


@pytest.mark.skipif(yaml_reader._LibyamlComposer is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", [
    *(path.read_text(encoding="utf-8") for path in SHIPPED),
    "a: &x 1\nb: *x\n",                      # an alias
    "a: 1\nb: 2\na: 3\n",                    # a duplicate key
    "a: !!python/name:os.system x\n",        # a tag
    "a: [1, 2\n",                            # unclosed
    "? [1]\n: x\n",                          # a key that is not text
    "x: " + "[" * 70 + "]" * 70 + "\n",      # too deep
    "a: yes\nb: No\nc: 2024-01-01\nd: 1.5\ne: ~\nf: true\ng: '007'\n",
    "a: {x: 1}\nb:\n  <<: {y: 2}\n  z: 3\n",  # a merge key
    "a: =\n",
    "",
    "items:\n" + "- [a, {b: c}]\n" * 1500,   # past the limit for libyaml's own composer
])
def test_libyaml_gives_the_same_data_lines_and_errors(text: str) -> None:
    assert _parse(text, yaml_reader.parse_yaml) == _parse(text, yaml_reader.parse_strictly)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_ODD_VALUES: list[Any] = [None, True, 0, 1.5, "", " ", "Not An Id", "x-y", "ok_id", [], {},
                          ["a", "a"], {"answer": "weaker"}, {"all": []}, {"not": {}}]


def _mutants(document: Any, rng: random.Random, count: int) -> Iterator[Any]:
    """Copies of a document, each with one random change somewhere inside it."""
    for _ in range(count):
        mutant = copy.deepcopy(document)
        node = mutant
        for _ in range(rng.randint(0, 6)):  # walk down to a random container
            children = list(node.values()) if isinstance(node, dict) else node
            containers = [c for c in children if isinstance(c, (dict, list)) and c]
            if not containers:
                break
            node = rng.choice(containers)
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        roll = rng.random()
        if isinstance(node, dict) and roll < 0.2:
            node[rng.choice(["extra", "id", "when", "then", "kind", "is", "in", "fact"])] = \
                rng.choice(_ODD_VALUES)
        elif keys and roll < 0.45:
            del node[rng.choice(keys)]
        elif keys and roll < 0.55 and isinstance(node, list):
            node.append(copy.deepcopy(node[0]))
        elif keys:
            node[rng.choice(keys)] = copy.deepcopy(rng.choice(_ODD_VALUES))
        yield mutant


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_quick_schema_check_agrees_with_jsonschema(path: Path) -> None:
    kind = _kind(path)
    document = _plain(yaml_reader.read_yaml(path))
    assert is_valid(kind, document) is True
    rng = random.Random(path.name)
    verdicts = set()
    for mutant in _mutants(document, rng, 40):
        quick = is_valid(kind, mutant)
        assert quick is not None, "the quick check declined one of our own schemas"
        assert quick == (next(validator(kind).iter_errors(mutant), None) is None), mutant
        verdicts.add(quick)
    assert verdicts == {True, False}  # the mutants exercised both answers
