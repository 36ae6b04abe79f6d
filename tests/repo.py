"""Where the checkout is, for tests that run the tool as a person would (from its root)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
