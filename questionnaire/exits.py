"""Exit codes, one meaning each, documented in README."""

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    #: The knowledge base has problems, or a scenario failed.
    FAILED = 1
    #: The command line or an input file (answers, an unknown id) was wrong.
    USAGE = 2
    #: Interrupted with Ctrl-C or end of input.
    INTERRUPTED = 130
    #: The reader closed our standard output (e.g. `| head -1`).
    BROKEN_PIPE = 141
