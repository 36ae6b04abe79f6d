"""init-rules: copy the shipped knowledge base into a directory, to start one of your own."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.load.paths import display_path, shipped_rules_dir
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.files import WriteRefused, write_private

DESCRIPTION = """\
Copy the knowledge base that ships with the tool (every YAML file: questions, rules, reading,
levels, sources and the scenarios that test them) and its JSON Schemas into DIR, as a starting
point for an educator's own. Edit the copy, then use it with --rules DIR. Each YAML file names
its schema, so an editor with YAML support checks your edits as you type.

DIR must be new or empty; with --force, files of the same name in it are replaced.

examples:
  muscle-triage init-rules my-rules/
  muscle-triage check --rules my-rules/
  muscle-triage assess --answers me.yaml --rules my-rules/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", type=Path, help="where to put the copy")
    parser.add_argument("--force", action="store_true",
                        help="copy into DIR even if it is not empty, replacing files of the same "
                             "name")


def shipped_files() -> list[Path]:
    """The files of the shipped knowledge base, relative to its directory, in a stable order."""
    root = shipped_rules_dir()
    found = sorted(root.glob("*.yaml")) + sorted((root / "schemas").glob("*.json"))
    return [path.relative_to(root) for path in found]


def copy_knowledge_base(target: Path, *, force: bool) -> list[Path]:
    """Copy the shipped knowledge base into ``target``; return the files written."""
    if target.exists() and not target.is_dir():
        raise WriteRefused(f"{target} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise WriteRefused(f"{target} is not empty; choose a new directory, or use --force to "
                           "copy into it (files of the same name are replaced)")
    root = shipped_rules_dir()
    written = []
    for relative in shipped_files():
        destination = target / relative
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteRefused(f"cannot create {destination.parent}: "
                               f"{exc.strerror or exc}") from None
        written.append(write_private(destination, (root / relative).read_bytes(), force=force))
    return written


def run(args: argparse.Namespace, env: Environment) -> int:
    written = copy_knowledge_base(args.dir, force=args.force)
    shown = display_path(args.dir)
    env.error(f"copied the shipped knowledge base ({len(written)} files) into {shown}")
    print(f"next: edit the files in {shown}, then run 'muscle-triage check --rules {shown}'",
          file=env.stderr)
    return Exit.OK
