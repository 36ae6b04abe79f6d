"""Safe YAML reading that remembers where every mapping and list came from.

Messages about rule and answers files must name a line, so the loader keeps the start mark of each
mapping, list and key. It is also stricter than ``yaml.safe_load`` where silence would hurt a
hand-edited health file: duplicate keys are an error instead of a silent overwrite; aliases are
refused (an alias bomb costs nothing to write and a lot to expand); ``yes``/``no``/``on``/``off``
stay strings (YAML 1.1 would turn an answer ``no`` into ``False``); dates stay strings; anchors
and merge keys (``<<``) are refused like aliases, since a value defined in one place and used in
another is what a reviewer reading one rule cannot see.

Every text is also checked for characters that change what a terminal shows rather than showing
themselves (see ``unsafe_character``): written raw in the file, or as an escape such as ``"\\e"``.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterator
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
        if getattr(event, "anchor", None) is not None:
            raise MarkedYAMLError(None, None, "anchors (&name) are not allowed here: write each "
                                  "value where it is used", event.start_mark)
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
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(None, None, "merge keys (<<) are not allowed here: write "
                                       "each key where it is used", key_node.start_mark)
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


#: A '!' where a tag could start, or a '&' where an anchor could (after a space, a line start or a
#: flow indicator): text that may hold either takes the strict path, which refuses them.
_TAG_LIKE = re.compile(r"(?:^|[\s\[{,?:-])[!&]", re.MULTILINE)

#: Characters that act on a terminal or on how text is laid out instead of showing themselves:
#: C0 controls but tab and line feed, DEL, C1 controls, every format character (Unicode category
#: Cf: bidi embeddings and overrides U+202A-E and isolates U+2066-9, zero-width spaces and
#: joiners, the soft hyphen, tag characters...), line and paragraph separators, and lone
#: surrogates (which cannot even be printed). tests/engine/load/test_yaml_reader.py checks the
#: list against the whole of unicodedata, so a Python with newer Unicode data is noticed.
_UNSAFE_RAW_CHARACTERS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f")
#: In the raw text a carriage return is a line break (YAML reads CRLF files as LF ones); in a
#: parsed text only an escape can have made one, and it would overwrite the line on screen.
UNSAFE_CHARACTERS = "\r" + _UNSAFE_RAW_CHARACTERS
_UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}]")
_UNSAFE_RAW = re.compile(f"[{_UNSAFE_RAW_CHARACTERS}]")


def character_name(char: str) -> str:
    """``U+001B`` with its name where Unicode gives one, for a message about that character."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


_CONTROL_NAMES = {0x1B: "ESCAPE", 0x0D: "CARRIAGE RETURN", 0x07: "BELL", 0x08: "BACKSPACE",
                  0x00: "NUL", 0x7F: "DELETE", 0x9B: "CONTROL SEQUENCE INTRODUCER"}


def unsafe_message(char: str) -> str:
    return (f"the character {character_name(char)} is not allowed: control, bidi and invisible "
            "format characters can change what a reader's screen shows")


def unsafe_character(text: str) -> str | None:
    """The first character of ``text`` that could act on a terminal or hide text, if any."""
    found = _UNSAFE.search(text)
    return found.group() if found else None


def _strings(data: Any, line: int | None) -> Iterator[tuple[str, int | None]]:
    """Every text in parsed data (keys too), with the nearest line the file gives for it."""
    if isinstance(data, str):
        yield data, line
    elif isinstance(data, dict):
        lines = getattr(data, "key_lines", {})
        for key, value in data.items():
            here = lines.get(key, getattr(data, "line", line))
            yield from _strings(key, here)
            yield from _strings(value, here)
    elif isinstance(data, list):
        lines = getattr(data, "item_lines", ())
        for index, value in enumerate(data):
            yield from _strings(value, lines[index] if index < len(lines) else line)


def refuse_unsafe_strings(data: Any, path: str, line_of_char: Any = None) -> None:
    """Raise YamlError at the first parsed text holding an unsafe character (an escape did it).

    ``line_of_char`` finds the line for files without marks (JSON): called with the character.
    """
    for text, line in _strings(data, None):
        char = unsafe_character(text)
        if char is not None:
            if line is None and line_of_char is not None:
                line = line_of_char(char)
            raise YamlError(path, line, unsafe_message(char))


def refuse_unsafe_text(text: str, path: str) -> None:
    """Raise YamlError at the line of the first unsafe character written raw in a file's text."""
    bad = _UNSAFE_RAW.search(text)
    if bad:
        bad_line = text.count("\n", 0, bad.start()) + 1
        raise YamlError(path, bad_line, unsafe_message(bad.group()))


def _with_libyaml(text: str) -> Any:
    """The data of plain YAML read by libyaml, or _Refused where the strict loader must speak.

    The libyaml tree cannot tell a written tag (refused) from a resolved one, nor keeps anchors
    (refused too), so text that may hold either is refused here; so is text that may nest
    deeper than libyaml's composer handles.
    """
    if _LibyamlComposer is None or (("!" in text or "&" in text) and _TAG_LIKE.search(text)) or \
            sum(text.count(mark) for mark in _NESTING_MARKS) > _C_COMPOSE_LIMIT:
        raise _Refused
    node = yaml.compose(text, Loader=_LibyamlComposer)
    return None if node is None else _TreeBuilder().build(node)


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text (one document) strictly; raise YamlError naming path and line."""
    refuse_unsafe_text(text, path)
    try:
        data = _with_libyaml(text)
    except (YAMLError, RecursionError, _Refused, *_CONVERSION_ERRORS):
        data = parse_strictly(text, path)  # the same data, or PyYAML's own message and line
    if "\\" in text:  # only an escape in a double-quoted text can make an unsafe character
        # A text with no mark of its own (a document that is one scalar): where escapes start.
        refuse_unsafe_strings(data, path, lambda _: text.count("\n", 0, text.index("\\")) + 1)
    return data


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
    """A regular file's bytes, refusing anything larger than MAX_BYTES without reading all of it.

    The file is opened without blocking and looked at before it is read: a FIFO (or a terminal,
    or /dev/zero) named as a rule or answers file would otherwise wait, or read, for ever.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise YamlError(shown, None, why_unreadable(path, exc)) from None
    try:
        kind = os.fstat(handle).st_mode
        if stat.S_ISDIR(kind):
            raise YamlError(shown, None, "is a directory, not a file")
        if not stat.S_ISREG(kind):
            raise YamlError(shown, None, "not a regular file (a pipe, device or socket): only "
                            "regular files are read")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read(MAX_BYTES + 1)
    except OSError as exc:  # e.g. EIO, or a file that is a directory on some systems
        raise YamlError(shown, None, why_unreadable(path, exc)) from None
    finally:
        os.close(handle)


def why_unreadable(path: Path | str, exc: BaseException) -> str:
    """Why a file could not be opened, in words: a dangling link is not simply "missing"."""
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"cannot read: it is a symbolic link to {quote(target)}, which does not exist"
    if isinstance(exc, FileNotFoundError):
        return "cannot read: no such file"
    if isinstance(exc, NotADirectoryError):
        return "cannot read: a part of the path is a file, not a directory"
    return f"cannot read: {getattr(exc, 'strerror', None) or exc}"


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
