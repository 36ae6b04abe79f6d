"""Exit codes, one meaning each, documented in README."""

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    #: The knowledge base has problems, a scenario failed, or the output could not be written.
    FAILED = 1
    #: The command line or an input file (answers, an unknown id) was wrong.
    USAGE = 2
    #: Interrupted with Ctrl-C, or input ended (or was closed) before the questions did.
    INTERRUPTED = 130
    #: The reader closed our standard output (e.g. `| head -1`), or it was closed from the start.
    BROKEN_PIPE = 141
