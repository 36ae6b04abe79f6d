"""Fuzzing the two readers of hand-edited files: the rule loader and the answers reader.

``strategies`` builds inputs and ``properties`` states what every input must end in; the suite
runs them at a CI-friendly size (tests/engine/verify/test_fuzz_readers.py) and ``campaign`` runs
them at length.
"""
