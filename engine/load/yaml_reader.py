"""Safe YAML reading that remembers where every mapping and list came from.

Messages about rule and answers files must name a line, so the loader keeps the start mark of each
mapping, list and key. It is also stricter than ``yaml.safe_load`` where silence would hurt a
hand-edited health file: duplicate keys are an error instead of a silent overwrite; aliases are
refused (an alias bomb costs nothing to write and a lot to expand); ``yes``/``no``/``on``/``off``
stay strings (YAML 1.1 would turn an answer ``no`` into ``False``); dates stay strings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from engine.problems import Location, quote

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64


class YamlError(Exception):
    """A file that is not readable, well-formed, safe YAML; names the file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{self.where}: {message}")

    @property
    def where(self) -> Location:
        return Location(self.path, self.line)


class MarkedDict(dict[str, Any]):
    """A mapping from a YAML file, with the line of itself and of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class MarkedList(list[Any]):
    """A sequence from a YAML file, with its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


#: What PyYAML's constructors raise on a value they cannot convert (``0x_``, ``!!int 12x``).
_CONVERSION_ERRORS = (ValueError, TypeError, ArithmeticError, AttributeError, KeyError)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, no timestamps, no aliases, bounded depth."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class-level table, replaced
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise MarkedYAMLError(None, None, "aliases (*name) are not allowed here",
                                  event.start_mark)
        event = self.peek_event()  # type: ignore[no-untyped-call]
        tag = getattr(event, "tag", None)
        if tag is not None:  # !!int, !!python/object..., !custom: plain YAML only
            raise MarkedYAMLError(None, None, _tag_refused(tag), event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                      mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_marked_map(self, node: MappingNode) -> Any:
        data = MarkedDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ConstructorError(None, None, f"keys must be text, not {quote(key)}",
                                       key_node.start_mark)
            if key in data:
                raise ConstructorError(None, None, f"duplicate key {quote(key)} (first on line "
                                       f"{data.key_lines[key]})", key_node.start_mark)
            data.key_lines[key] = key_node.start_mark.line + 1
            data[key] = self.construct_object(value_node, deep=True)

    def construct_marked_seq(self, node: SequenceNode) -> Any:
        data = MarkedList()
        data.line = node.start_mark.line + 1
        data.item_lines = [child.start_mark.line + 1 for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """PyYAML's, with a value it cannot convert (``0x_``, a 5000-digit number) marked."""
        try:
            return super().construct_object(node, deep)
        except _CONVERSION_ERRORS as exc:
            raise ConstructorError(None, None, f"cannot read the value {quote(node.value)}: "
                                   f"{quote(str(exc), 80)}", node.start_mark) from None

    def construct_undefined(self, node: Node) -> Any:
        raise ConstructorError(None, None, _tag_refused(node.tag), node.start_mark)


def _tag_refused(tag: str) -> str:
    tag = tag.replace("tag:yaml.org,2002:", "!!", 1)  # as it was written
    return (f"the tag {quote(tag)} is not allowed (only plain YAML is read; nothing in a file is "
            "ever run)")


# YAML 1.2 booleans only: true/false, never yes/no/on/off.
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))
_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_marked_map)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _StrictLoader.construct_marked_seq)
_StrictLoader.add_constructor(None, _StrictLoader.construct_undefined)

