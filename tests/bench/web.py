"""The web benchmark: pages per second against a bare Starlette page, and a class of students.

    uv run python tests/bench/web.py [--students 30] [--walks 2] [--think 0.2]

Everything runs on 127.0.0.1 only and stops by itself: each server is a real `muscle-triage
serve` (or uvicorn serving tests/bench/web_bare.py) on a free loopback port, and every client loop
is bounded by a count of requests. It prints a table and, last, one JSON line with the figures.
Goals (issue 17): question pages at least 0.5x the bare page's rate, p99 <= 50 ms for 30
students, <= 100 MiB peak memory per worker. They are reported, never asserted: on a shared
machine the figures depend on the load (printed too). Not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.load.knowledge_base import load_knowledge_base
from engine.model import AnswerValue, KnowledgeBase
from questionnaire.web.forms import NONE_CHOSEN, hidden_fields
from tests.answer_paths import answer_path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
FORM = {"content-type": "application/x-www-form-urlencoded"}
GOALS = {"ratio_to_bare": 0.5, "p99_ms": 50.0, "peak_mib_per_worker": 100.0}
#: What the simulated students answer: a calm walk, a muscle change, a red flag first or late.
PROFILES: tuple[dict[str, AnswerValue], ...] = (
    {},
    {"muscles_smaller": "yes", "weaker": "yes", "onset": "over_months",
     "where_affected": ("hands",), "inactivity": ()},
    {"sudden_one_sided": "yes"},
    {"dark_urine_with_muscle_pain": "yes"},
    {"weaker": "yes", "onset": "over_weeks", "inactivity": ("cast",)},
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    port: int
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        """The processes serving requests: uvicorn's children with --workers > 1, else itself."""
        children = _children(self.process.pid)
        grandchildren = [pid for child in children for pid in _children(child)]
        serving = [pid for pid in children + grandchildren if _is_python(pid)]
        return serving or [self.process.pid]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            found += [int(x) for x in (task / "children").read_text().split()]
    return found


