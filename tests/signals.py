"""Children that are sent Ctrl-C, whatever shell started the suite."""

import signal


def ctrl_c_as_at_a_terminal() -> None:
    """``preexec_fn`` for a child the test will send SIGINT: SIGINT handled by default.

    A shell starts a background job (`uv run pytest &`) with SIGINT ignored, and children inherit
    that, so Python would never raise KeyboardInterrupt in them and every Ctrl-C test would fail
    for a reason that has nothing to do with the tool. A person at a terminal has the default.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
