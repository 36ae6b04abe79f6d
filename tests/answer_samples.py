"""Batches of reachable answer sets, for tests that check a property over the answer space.

Hypothesis draws only a seed per example; each example then checks a batch of answer sets that
the engine's own sampler (``engine.verify.safety.sample_answers``) makes from that seed. A batch
keeps hypothesis's own cost per set near nothing, which is what lets the safety tests check
100,000 sets; a failure names its seed, so `@example(seed=...)` replays it.

    @over_seeds(40)
    def test_something(kb, seed):
        for answers in sampled(kb, seed, 20):
            ...

How many: ``sized(suite, long)`` gives the suite's size, or with ``MUSCLE_TRIAGE_LONG=1`` in the
environment the long one (the sizes the suite ran before they were cut for time), as
``MUSCLE_TRIAGE_FUZZ_EXAMPLES`` does for the fuzzers (tests/fuzz/runs.py). Every rule of the
shipped knowledge base fires within the first 1,000 sampled sets (measured: the last rule to fire
first did so at set 625 of 100,000), so the suite's sizes keep every rule in play; the long run
buys more distinct combinations (about 0.8 new combination of level and fired rules per set).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.model import AnswerValue, KnowledgeBase
from engine.verify.safety import sample_answers

Test = TypeVar("Test", bound=Callable[..., None])

#: Set to 1 for the long sizes: ``MUSCLE_TRIAGE_LONG=1 uv run pytest tests/engine``.
LONG = os.environ.get("MUSCLE_TRIAGE_LONG") == "1"


def sized(suite: int, long: int) -> int:
    """``suite`` in the ordinary run, ``long`` when ``MUSCLE_TRIAGE_LONG=1`` asks for more."""
    return long if LONG else suite


#: Every seed random.Random takes as a 32-bit number.
SEEDS = st.integers(min_value=0, max_value=2 ** 32 - 1)


def over_seeds(examples: int) -> Callable[[Test], Test]:
    """Run the test once per drawn ``seed``, ``examples`` times; no deadline (a batch takes as
    long as it takes on a busy machine) and no example database (each run draws afresh)."""
    def wrap(test: Test) -> Test:
        run = settings(max_examples=examples, deadline=None, database=None,
                       suppress_health_check=[HealthCheck.too_slow])
        return run(given(seed=SEEDS)(test))  # type: ignore[no-any-return]
    return wrap


def sampled(kb: KnowledgeBase, seed: int, count: int) -> Iterator[dict[str, AnswerValue]]:
    """``count`` reachable answer sets, the same ones for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        yield sample_answers(kb, rng)