def _is_python(pid: int) -> bool:
    """A worker: a Python child that is not multiprocessing's resource tracker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False
    return "python" in command and "resource_tracker" not in command


def peak_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def server(command: list[str], port: int) -> Iterator[Running]:
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"server did not start: {' '.join(command)}")
        time.sleep(0.5)  # with workers, let every worker come up
        yield Running(port, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ours(workers: int) -> tuple[list[str], int]:
    port = _free_port()
    return [sys.executable, "-m", "questionnaire", "serve", "--port", str(port),
            "--workers", str(workers)], port


def bare() -> tuple[list[str], int]:
    port = _free_port()
    return [sys.executable, "-m", "uvicorn", "tests.bench.web_bare:app", "--host", HOST,
            "--port", str(port), "--no-server-header"], port


def _body(answers: dict[str, AnswerValue], question: str | None = None,
          reply: AnswerValue | None = None) -> str:
    pairs = [(f.name, f.value) for f in hidden_fields(answers)]
    if question is not None and reply is not None:
        pairs.append(("question", question))
        values = (reply,) if isinstance(reply, str) else reply
        pairs += [("reply", value) for value in values] or [("reply", NONE_CHOSEN)]
    return urlencode(pairs)


def mid_walk_page(kb: KnowledgeBase) -> str:
    """A typical question page: the 12th answer given, the 13th question asked next."""
    path = answer_path(kb, PROFILES[1])
    before = {q.id: v for q, v in path[:11]}
    question, value = path[11]
    return _body(before, question.id, value)


def rate(port: int, method: str, path: str, body: str, connections: int, each: int) -> float:
    """Requests per second over ``connections`` keep-alive connections, ``each`` requests each."""
    errors: list[int] = []

    def loop() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        for _ in range(each):
            connection.request(method, path, body=body or None, headers=FORM)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        connection.close()

    rate_loop(loop, 1)  # warm up: compile the engine and the templates in every worker
    start = time.perf_counter()
    rate_loop(loop, connections)
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. status {errors[0]}")
    return connections * each / elapsed


def rate_loop(loop: object, connections: int) -> None:
    threads = [threading.Thread(target=loop) for _ in range(connections)]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def students(kb: KnowledgeBase, port: int, count: int, walks: int, think: float,
             seed: int = 17) -> dict[str, list[float]]:
    """``count`` students at once, each walking the questionnaire ``walks`` times: latencies."""
    latencies: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    failures: list[str] = []

    def student(number: int) -> None:
        rng = random.Random(seed + number)
        connection = http.client.HTTPConnection(HOST, port, timeout=60)

        def page(kind: str, method: str, path: str, body: str = "") -> None:
            time.sleep(rng.uniform(0, 2 * think))  # reading and choosing
            start = time.perf_counter()
            connection.request(method, path, body=body or None, headers=FORM)
            response = connection.getresponse()
            response.read()
            took = (time.perf_counter() - start) * 1000
            with lock:
                latencies[kind].append(took)
                if response.status != 200:
                    failures.append(f"{kind} {response.status}")

        for _ in range(walks):
            profile = rng.choice(PROFILES)
            page("welcome", "GET", "/")
            page("question", "POST", "/question")
            answers: dict[str, AnswerValue] = {}
            emergency = False
            for question, value in answer_path(kb, profile):
                kind = "question"
                page(kind, "POST", "/question", _body(answers, question.id, value))
                answers[question.id] = value
                if question.raises_to == kb.levels[0].id and value == "yes":
                    emergency = True  # that page was the result
                    break
            if not emergency:
                page("result", "POST", "/result", _body(answers))
        connection.close()

    rate_loop(lambda: None, 1)
    threads = [threading.Thread(target=student, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} pages failed, e.g. {failures[0]}")
    return dict(latencies)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--walks", type=int, default=2, help="walks per student (default 2)")
    parser.add_argument("--think", type=float, default=0.2,
                        help="mean seconds a student takes per page (default 0.2: a fast class)")
    parser.add_argument("--connections", type=int, default=4,
                        help="connections for the pages-per-second runs (default 4)")
    parser.add_argument("--requests", type=int, default=300, help="per connection (default 300)")
    args = parser.parse_args()
    kb = load_knowledge_base()
    body = mid_walk_page(kb)
    figures: dict[str, object] = {"load_average": os.getloadavg()[0], "cpus": os.cpu_count()}

    command, port = bare()
    with server(command, port):
        bare_rate = rate(port, "POST", "/", body, args.connections, args.requests)
    rates: dict[int, float] = {}
    results: dict[int, dict[str, object]] = {}
    for workers in (1, 2):
        command, port = ours(workers)
        with server(command, port) as running:
            rates[workers] = rate(port, "POST", "/question", body, args.connections,
                                  args.requests)
            latencies = students(kb, port, args.students, args.walks, args.think)
            every = [ms for values in latencies.values() for ms in values]
            results[workers] = {
                "pages": len(every),
                "p50_ms": round(percentile(every, 0.50), 1),
                "p99_ms": round(percentile(every, 0.99), 1),
                "by_page": {kind: {"p50_ms": round(percentile(v, 0.5), 1),
                                   "p99_ms": round(percentile(v, 0.99), 1), "n": len(v)}
                            for kind, v in sorted(latencies.items())},
                "peak_mib_per_worker": round(max(peak_mib(p) for p in running.worker_pids()), 1),
                "workers_seen": len(running.worker_pids()),
            }
    figures.update({
        "bare_pages_per_s": round(bare_rate), "question_pages_per_s_1_worker": round(rates[1]),
        "ratio_to_bare": round(rates[1] / bare_rate, 2),
        "question_pages_per_s_2_workers": round(rates[2]),
        "speedup_2_workers": round(rates[2] / rates[1], 2),
        "students": args.students, "walks": args.walks, "think_s": args.think,
        "one_worker": results[1], "two_workers": results[2], "goals": GOALS,
    })
    print(f"load average {figures['load_average']:.2f} on {figures['cpus']} CPUs")
    print(f"bare Starlette page        {bare_rate:8.0f} pages/s (1 worker)")
    print(f"question page              {rates[1]:8.0f} pages/s (1 worker)  "
          f"{rates[1] / bare_rate:.2f}x the bare page (goal >= {GOALS['ratio_to_bare']})")
    print(f"question page, 2 workers   {rates[2]:8.0f} pages/s  "
          f"speed-up {rates[2] / rates[1]:.2f}x")
    for workers, result in results.items():
        print(f"{args.students} students x {args.walks} walks, {workers} worker(s): "
              f"{result['pages']} pages, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
              f"(goal <= {GOALS['p99_ms']}), peak {result['peak_mib_per_worker']} MiB a worker")
        for kind, stats in result["by_page"].items():  # type: ignore[attr-defined]
            print(f"    {kind:<9} n={stats['n']:<5} p50 {stats['p50_ms']:6.1f} ms  "
                  f"p99 {stats['p99_ms']:6.1f} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
