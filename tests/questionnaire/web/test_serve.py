"""`muscle-triage serve`: what it prints and refuses, the real server's access log, the texts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.load.wording_lint import diagnostic_wording
from engine.model import KnowledgeBase
from questionnaire.web.app import SETTINGS_VARIABLE
from questionnaire.web.texts import page_texts
from tests.conftest import CliResult
from tests.questionnaire.web.pages import OPENING
from tests.repo import ROOT


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """uvicorn.run replaced by a recorder: the command runs up to the point of serving."""
    import uvicorn

    seen: dict[str, Any] = {}

    def record(app: str, **kwargs: Any) -> None:
        seen.update(kwargs, app=app, settings=json.loads(os.environ[SETTINGS_VARIABLE]))

    monkeypatch.setattr(uvicorn, "run", record)
    monkeypatch.delenv(SETTINGS_VARIABLE, raising=False)
    return seen


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_binds_to_loopback_and_prints_the_address(cli_kb: Callable[..., CliResult],
                                                        served: dict[str, Any]) -> None:
    port = _free_port()
    result = cli_kb("serve", "--port", str(port))
    assert result.code == 0, result.err
    assert f"http://127.0.0.1:{port}/" in result.out
    assert result.err == ""  # no warning on the loopback address
    assert served["host"] == "127.0.0.1" and served["workers"] == 1
    assert served["server_header"] is False
    assert served["settings"]["allowed_hosts"] == ["localhost"]  # and any address
    assert served["settings"]["class_token"] is None


def test_several_workers_listen_with_nagle_off_and_accepted_sockets_inherit_it(
        cli_kb: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's own supervisor binds with Nagle's algorithm left on (uvicorn #3149), which
    costs each keep-alive page ~40 ms; serve hands it a listener with TCP_NODELAY set, and a
    connection it accepts has TCP_NODELAY too (what the workers' pages then go out on)."""
    from uvicorn import supervisors

    seen: dict[str, Any] = {}

    class Supervisor:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            seen.update(workers=config.workers, sockets=sockets)

        def run(self) -> None:
            listener = seen["sockets"][0]
            listener.listen()  # as each worker's asyncio server does
            with socket.create_connection(listener.getsockname()[:2]) as client:
                accepted, _ = listener.accept()
                with accepted:
                    seen["accepted"] = accepted.getsockopt(socket.IPPROTO_TCP,
                                                           socket.TCP_NODELAY)
                client.close()
            listener.close()

    monkeypatch.setattr(supervisors, "Multiprocess", Supervisor)
    monkeypatch.delenv(SETTINGS_VARIABLE, raising=False)
    result = cli_kb("serve", "--workers", "2", "--port", str(_free_port()))
    assert result.code == 0, result.err
    assert seen["workers"] == 2
    assert seen["accepted"] != 0


def test_every_interface_warns_that_answers_cross_the_network(
        cli_kb: Callable[..., CliResult], served: dict[str, Any]) -> None:
    result = cli_kb("serve", "--host", "0.0.0.0", "--port", str(_free_port()),
                 "--allow-host", "Class.Example")
    assert result.code == 0
    assert "unencrypted" in result.err
    assert "class.example" in served["settings"]["allowed_hosts"]


def test_class_prints_a_secret_address_and_needs_one_worker(
        cli_kb: Callable[..., CliResult], served: dict[str, Any]) -> None:
    result = cli_kb("serve", "--class", "--port", str(_free_port()))
    token = served["settings"]["class_token"]
    assert token and len(token) >= 20 and f"/class/{token}" in result.out
    refused = cli_kb("serve", "--class", "--workers", "2")
    assert refused.code == 2 and "--workers 1" in refused.err


def test_open_opens_the_browser_only_when_asked(cli_kb: Callable[..., CliResult],
                                                served: dict[str, Any],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import questionnaire.commands.serve as serve

    timers: list[tuple[Any, ...]] = []

    class Timer:
        def __init__(self, delay: float, function: Any, args: tuple[Any, ...]) -> None:
            timers.append((function, args))

        def start(self) -> None:
            pass

    monkeypatch.setattr(serve.threading, "Timer", Timer)
    port = _free_port()
    cli_kb("serve", "--port", str(port))
    assert timers == []
    cli_kb("serve", "--port", str(port), "--open")
    assert timers == [(serve.webbrowser.open, (f"http://127.0.0.1:{port}/",))]


def test_a_port_in_use_is_one_line(cli_kb: Callable[..., CliResult],
                                   served: dict[str, Any]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = cli_kb("serve", "--port", str(taken.getsockname()[1]))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "cannot listen" in result.err
    assert served == {}


def test_the_page_texts_pass_the_wording_lint(kb: KnowledgeBase) -> None:
    texts = page_texts(kb)
    assert texts.notice == kb.notice
    for name, text in texts._asdict().items():
        where = "notice" if name == "notice" else "web"
        assert diagnostic_wording(text, where) == [], name


def test_the_real_servers_access_log_holds_no_answers() -> None:
    """uvicorn's access log names the method and path only: the answers are in POST bodies."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "questionnaire", "serve", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        flags = [q.id for q in load_knowledge_base().questions if q.role == "red_flag"][:3]
        secret = [*OPENING, (f"answer.{flags[0]}", "no"), (f"answer.{flags[1]}", "unsure"),
                  ("question", flags[2]), ("reply", "no")]
        for path in ("/question", "/result", "/download/answers.yaml"):
            request = urllib.request.Request(base + path, data=urlencode(secret).encode(),
                                             method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                body = response.read().decode()
        assert f"{flags[1]}: unsure" in body  # the answers did arrive
    finally:
        server.send_signal(signal.SIGINT)
        log, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in log
    assert '"POST /question HTTP/1.1" 200' in log and '"POST /result HTTP/1.1" 200' in log
    for leaked in ("unsure", "breathing_trouble", "answer.", "rapidly_spreading", "reply"):
        assert leaked not in log, f"{leaked!r} reached the log:\n{log}"


def test_two_workers_serve_the_same_pages_from_the_settings_they_were_given(
        rules_copy: Path) -> None:
    """Workers are new processes: they get --rules (here a copy with a changed level title)
    and the Host list through the environment, and any of them can serve any page."""
    from tests.conftest import replace_in
    from tests.questionnaire.web.browser import serving

    replace_in(rules_copy / "levels.yaml", "self: Emergency — get help now",
               "self: Emergency (copied rules) — get help now")
    with serving("--workers", "2", "--rules", str(rules_copy)) as server:
        answers = urlencode([*OPENING, ("answer.sudden_one_sided", "yes")]).encode()
        for _ in range(6):
            request = urllib.request.Request(server.base + "/result", data=answers,
                                             method="POST")
            with urllib.request.urlopen(request, timeout=20) as response:
                assert "Emergency (copied rules)" in response.read().decode()
        refused = urllib.request.Request(server.base + "/", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as wrong_host:
            urllib.request.urlopen(refused, timeout=20)
        assert wrong_host.value.code == 400
