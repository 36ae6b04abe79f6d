"""Hypothesis strategies for hand-edited files gone wrong.

Two families, for rule files and answers files alike:

- structural: the shipped file (or a valid answers mapping), parsed, then changed the way a person
  editing it might get it wrong (a value of the wrong type, a key missing, an extra or misspelt
  key, an item repeated, something nested far too deep) and written back as YAML or JSON;
- textual: the raw bytes changed (odd unicode, invalid UTF-8, tabs, a line repeated so a key is
  duplicated, anchors and aliases, tags, control characters, truncation), or replaced by a file
  that is empty, binary garbage, an alias bomb, too deep or too big.

Both families also carry what a hostile author would write (issue 15): terminal escapes, bidi
and invisible characters put into any text or key, which the serialiser then writes as YAML or
JSON escapes (``"\\e"``, ``"\\u001b"``); lookalike spellings of refused wording (Cyrillic
letters, no-break spaces, fullwidth forms, HTML entities); and, in place of a file, something
that is not a regular file at all (``SPECIAL_FILES``).
"""

from __future__ import annotations

import copy
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from engine.load.paths import shipped_rules_dir
from engine.load.yaml_reader import MAX_BYTES, MAX_DEPTH, parse_yaml
from engine.model import KnowledgeBase

#: A python tag that would create this file if it were ever executed.
EXECUTED_MARKER = Path(tempfile.gettempdir()) / "muscle-triage-fuzz-python-tag-ran"

ALIAS_BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
       for i in range(8)]) + "\n"

#: Characters that act on a terminal or hide text, as a hostile author would put them in a text.
ESCAPES = (
    "\x1b[2J", "\x1b[D", "\x1b]0;title\x07", "\x1b]52;c;aGk=\x07", "\x1b]8;;https://evil/\x07",
    "\x9b2J", "\r", "\x08", "\x07", "\x00", "\x85", "\u202a", "\u202e", "\u2066", "\u2069",
    "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u061c", "\U000e0041", "\u2028",
    "\u2029", "\ud800",
)
#: Refused wording spelt to slip past a naive check.
CONFUSABLES = (
    "You h\u0430ve ALS", "y\u043eu have", "You\u00a0have", "you\u202fhave", "a 50\uff05 chance",
    "y&#111;u have", "&#x79;ou have", "d\u0131agnosis", "d\u0130agnosis",
    "\uff59\uff4f\uff55 \uff48\uff41\uff56\uff45", "li\u200bkely", "prob&#97;bly",
    "\u03c1robably", "su\u0261gests", "\u017fuggests",
)
#: YAML escapes written straight into the text, in double quotes.
YAML_ESCAPES = ('"\\e[2J"', '"\\x1b]0;t\\a"', '"\\u001b]52;c;aGk=\\a"', '"\\N"', '"\\_"',
                '"\\L"', '"\\P"', '"\\u202e"', '"\\U000E0041"', '"\\r"', '"\\b"',
                '"\\ud800"')
#: Things that are not a regular file, put where a file is expected.
SPECIAL_FILES = ("fifo", "directory", "dangling link", "link to /dev/zero", "link to /dev/null",
                 "link to a fifo")


def make_special(path: Path, kind: str) -> None:
    """Put a ``kind`` of SPECIAL_FILES at ``path`` (which must not exist)."""
    import os

    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dangling link":
        path.symlink_to(path.with_name(path.name + ".gone"))
    elif kind == "link to a fifo":
        fifo = path.with_name(path.name + ".fifo")
        os.mkfifo(fifo)
        path.symlink_to(fifo)
    else:
        path.symlink_to(kind.removeprefix("link to "))


def remove_special(path: Path) -> None:
    """Undo make_special."""
    import contextlib
    import os

    for leftover in (path, path.with_name(path.name + ".fifo")):
        with contextlib.suppress(FileNotFoundError):
            if leftover.is_dir() and not leftover.is_symlink():
                os.rmdir(leftover)
            else:
                os.unlink(leftover)


