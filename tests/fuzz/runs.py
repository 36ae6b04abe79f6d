"""How much to fuzz: a few seconds in the suite, a long campaign on request.

``MUSCLE_TRIAGE_FUZZ_EXAMPLES`` sets the number of inputs per fuzz test (default 12, fixed seed so
the suite is reproducible); ``tests/fuzz/campaign.py`` sets it high and draws new inputs.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("MUSCLE_TRIAGE_FUZZ_EXAMPLES", "12"))
CAMPAIGN = "MUSCLE_TRIAGE_FUZZ_EXAMPLES" in os.environ

FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not CAMPAIGN,
                suppress_health_check=list(HealthCheck), print_blob=True)

#: Outcomes seen, by reader and kind of ending, for the campaign's report.
OUTCOMES: Counter[str] = Counter()