#: The loader that composes with libyaml, or None where PyYAML was built without it.
_LibyamlComposer: type[_StrictLoader] | None = None
try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    pass
else:
    class _CComposer(CParser, _StrictLoader):
        """libyaml (C) scanning, parsing and composing the node tree, with the strict resolvers.

        Why: PyYAML's pure-Python scanner, parser and composer made reading the files loaded before
        the first question take 190 ms; composing them with libyaml and building the marked data
        below takes 50 ms (tests/bench/loading.py, fresh processes, this project's machine). The
        resolvers are the strict loader's, so ``no`` stays text and dates stay strings here too.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _LibyamlComposer = _CComposer


#: Every level of nesting needs one of these characters (a flow bracket, or a block indicator).
_NESTING_MARKS = "[{-:?"
#: libyaml's composer recurses in C once per level of nesting, without Python's recursion
#: limit: a file nested a hundred thousand levels deep would crash the process. It handles
#: 10,000 levels safely, so text with more than this many nesting marks takes the strict path.
_C_COMPOSE_LIMIT = 4000


class _Refused(Exception):
    """The C-composed tree holds something unusual: the strict loader will say what."""


_STR, _SEQ, _MAP = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


class _TreeBuilder:
    """Builds MarkedDict / MarkedList data from a composed tree, as the strict constructors do.

    Only the plain cases are handled here (text keys, no duplicates, no aliases, no merge keys
    or unknown tags, not too deep); anything else is refused, and the strict loader parses the
    text again to report it in its own words.
    """

    #: Scalars other than text (numbers, true/false, null) are made by PyYAML's constructors.
    makers = _StrictLoader.yaml_constructors

    def __init__(self) -> None:
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()

    def build(self, node: Node, depth: int = 1) -> Any:
        if depth >= MAX_DEPTH or id(node) in self.seen:  # too deep, or an alias
            raise _Refused
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.tag == _STR:
                return node.value
            if node.tag in (_SEQ, _MAP) or self.makers.get(node.tag) is None:
                raise _Refused
            return self.makers[node.tag](self.constructor, node)
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            items = MarkedList(self.build(child, depth + 1) for child in node.value)
            items.line = node.start_mark.line + 1
            items.item_lines = [child.start_mark.line + 1 for child in node.value]
            return items
        if isinstance(node, MappingNode) and node.tag == _MAP:
            mapping = MarkedDict()
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                    raise _Refused  # a key that is not text, or a merge key
                key = key_node.value
                if key in mapping:
                    raise _Refused
                mapping.key_lines[key] = key_node.start_mark.line + 1
                mapping[key] = self.build(value_node, depth + 1)
            return mapping
        raise _Refused


#: A '!' where a tag could start (after a space, a line start or a flow indicator).
_TAG_LIKE = re.compile(r"(?:^|[\s\[{,?:-])!", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _with_libyaml(text: str) -> Any:
    """The data of plain YAML read by libyaml, or _Refused where the strict loader must speak.

    The libyaml tree cannot tell a written tag (refused) from a resolved one, so text that may
    hold a tag is refused; so is text that may nest deeper than libyaml's composer handles.
    """
    if _LibyamlComposer is None or ("!" in text and _TAG_LIKE.search(text)) or \
            sum(text.count(mark) for mark in _NESTING_MARKS) > _C_COMPOSE_LIMIT:
        raise _Refused
    node = yaml.compose(text, Loader=_LibyamlComposer)
    return None if node is None else _TreeBuilder().build(node)


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text (one document) strictly; raise YamlError naming path and line."""
    bad = _CONTROL.search(text)
    if bad:
        bad_line = text.count("\n", 0, bad.start()) + 1
        raise YamlError(path, bad_line, f"control character {bad.group()!r} is not allowed")
    try:
        return _with_libyaml(text)
    except (YAMLError, RecursionError, _Refused, *_CONVERSION_ERRORS):
        return parse_strictly(text, path)  # the same data, or PyYAML's own message and line


def parse_strictly(text: str, path: str) -> Any:
    """parse_yaml with PyYAML's pure-Python strict loader: the path that words every error."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "not valid YAML"
        raise YamlError(path, line, problem) from None
    except ReaderError as exc:  # a character YAML does not allow anywhere, e.g. U+FFFE
        bad_line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlError(path, bad_line, f"the character U+{code:04X} is not allowed in "
                        "YAML") from None
    except YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise YamlError(path, None, f"not valid YAML: {first}") from None
    except RecursionError:
        raise YamlError(path, None, "nested too deeply") from None


def read_yaml(path: Path, display: str | None = None) -> Any:
    """Read and parse a YAML (or JSON, a subset of it) file with size and encoding checks."""
    shown = display or str(path)
    return parse_bytes(read_limited(path, shown), shown)


def read_limited(path: Path, shown: str) -> bytes:
    """A file's bytes, refusing anything larger than MAX_BYTES without reading all of it."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise YamlError(shown, None, f"cannot read: {getattr(exc, 'strerror', None) or exc}"
                        ) from None
    return raw


def decode_text(raw: bytes, path: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), refusing oversized or undecodable bytes."""
    if len(raw) > MAX_BYTES:
        raise YamlError(path, None, f"larger than {MAX_BYTES // 1024} KiB; refusing to read it")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(path, line, "not valid UTF-8 text") from None


def parse_bytes(raw: bytes, path: str) -> Any:
    """Decode UTF-8 bytes (with size limit) and parse them as strict YAML."""
    return parse_yaml(decode_text(raw, path), path)


def line_of(document: Any, path: tuple[str | int, ...]) -> int | None:
    """The line of the deepest node on ``path`` inside a parsed document that has a mark."""
    node = document
    line: int | None = getattr(document, "line", None)
    for step in path:
        if isinstance(node, MarkedDict) and isinstance(step, str) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
        if isinstance(node, (MarkedDict, MarkedList)):
            line = node.line
    return line