SNIPPETS = (
    "\t", "\t- ", "&anchor ", "*anchor", "<<: *anchor\n", "<<: {a: 1}\n", "&a [*a]",
    f"!!python/object/apply:os.system ['touch {EXECUTED_MARKER}']",
    f"!!python/object/apply:pathlib.Path.touch [{EXECUTED_MARKER}]",
    "!!python/name:os.system", "!!binary aGVsbG8=", "!!set {a, b}", "!!timestamp 2001-12-14",
    "!!float nan", "!!int 12", "!custom x", "? [a, b]\n: c\n", "? {a: 1}\n: c\n", "---\n",
    "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "\ufeff", "\u2028", "\u0085", "\u200b",
    "\u202e", "é", "—", "\U0001f600", "\ud800", "\x00", "\x1b[31m", "\r", "\r\n", "{", "[", "]",
    "}", "'", '"', ":", ": ", "- ", "#", "|\n", ">-\n", "  ", "id: ", "yes", "no", "null", "~",
    "true", "1e400", "0x1F", "=", ".inf", "-.nan", "2024-01-02", "1: x\n", "null: x\n",
    "?", "!", "%", "@", "`", "\\", "\\x00", "\\u0000", *YAML_ESCAPES, *ESCAPES, *CONFUSABLES,
)
#: Whole files, each a class of bad input on its own.
WHOLE_FILES: tuple[bytes, ...] = (
    b"",
    b"\n\n",
    b"# only a comment\n",
    b"\xef\xbb\xbf",
    b"~\n",
    b"[]\n",
    b"just text\n",
    b"42\n",
    ALIAS_BOMB.encode(),
    ("x: " + "[" * (MAX_DEPTH + 10) + "]" * (MAX_DEPTH + 10) + "\n").encode(),
    ("x:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, MAX_DEPTH + 10))
     + "  " * (MAX_DEPTH + 10) + "v\n").encode(),
    b"#" * (MAX_BYTES + 1),
    ("rules:\n" + "  - x\n" * (MAX_BYTES // 6 + 1)).encode(),
    b"a: 1\n---\nb: 2\n",
    b"\x00\x01\x02\x03garbage\xff\xfe\xfd",
    b"\xff\xfe" + "weaker: yes\n".encode("utf-16-le"),
    "weaker: yes\n".encode("utf-32"),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    f"a: !!python/object/apply:os.system ['touch {EXECUTED_MARKER}']\n".encode(),
    b"a: 1\na: 2\n",
    b"{\"a\": 1, \"a\": 2}\n",
    b"\t\ta: 1\n",
)


# -- plain data -----------------------------------------------------------------------------------

def plain(node: Any) -> Any:
    """A parsed document as plain dicts and lists (what yaml.safe_dump and json can write)."""
    if isinstance(node, dict):
        return {key: plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    return node


@cache
def shipped_text(name: str) -> str:
    return (shipped_rules_dir() / name).read_text(encoding="utf-8")


@cache
def shipped_files() -> tuple[str, ...]:
    return tuple(sorted(path.name for path in shipped_rules_dir().glob("*.yaml")))


@cache
def _shipped_document(name: str) -> Any:
    return plain(parse_yaml(shipped_text(name), name))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document, as key/index steps from the top."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@cache
def _shipped_paths(name: str) -> tuple[tuple[Any, ...], ...]:
    return tuple(_paths(_shipped_document(name)))


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.sampled_from(["yes", "no", "unsure", "", " ", "emergency", "urgent", "routine",
                     "weaker", "onset", "hands", "over_days", "true", "null", "é—\u2028",
                     "x" * 300, "Not sure", "a\nb"]),
)
keys = st.one_of(st.text(max_size=10), st.sampled_from(
    ["id", "when", "then", "level", "answer", "is", "in", "includes", "all", "any", "not",
     "fact", "options", "kind", "role", "text", "why", "ask_if", "sources", "reading"]))
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=10,
)


@st.composite
def deeply_nested(draw: st.DrawFn) -> Any:
    """A value nested between a few and well past MAX_DEPTH levels."""
    depth = draw(st.integers(1, MAX_DEPTH + 40))
    value: Any = draw(scalars)
    for _ in range(depth):
        value = [value] if draw(st.booleans()) else {draw(keys): value}
    return value


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


def _replacement(draw: st.DrawFn, operation: str, target: Any) -> Any:
    if operation == "replace":
        return draw(values)
    if operation == "deep":
        return draw(deeply_nested())
    if operation == "wrap_list":
        return [target]
    if operation == "wrap_map":
        return {draw(keys): target}
    return type(target)() if isinstance(target, (dict, list)) else None


@st.composite
def mutated_document(draw: st.DrawFn, name: str) -> Any:
    """The shipped document ``name`` with one to three structural mistakes."""
    document = copy.deepcopy(_shipped_document(name))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document) if draw(st.booleans()) else list(_shipped_paths(name))
        path = draw(st.sampled_from(paths))
        try:
            target = _parent(document, path)[path[-1]] if path else document
        except (KeyError, IndexError, TypeError):  # an earlier mutation moved it
            continue
        operation = draw(st.sampled_from(
            ["replace", "deep", "delete", "extra_key", "rename_key", "duplicate", "wrap_list",
             "wrap_map", "empty", "inject", "inject", "inject_key"]))
        if operation == "inject" and isinstance(target, str) and path:
            at = draw(st.integers(0, len(target)))
            hostile = draw(st.sampled_from(ESCAPES + CONFUSABLES))
            _parent(document, path)[path[-1]] = target[:at] + hostile + target[at:]
            continue
        if operation == "inject_key" and path and isinstance(_parent(document, path), dict):
            parent = _parent(document, path)
            hostile = draw(st.sampled_from((*ESCAPES, "е", "а", "ａ")))
            parent[path[-1] + hostile] = parent.pop(path[-1])
            continue
        if operation in ("replace", "deep", "wrap_list", "wrap_map", "empty"):
            new = _replacement(draw, operation, target)
            if path:
                _parent(document, path)[path[-1]] = new
            else:
                document = new
        elif operation == "delete" and path:
            del _parent(document, path)[path[-1]]
        elif operation == "extra_key" and isinstance(target, dict):
            target[draw(keys)] = draw(values)
        elif operation == "rename_key" and path and isinstance(_parent(document, path), dict):
            parent = _parent(document, path)
            parent[path[-1] + draw(st.sampled_from(["s", "_", "X", " "]))] = parent.pop(path[-1])
        elif operation == "duplicate" and isinstance(target, list) and target:
            target.append(copy.deepcopy(draw(st.sampled_from(target))))
    return document


