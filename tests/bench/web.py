"""The web benchmark: pages per second against a bare Starlette page, and a class of students.

    uv run python tests/bench/web.py [--students 30] [--walks 2] [--think 0.2]
                                     [--connections 4] [--requests 300]

Everything runs on 127.0.0.1 only and stops by itself: each server is a real `muscle-triage
serve` (or uvicorn serving tests/bench/web_bare.py) on a free loopback port, and every client loop
is bounded by a count of requests. It prints a table and, last, one JSON line with the figures.
For each kind of page (welcome, a mid-walk question, a late question, a whole walk's result: see
walk_page) it gives pages per
second and the server's CPU milliseconds per page, each against the bare page; then the class
of students, once reading (``--think``) and once flat out (no pause: the class's throughput,
whose ratio between 2 workers and 1 is the speed-up), on 1 and 2 workers.
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
def server(command: list[str], port: int, workers: int = 1) -> Iterator[Running]:
    """The server, once every one of its ``workers`` has said its start-up is complete.

    A worker loads the knowledge base and compiles the rule network and the templates before
    it serves; timing while a second worker is still starting would charge its start-up to
    the pages. uvicorn says "Application startup complete" once a worker (on stderr, which a
    thread here reads to the end, so the server never blocks on it).
    """
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    started = threading.Semaphore(0)

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if "Application startup complete" in line:
                started.release()

    threading.Thread(target=drain, daemon=True).start()
    try:
        for _ in range(workers):
            if not started.acquire(timeout=120):
                raise SystemExit(f"server did not start: {' '.join(command)}")
        urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=10).read()
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


def walk_page(kb: KnowledgeBase, number: int) -> str:
    """A question page of the walk with a muscle change: answer ``number`` posted.

    The 12th (``mid_walk_page``) comes among the warning signs, before any is reported: no
    answer so far could end the walk, so the page runs no rules (questionnaire/web/forms.py
    steer_by). The 35th (``LATE``) comes after the muscle change is reported: the rules run.
    """
    path = answer_path(kb, PROFILES[1])
    before = {q.id: v for q, v in path[:number - 1]}
    question, value = path[number - 1]
    return _body(before, question.id, value)


#: The answer posted on the late question page (see walk_page).
LATE = 35


def mid_walk_page(kb: KnowledgeBase) -> str:
    """A typical question page: the 12th answer given, the 13th question asked next."""
    return walk_page(kb, 12)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (/proc/PID/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rate(running: Running, method: str, path: str, body: str, connections: int, each: int
         ) -> tuple[float, float]:
    """Requests per second over ``connections`` keep-alive connections, ``each`` requests each,
    and the serving processes' CPU milliseconds per request over the same requests.

    The second figure is what a page costs the server, whatever else the machine is doing: on
    a shared machine the rate falls when other programs take the CPUs, the CPU per page much
    less. Pages per second on a worker with a CPU to itself is 1000 / that figure.
    """
    errors: list[int] = []

    def loop() -> None:
        connection = http.client.HTTPConnection(HOST, running.port, timeout=60)
        for _ in range(each):
            connection.request(method, path, body=body or None, headers=FORM)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        connection.close()

    rate_loop(loop, connections)  # warm up every worker: the first pages of each are slower
    pids = running.worker_pids()
    used = cpu_seconds(pids)
    start = time.perf_counter()
    rate_loop(loop, connections)
    elapsed = time.perf_counter() - start
    used = cpu_seconds(pids) - used
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. status {errors[0]}")
    return connections * each / elapsed, used * 1000 / (connections * each)


def rate_loop(loop: object, connections: int) -> None:
    threads = [threading.Thread(target=loop) for _ in range(connections)]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def students(kb: KnowledgeBase, port: int, count: int, walks: int, think: float,
             seed: int = 17) -> tuple[dict[str, list[float]], float]:
    """``count`` students at once, each walking the questionnaire ``walks`` times: the
    latencies by kind of page, and the seconds from the first page to the last."""
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

    threads = [threading.Thread(target=student, args=(n,)) for n in range(count)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{len(failures)} pages failed, e.g. {failures[0]}")
    return dict(latencies), elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def result_page(kb: KnowledgeBase) -> str:
    """A typical result page: the whole muscle-change walk posted to /result."""
    return _body({q.id: v for q, v in answer_path(kb, PROFILES[1])})


def class_run(kb: KnowledgeBase, running: Running, args: argparse.Namespace, think: float
              ) -> dict[str, object]:
    """The simulated class on one server: latencies by page, pages per second, memory."""
    latencies, elapsed = students(kb, running.port, args.students, args.walks, think)
    every = [ms for values in latencies.values() for ms in values]
    return {
        "think_s": think, "pages": len(every), "seconds": round(elapsed, 2),
        "pages_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50), 1), "p99_ms": round(percentile(every, 0.99), 1),
        "by_page": {kind: {"p50_ms": round(percentile(v, 0.5), 1),
                           "p99_ms": round(percentile(v, 0.99), 1), "n": len(v)}
                    for kind, v in sorted(latencies.items())},
        "peak_mib_per_worker": round(max(peak_mib(p) for p in running.worker_pids()), 1),
        "workers_seen": len(running.worker_pids()),
    }


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
    question_body = mid_walk_page(kb)
    pages = {"welcome": ("GET", "/", ""), "question": ("POST", "/question", question_body),
             f"question {LATE}": ("POST", "/question", walk_page(kb, LATE)),
             "result": ("POST", "/result", result_page(kb))}
    figures: dict[str, object] = {"load_average_start": os.getloadavg()[0],
                                  "cpus": os.cpu_count(), "students": args.students,
                                  "walks": args.walks, "connections": args.connections,
                                  "requests_per_connection": args.requests}

    command, port = bare()
    with server(command, port) as running:
        bare_rate, bare_cpu = rate(running, "POST", "/", question_body, args.connections,
                                   args.requests)
    one: dict[str, dict[str, float]] = {}
    two: dict[str, float] = {}
    classes: dict[int, dict[str, dict[str, object]]] = {}
    for workers in (1, 2):
        command, port = ours(workers)
        with server(command, port, workers) as running:
            for kind, (method, path, body) in pages.items():
                if workers == 2 and kind != "question":
                    continue
                per_s, cpu_ms = rate(running, method, path, body, args.connections,
                                     args.requests)
                if workers == 1:
                    one[kind] = {"pages_per_s": round(per_s), "cpu_ms": round(cpu_ms, 2),
                                 "ratio_to_bare": round(per_s / bare_rate, 2),
                                 "cpu_ratio_to_bare": round(bare_cpu / cpu_ms, 2)}
                else:
                    two = {"pages_per_s": round(per_s), "speedup": round(per_s / rate_of(one),
                                                                          2)}
            classes[workers] = {"thinking": class_run(kb, running, args, args.think),
                                "flat_out": class_run(kb, running, args, 0.0)}
    figures.update({
        "bare": {"pages_per_s": round(bare_rate), "cpu_ms": round(bare_cpu, 2)},
        "one_worker": one, "two_workers_question": two,
        "class_speedup_2_workers": round(
            float(classes[2]["flat_out"]["pages_per_s"])  # type: ignore[arg-type]
            / float(classes[1]["flat_out"]["pages_per_s"]), 2),  # type: ignore[arg-type]
        "classes": classes, "load_average_end": os.getloadavg()[0], "goals": GOALS,
    })
    print(f"load average {figures['load_average_start']:.2f} at the start, "
          f"{figures['load_average_end']:.2f} at the end, on {figures['cpus']} CPUs")
    print(f"{'page (1 worker)':<30} {'pages/s':>8} {'x bare':>7} {'CPU ms':>7} {'x bare':>7}")
    print(f"{'bare Starlette page':<30} {bare_rate:8.0f} {'':>7} {bare_cpu:7.2f}")
    for kind, row in one.items():
        print(f"{kind:<30} {row['pages_per_s']:8.0f} {row['ratio_to_bare']:7.2f} "
              f"{row['cpu_ms']:7.2f} {row['cpu_ratio_to_bare']:7.2f}")
    print(f"(goal: question pages >= {GOALS['ratio_to_bare']}x the bare page)")
    print(f"question page, 2 workers       {two['pages_per_s']:8.0f}   speed-up "
          f"{two['speedup']:.2f}x")
    for workers, runs in classes.items():
        for name, run in runs.items():
            print(f"{args.students} students x {args.walks} walks, {workers} worker(s), "
                  f"{name} (think {run['think_s']} s): {run['pages']} pages in "
                  f"{run['seconds']} s = {run['pages_per_s']} pages/s, p50 {run['p50_ms']} ms, "
                  f"p99 {run['p99_ms']} ms (goal <= {GOALS['p99_ms']}), "
                  f"peak {run['peak_mib_per_worker']} MiB a worker")
            for kind, stats in run["by_page"].items():  # type: ignore[attr-defined]
                print(f"    {kind:<9} n={stats['n']:<5} p50 {stats['p50_ms']:6.1f} ms  "
                      f"p99 {stats['p99_ms']:6.1f} ms")
    print(f"class flat out, 2 workers against 1: speed-up {figures['class_speedup_2_workers']}x")
    print(json.dumps(figures))


def rate_of(one: dict[str, dict[str, float]]) -> float:
    return one["question"]["pages_per_s"]


if __name__ == "__main__":
    main()
