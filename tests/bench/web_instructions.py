"""Instructions a question page costs in-process, counted by valgrind's callgrind.

    uv run python tests/bench/web_instructions.py [--pages 200] [--kinds 12 35]

Timings on a shared 2-core machine move by a third from one minute to the next; an instruction
count does not move with the load, so a change of a few percent shows. For each kind of page
(the 12th or 35th answer of the walk in tests/bench/web.py walk_page) this file runs itself
under callgrind twice, serving no pages and then ``--pages`` of them, and prints the difference
per page: start-up and the first page cancel out. PYTHONHASHSEED is fixed so both runs hash
alike. A count is not a time (the HTTP side and the kernel are not in it: tests/bench/web.py
measures those), but a page that runs fewer instructions in-process is cheaper to serve.
Needs valgrind (Debian: ``apt-get install valgrind``); takes about a minute a kind. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def serve_pages(kind: int, pages: int) -> None:
    """The counted run: load, warm up with one page, then serve ``pages`` of this kind."""
    from engine.load.knowledge_base import load_knowledge_base
    from questionnaire.web.app import ServeSettings, create_app
    from tests.bench.web import walk_page
    from tests.bench.web_parts import asgi_call

    kb = load_knowledge_base()
    call = asgi_call(create_app(ServeSettings(), kb), "POST", "/question",
                     walk_page(kb, kind).encode())
    loop = asyncio.new_event_loop()
    for _ in range(pages + 1):
        loop.run_until_complete(call())


def counted(kind: int, pages: int) -> int:
    """Instructions callgrind counted for a whole run serving ``pages`` pages."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         __file__, "--worker", str(kind), str(pages)],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        serve_pages(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--kinds", type=int, nargs="+", default=[12, 35])
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    for kind in args.kinds:
        per_page = (counted(kind, args.pages) - counted(kind, 0)) / args.pages
        print(f"question page, answer {kind} posted: {per_page / 1e6:.2f} million instructions")


if __name__ == "__main__":
    main()