@st.composite
def serialised(draw: st.DrawFn, document: Any) -> bytes:
    """A document written as block YAML, flow YAML or JSON."""
    style = draw(st.sampled_from(["block", "flow", "json"]))
    # "surrogatepass": a lone surrogate (one of ESCAPES) written raw is invalid UTF-8, itself a
    # bad input; written as an escape it is valid text the reader must refuse.
    if style == "json":
        text = json.dumps(document, ensure_ascii=draw(st.booleans()), indent=1)
    else:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=draw(st.booleans()),
                              default_flow_style=style == "flow", width=100)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated_bytes(draw: st.DrawFn, text: str) -> bytes:
    """``text`` with one to four raw edits, or a whole-file replacement."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(WHOLE_FILES))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(
            ["snippet", "snippet", "text", "delete", "line_again", "tab", "truncate"]))
        if operation == "snippet":
            text = text[:at] + draw(st.sampled_from(SNIPPETS)) + text[at:]
        elif operation == "text":
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        elif operation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif operation == "line_again":
            lines = text.splitlines(keepends=True) or [""]
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            text = "".join(lines)
        elif operation == "tab":
            lines = text.splitlines(keepends=True) or [""]
            index = draw(st.integers(0, len(lines) - 1))
            lines[index] = lines[index].replace("  ", "\t", 1)
            text = "".join(lines)
        else:
            text = text[:at]
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate makes invalid UTF-8
    if draw(st.integers(0, 14)) == 0:  # a few raw bytes somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    return data


@st.composite
def rule_file_input(draw: st.DrawFn) -> tuple[str, bytes]:
    """One shipped knowledge base file name and the bad content to put in its place."""
    name = draw(st.sampled_from(shipped_files()))
    if draw(st.booleans()):
        return name, draw(serialised(draw(mutated_document(name))))
    return name, draw(mutated_bytes(shipped_text(name)))


# -- answers --------------------------------------------------------------------------------------

def answer_values(kb: KnowledgeBase) -> st.SearchStrategy[Any]:
    """Values a person might write: right ones, labels, near misses and nonsense."""
    words = sorted({value for q in kb.questions for value in q.values}
                   | {option.label for q in kb.questions for option in q.options})
    word = st.sampled_from(words)
    near = word.map(str.upper) | word.map(lambda w: w + " ") | word.map(lambda w: w[:-1])
    hostile = st.tuples(word, st.sampled_from(ESCAPES)).map("".join)
    single = st.one_of(word, word, near, scalars, hostile)
    return st.one_of(single, st.lists(single, max_size=4), values, deeply_nested())


@st.composite
def answers_document(draw: st.DrawFn, kb: KnowledgeBase) -> Any:
    """A mapping of question ids (mostly real) to values (mostly plausible), or not a mapping."""
    ids = [q.id for q in kb.questions]
    lookalike = st.tuples(st.sampled_from(ids), st.sampled_from((*ESCAPES, "е", "а"))
                          ).map(lambda pair: pair[0].replace("e", pair[1], 1))
    key = st.one_of(st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(ids),
                    st.sampled_from(ids).map(lambda i: i[:-1] + "x"), keys, lookalike)
    mapping = st.dictionaries(key, answer_values(kb), max_size=8)
    if draw(st.integers(0, 9)) == 0:
        return draw(values)
    return draw(mapping)


@st.composite
def answers_file_input(draw: st.DrawFn, kb: KnowledgeBase) -> tuple[str, bytes]:
    """A file suffix and the bytes of an answers file: structured, mutated or garbage."""
    suffix = draw(st.sampled_from([".yaml", ".yml", ".json", ".JSON", ".txt", ""]))
    kind = draw(st.integers(0, 3))
    if kind <= 1:
        return suffix, draw(serialised(draw(answers_document(kb))))
    if kind == 2:
        base = yaml.safe_dump(draw(answers_document(kb)), sort_keys=False, allow_unicode=True)
        return suffix, draw(mutated_bytes(base))
    return suffix, draw(st.one_of(st.sampled_from(WHOLE_FILES), st.binary(max_size=64)))
