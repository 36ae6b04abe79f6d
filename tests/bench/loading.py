"""Side by side: the loader's hand-written fast paths against the libraries they stand in for.

Run it with::

    uv run python tests/bench/loading.py            # add --fastjsonschema DIR to compare that too

Each variant runs in a fresh process (imports are part of what a start pays), alternating with
the others so a busy machine slows all alike, and the median of the runs is printed. Every
variant reads or checks the files the questionnaire loads before its first question (levels,
sources, questions, reading and the rule files of the shipped knowledge base).

YAML, all producing the same line-marked data:
  strict-python   PyYAML's pure-Python scanner, parser and composer (engine/load/yaml_reader.py's
                  strict loader, the path that words every error)
  compose-c       ``yaml.compose`` with libyaml (C) and the strict loader's resolvers, then
                  the line-marked data built from that tree: what parse_yaml does
Schemas, each answering "is every file valid?":
  quickschema     engine/load/quickschema.py
  jsonschema      jsonschema's Draft7Validator (import, build, is_valid)
  fastjsonschema  fastjsonschema.compile on the same schemas (only with --fastjsonschema)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The files read before the first question, as (schema kind, path), and their texts.
FILES = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
shipped = Path({root!r}) / "rules"
files = [(kind, shipped / f"{{kind}}.yaml") for kind in ("levels", "sources", "questions",
                                                           "reading")]
files += [("rules", path) for path in sorted(shipped.glob("*.rules.yaml"))]
texts = [(kind, path.read_text(encoding="utf-8")) for kind, path in files]
"""

YAML_VARIANTS = {
    "strict-python": """
start = time.perf_counter()
import yaml
from engine.load.yaml_reader import _StrictLoader
for kind, text in texts:
    yaml.load(text, Loader=_StrictLoader)
""",
    "compose-c": """
start = time.perf_counter()
from engine.load.yaml_reader import parse_yaml
for kind, text in texts:
    parse_yaml(text, kind)
""",
}

#: Schema variants start their clock once the files are parsed (YAML is imported by then).
PARSED = """
from engine.load.yaml_reader import parse_yaml
docs = [(kind, parse_yaml(text, kind)) for kind, text in texts]
start = time.perf_counter()
"""

SCHEMA_VARIANTS = {
    "quickschema": """
from engine.load.quickschema import is_valid
assert all(is_valid(kind, doc) for kind, doc in docs)
""",
    "jsonschema": """
from engine.load.schemas import validator
assert all(validator(kind).is_valid(doc) for kind, doc in docs)
""",
    "fastjsonschema": """
import json
import fastjsonschema
schemas = {{path.name: json.loads(path.read_text())
           for path in (shipped / "schemas").glob("*.json")}}
handlers = {{"": lambda uri: schemas[uri.rsplit("/", 1)[-1]]}}
for kind, doc in docs:
    check = fastjsonschema.compile(schemas[f"{{kind}}.schema.json"], handlers=handlers)
    check(doc)
""",
}

END = """
print((time.perf_counter() - start) * 1000)
"""


def _once(code: str, extra_path: str | None) -> float:
    environ = dict(os.environ)
    if extra_path:
        environ["PYTHONPATH"] = extra_path
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return float(done.stdout)


def measure(variants: dict[str, str], prefix: str, runs: int,
            extra_path: str | None) -> dict[str, float]:
    """Median ms per variant, the variants alternating run by run."""
    codes = {name: FILES.format(root=str(ROOT)) + prefix + body.format() + END
             for name, body in variants.items()}
    times: dict[str, list[float]] = {name: [] for name in codes}
    for code in codes.values():  # warm the bytecode cache
        _once(code, extra_path)
    for _ in range(runs):
        for name, code in codes.items():
            times[name].append(_once(code, extra_path))
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fastjsonschema", metavar="DIR",
                        help="a site-packages directory holding fastjsonschema")
    args = parser.parse_args(argv)
    schema_variants = dict(SCHEMA_VARIANTS)
    if not args.fastjsonschema:
        del schema_variants["fastjsonschema"]
    print(f"load average {os.getloadavg()[0]:.1f}; median of {args.runs} fresh processes")
    for title, figures in (
            ("YAML: parse the files", measure(YAML_VARIANTS, "", args.runs, None)),
            ("schemas: import and check", measure(schema_variants, PARSED, args.runs,
                                                  args.fastjsonschema))):
        print(title)
        for name, value in figures.items():
            print(f"  {name:<16}{value:>8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
