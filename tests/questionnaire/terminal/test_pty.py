"""The real command in a real pseudo-terminal: questionary menus, keystrokes, exit status.

Everything else drives the front ends in-process; this one test checks that `python -m
questionnaire` at a terminal picks the menus, draws them, takes arrow keys and Enter, and exits
cleanly. Every wait is bounded, so a hang fails the test instead of the suite.
"""

from __future__ import annotations

import os
import re
import select
import struct
import subprocess
import sys
import time

import pytest

from engine.model import KnowledgeBase

termios = pytest.importorskip("termios", reason="needs a POSIX pseudo-terminal")
fcntl = pytest.importorskip("fcntl", reason="needs a POSIX pseudo-terminal")

ENTER, DOWN = b"\r", b"\x1b[B"
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07|\r")


class Terminal:
    """A child process on the slave side of a pty; we read and type on the master side."""

    def __init__(self, argv: list[str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        environ = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"}
        environ.pop("NO_COLOR", None)
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                        env=environ, start_new_session=True)
        os.close(slave)
        self.seen = ""

    def text(self) -> str:
        return ANSI.sub("", self.seen)

    def _since(self, anchor: str) -> str:
        text = self.text()
        return text.rsplit(anchor, 1)[1] if anchor in text else ""

    def wait_for(self, phrase: str, timeout: float = 30, after: str = "") -> None:
        """Read until ``phrase`` is on screen (after the last ``anchor``, when given)."""
        deadline = time.monotonic() + timeout
        while phrase not in (self._since(after) if after else self.text()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{phrase!r} did not appear; the screen showed:\n"
                                     f"{self.text()[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the program ended before {phrase!r} appeared:\n"
                                         f"{self.text()[-2000:]}")
                self.seen += chunk.decode("utf-8", "replace")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self, timeout: float = 30) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            os.close(self.master)
        return code


@pytest.mark.slow
def test_the_questionnaire_runs_at_a_real_terminal(kb: KnowledgeBase) -> None:
    terminal = Terminal([sys.executable, "-m", "questionnaire"])
    try:
        terminal.wait_for("Start the questions")
        terminal.type(ENTER)
        terminal.wait_for("Question 1 of about")
        terminal.wait_for("Why are we asking this?")
        terminal.type(ENTER)  # who it is about: the pointer starts on "Myself"
        terminal.wait_for("Question 2 of about")
        terminal.type(ENTER)  # the age: "Under 18"
        terminal.wait_for("Question 3 of about")
        terminal.type(ENTER)  # the first red flag: the pointer starts on "Yes"
        terminal.wait_for("What next?")
        screen = " ".join(terminal.text().split())
        assert kb.levels[0].title in screen and "Your answer: Yes" in screen
        assert "Question 4 of" not in screen
        assert "\x1b[" in terminal.seen  # a terminal gets colour and cursor control
        terminal.type(DOWN * 4 + ENTER)  # Quit
    finally:
        code = terminal.close()
    assert code == 0
    assert "Traceback" not in terminal.text()


def test_change_an_answer_at_a_real_terminal(kb: KnowledgeBase) -> None:
    flags = [q for q in kb.questions if q.role == "red_flag"]
    assert [q.id for q in kb.questions[:2]] == ["who", "age"]  # Myself, then an age: 2 questions
    assert all(q.raises_to == kb.levels[0].id for q in flags[:2])
    terminal = Terminal([sys.executable, "-m", "questionnaire"])
    try:
        terminal.wait_for("Start the questions")
        terminal.type(ENTER)
        terminal.wait_for("Question 1 of about")
        terminal.type(ENTER)  # myself
        terminal.wait_for("Question 2 of about")
        terminal.type(ENTER)  # the first age band
        terminal.wait_for("Question 3 of about")
        terminal.wait_for("Why are we asking this?", after="Question 3 of about")
        terminal.type(ENTER)  # a hasty Enter: "Yes", the questions stop at the highest level
        terminal.wait_for("What next?")
        terminal.wait_for("Change an answer")
        terminal.type(DOWN * 3 + ENTER)
        terminal.wait_for("Which answer would you like to change?")
        terminal.wait_for("Keep my answers")
        terminal.type(DOWN * 2 + ENTER)  # the third answer: the warning sign
        terminal.wait_for("Your other answers are kept")
        terminal.wait_for("Why are we asking this?", after="Your other answers are kept")
        terminal.type(DOWN + ENTER)  # the pointer is on the earlier "Yes": one down is "No"
        terminal.wait_for("Question 4 of about")
        terminal.wait_for("Why are we asking this?", after="Question 4 of about")
        terminal.type(ENTER)  # "Yes" to the next warning sign, another emergency
        terminal.wait_for("What next?", after="Question 4 of about")
        screen = " ".join(terminal.text().split())
        after = screen.split("Your other answers are kept")[1]
        assert "Your answer: No" in after and "Your answer: Yes" in after
        assert kb.levels[0].title in after and "Question 5 of" not in after
        terminal.type(DOWN * 4 + ENTER)  # Quit
    finally:
        code = terminal.close()
    assert code == 0
    assert "Traceback" not in terminal.text()
