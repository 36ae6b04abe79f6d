"""The web benchmark: pages per second against a bare Starlette page, and a class of students.

    uv run python tests/bench/web.py [--students 30] [--walks 2] [--think 0.2]
                                     [--connections 4] [--requests 150] [--rounds 5]

Everything runs on 127.0.0.1 only and stops by itself: each server is a real `muscle-triage
serve` (or uvicorn serving tests/bench/web_bare.py) on a free loopback port, and every client loop
is bounded by a count of requests. It prints a table and, last, one JSON line with the figures.
For each kind of page (welcome; the 12th and the 35th question of a walk, see walk_page; every
question page of the simulated walks in turn, see whole_walks; a whole walk's result) it gives
pages per second and the server's CPU milliseconds per page, each against the bare page. The
bare page and ours are measured in turn, round after round, and each ratio is the median of the
rounds' ratios, with their range: on a shared machine one round of either can be a third off.
Then the class of students, once reading (``--think``) and once flat out (no pause: the class's
throughput, whose ratio between 2 workers and 1 is the speed-up), on 1 and 2 workers.
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
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.load.knowledge_base import load_knowledge_base
from engine.model import AnswerValue, KnowledgeBase
from questionnaire.flow import Questionnaire
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
        # uvicorn says so before it binds the socket when it binds it itself (one worker)
        for attempt in range(100):
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=10).read()
                break
            except OSError:
                if attempt == 99 or process.poll() is not None:
                    raise SystemExit(f"server does not answer: {' '.join(command)}") from None
                time.sleep(0.05)
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

    The 12th (``mid_walk_page``) comes among the warning signs, before any is reported. The
    35th (``LATE``) comes after the muscle change is reported, with a longer replay and more
    answers carried. Neither could fire a rule that reaches the emergency level, so neither runs
    rules (questionnaire/web/forms.py steer_by); a page that could, runs them.
    """
    path = answer_path(kb, PROFILES[1])
    before = {q.id: v for q, v in path[:number - 1]}
    question, value = path[number - 1]
    return _body(before, question.id, value)


#: The answer posted on the late question page (see walk_page).
LATE = 35


def whole_walks(kb: KnowledgeBase) -> list[str]:
    """Every question page of the simulated walks (PROFILES), in order, each walk up to where
    the questionnaire stops it: what a class posts, early, late and red-flag pages alike."""
    bodies: list[str] = []
    for profile in PROFILES:
        run = Questionnaire(kb)
        for question, value in answer_path(kb, profile):
            current = run.current()
            if current is None:
                break
            assert current.id == question.id, (current.id, question.id)
            bodies.append(_body(dict(run.answers), question.id, value))
            run.answer(value)
    return bodies


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


def rate(running: Running, method: str, path: str, bodies: list[str], connections: int,
         each: int, warm: bool = True) -> tuple[float, float]:
    """Requests per second over ``connections`` keep-alive connections, ``each`` requests each,
    and the serving processes' CPU milliseconds per request over the same requests. Each
    connection posts ``bodies`` in turn, starting at its own place among them.

    The second figure is what a page costs the server, whatever else the machine is doing: on
    a shared machine the rate falls when other programs take the CPUs, the CPU per page much
    less. Pages per second on a worker with a CPU to itself is 1000 / that figure.
    """
    errors: list[int] = []

    def loop(offset: int) -> None:
        connection = http.client.HTTPConnection(HOST, running.port, timeout=60)
        for number in range(each):
            body = bodies[(offset + number) % len(bodies)]
            connection.request(method, path, body=body or None, headers=FORM)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        connection.close()

    if warm:
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


