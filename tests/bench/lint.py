"""What the wording lint's needed-words shortcut buys on the shipped knowledge base.

    uv run python -m tests.bench.lint

Times the lint over every reader text as a start does (nothing compiled or cached yet), with the
shortcut and with every pattern compiled and run on every text; prints the best of 20 of each.
The figure is written in engine/load/wording_lint.py, where the shortcut has to earn its place.
"""

from __future__ import annotations

import re
import time

from engine.load import wording_lint
from engine.load.knowledge_base import load_knowledge_base


def _without_shortcut(text: str, where: str) -> list[str]:
    text = wording_lint.as_read(text)
    return [match.group() for phrase in wording_lint.DIAGNOSTIC_PHRASES
            for match in re.compile(phrase.pattern, re.IGNORECASE).finditer(text)]


def _best(lint: object, texts: list[tuple[str, str]]) -> float:
    best = float("inf")
    for _ in range(20):
        wording_lint._diagnostic_wording.cache_clear()
        wording_lint._compiled.cache_clear()
        re.purge()
        started = time.perf_counter()
        for text, where in texts:
            lint(text, where)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    kb = load_knowledge_base()
    texts = [(item.text, item.where) for item in wording_lint.reader_texts(kb)]
    print(f"{len(texts)} reader texts, {sum(len(t) for t, _ in texts)} characters")
    shortcut = _best(wording_lint._diagnostic_wording, texts)
    print(f"with the needed-words shortcut: {shortcut:.1f} ms")
    print(f"every pattern on every text:    {_best(_without_shortcut, texts):.1f} ms")


if __name__ == "__main__":
    main()
