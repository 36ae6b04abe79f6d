"""Where a web page's time goes: each kind of page and each part of it, in-process, no network.

    uv run python tests/bench/web_parts.py [--repeat 300] [--profile question|result]

Every figure is the median CPU time of ``--repeat`` calls (process time, so other programs on a
shared machine disturb it less than wall-clock time would). The pages are called as uvicorn
calls them (the ASGI app with a scope, a body and a send), so Starlette, the safety layer and
the templates are all in; only the socket and HTTP parsing are not, and those cost the bare page
and ours alike (tests/bench/web.py measures them). The parts are timed on their own: reading
the form, replaying the answers, an assessment of them (which the 12th page does not need:
questionnaire/web/forms.py steer_by), the rule network's run alone, and rendering the next page.
``--profile`` prints cProfile's top functions for one page (sorted by ``$SORT``, cumulative
unless set).
Not a test; the last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.load.knowledge_base import load_knowledge_base
from engine.run.answers import applicable
from engine.run.assess import network_for
from questionnaire.web.app import ServeSettings, create_app
from questionnaire.web.forms import ending_screens, form_pairs, read_reply, replay, steering
from tests.answer_paths import answer_path
from tests.bench import web_bare
from tests.bench.web import LATE, PROFILES, _body, mid_walk_page, walk_page


def asgi_call(app: Any, method: str, path: str, body: bytes) -> Callable[[], Awaitable[None]]:
    """One request to ``app`` as uvicorn makes it; fails loudly unless the answer is a 200."""
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/x-www-form-urlencoded"),
               (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000)}

    async def call() -> None:
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        status: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        if status != [200]:
            raise SystemExit(f"{method} {path} answered {status}")

    return call


def median_ms(work: Callable[[], object], repeat: int) -> float:
    """Median CPU milliseconds of ``work`` (after a few calls to warm it)."""
    for _ in range(5):
        work()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", choices=("question", "result"))
    args = parser.parse_args()
    kb = load_knowledge_base()
    app = create_app(ServeSettings(), kb)
    loop = asyncio.new_event_loop()
    question_body = mid_walk_page(kb)
    path = answer_path(kb, PROFILES[1])
    result_body = _body({q.id: v for q, v in path})

    def page(target: Any, method: str, where: str, body: str) -> Callable[[], object]:
        call = asgi_call(target, method, where, body.encode())
        return lambda: loop.run_until_complete(call())

    pages = {
        "bare page (tests/bench/web_bare.py)": page(web_bare.app, "POST", "/", question_body),
        "welcome": page(app, "GET", "/", ""),
        "question (12th answer posted)": page(app, "POST", "/question", question_body),
        f"question ({LATE}th answer posted)": page(app, "POST", "/question", walk_page(kb, LATE)),
        f"result ({len(path)} answers)": page(app, "POST", "/result", result_body),
    }
    if args.profile:
        work = pages["question (12th answer posted)" if args.profile == "question"
                     else f"result ({len(path)} answers)"]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            work()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)
        return

    pairs = form_pairs(question_body.encode())
    ending = ending_screens(kb)
    unsettled = replay(kb, pairs, ending, settled=False)
    question = unsettled.current()
    assert question is not None
    reply = read_reply(question, pairs)
    with_reply = {**unsettled.answers, question.id: reply}
    kept, _ = applicable(kb, with_reply)
    network = network_for(kb)
    site = app.state.site
    after = replay(kb, pairs, ending, settled=False)
    after.answer(reply)

    def render() -> object:
        from questionnaire.web.routes import _question_page

        return _question_page(site, after)

    parts = {
        "read the form fields (forms.form_pairs)": lambda: form_pairs(question_body.encode()),
        "replay the 11 answers so far": lambda: replay(kb, pairs, ending, settled=False),
        "assessing the 12 answers (no safety net)": lambda: steering(kb, with_reply),
        "  of which the rule network's run": lambda: network.run(kept),
        "what the 12th page steers by (no assessment)": lambda: after.assessor(kb, with_reply),
        "render the 13th question": render,
    }
    figures: dict[str, object] = {"load_average": os.getloadavg()[0], "cpus": os.cpu_count(),
                                  "repeat": args.repeat}
    print(f"load average {figures['load_average']:.2f} on {figures['cpus']} CPUs; "
          f"median CPU ms of {args.repeat} calls")
    for name, work in {**pages, **parts}.items():
        took = median_ms(work, args.repeat)
        figures[name] = round(took, 3)
        print(f"  {name:<48} {took:7.3f} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