def rate_loop(loop: Callable[[int], None], connections: int) -> None:
    """``loop(offset)`` on each of ``connections`` threads at once, offsets spread apart."""
    threads = [threading.Thread(target=loop, args=(number * 7,)) for number in range(connections)]
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


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--walks", type=int, default=2, help="walks per student (default 2)")
    parser.add_argument("--think", type=float, default=0.2,
                        help="mean seconds a student takes per page (default 0.2: a fast class)")
    parser.add_argument("--connections", type=int, default=4,
                        help="connections for the pages-per-second runs (default 4)")
    parser.add_argument("--requests", type=int, default=150,
                        help="per connection and round (default 150; a tenth for results)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of bare page and ours in turn (default 5)")
    args = parser.parse_args()
    kb = load_knowledge_base()
    question_body = mid_walk_page(kb)
    walks = whole_walks(kb)
    pages: dict[str, tuple[str, str, list[str], int]] = {
        "welcome": ("GET", "/", [""], args.requests),
        "question (12th)": ("POST", "/question", [question_body], args.requests),
        f"question ({LATE}th)": ("POST", "/question", [walk_page(kb, LATE)], args.requests),
        f"question, whole walks ({len(walks)})": ("POST", "/question", walks, args.requests),
        "result": ("POST", "/result", [result_page(kb)], max(10, args.requests // 10)),
    }
    figures: dict[str, object] = {"load_average_start": os.getloadavg()[0],
                                  "cpus": os.cpu_count(), "students": args.students,
                                  "walks": args.walks, "connections": args.connections,
                                  "requests_per_connection": args.requests,
                                  "rounds": args.rounds}

    # The bare page and ours in turn, round after round, both servers up: a change in the
    # machine's speed then falls on both sides of a ratio alike.
    rounds: list[dict[str, tuple[float, float]]] = []
    with server(*bare()) as bare_server, server(*ours(1)) as one_worker:
        rate(bare_server, "POST", "/", [question_body], args.connections, args.requests)
        for method, path, bodies, each in pages.values():
            rate(one_worker, method, path, bodies, args.connections, each)
        for _ in range(args.rounds):
            row = {"bare": rate(bare_server, "POST", "/", [question_body], args.connections,
                                args.requests, warm=False)}
            for kind, (method, path, bodies, each) in pages.items():
                row[kind] = rate(one_worker, method, path, bodies, args.connections, each,
                                 warm=False)
            rounds.append(row)
        one_rate = _median([row["question (12th)"][0] for row in rounds])
    one: dict[str, dict[str, object]] = {}
    for kind in pages:
        ratios = [row[kind][0] / row["bare"][0] for row in rounds]
        cpu_ratios = [row["bare"][1] / row[kind][1] for row in rounds]
        one[kind] = {"pages_per_s": round(_median([row[kind][0] for row in rounds])),
                     "cpu_ms": round(_median([row[kind][1] for row in rounds]), 2),
                     "ratio_to_bare": round(_median(ratios), 2),
                     "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
                     "cpu_ratio_to_bare": round(_median(cpu_ratios), 2)}
    bare_figures = {"pages_per_s": round(_median([row["bare"][0] for row in rounds])),
                    "cpu_ms": round(_median([row["bare"][1] for row in rounds]), 2)}

    classes: dict[int, dict[str, dict[str, object]]] = {}
    two: dict[str, float] = {}
    for workers in (1, 2):
        command, port = ours(workers)
        with server(command, port, workers) as running:
            if workers == 2:
                per_s, _ = rate(running, "POST", "/question", [question_body],
                                args.connections, args.requests)
                two = {"pages_per_s": round(per_s), "speedup": round(per_s / one_rate, 2)}
            classes[workers] = {"thinking": class_run(kb, running, args, args.think),
                                "flat_out": class_run(kb, running, args, 0.0)}
    figures.update({
        "bare": bare_figures, "one_worker": one, "two_workers_question": two,
        "class_speedup_2_workers": round(
            float(classes[2]["flat_out"]["pages_per_s"])  # type: ignore[arg-type]
            / float(classes[1]["flat_out"]["pages_per_s"]), 2),  # type: ignore[arg-type]
        "classes": classes, "load_average_end": os.getloadavg()[0], "goals": GOALS,
    })
    print(f"load average {figures['load_average_start']:.2f} at the start, "
          f"{figures['load_average_end']:.2f} at the end, on {figures['cpus']} CPUs; "
          f"medians of {args.rounds} rounds")
    print(f"{'page (1 worker)':<30} {'pages/s':>8} {'x bare':>7} {'(range)':>12} {'CPU ms':>7} "
          f"{'x bare':>7}")
    print(f"{'bare Starlette page':<30} {bare_figures['pages_per_s']:8} {'':>7} {'':>12} "
          f"{bare_figures['cpu_ms']:7.2f}")
    for kind, row in one.items():
        low, high = row["ratio_range"]  # type: ignore[misc]
        print(f"{kind:<30} {row['pages_per_s']:8} {row['ratio_to_bare']:7.2f} "
              f"{f'{low:.2f}-{high:.2f}':>12} {row['cpu_ms']:7.2f} {row['cpu_ratio_to_bare']:7.2f}")
    print(f"(goal: question pages >= {GOALS['ratio_to_bare']}x the bare page)")
    print(f"question page (12th), 2 workers {two['pages_per_s']:7.0f}   speed-up "
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


if __name__ == "__main__":
    main()
