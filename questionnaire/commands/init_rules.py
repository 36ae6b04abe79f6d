"""init-rules: copy the shipped knowledge base into a directory, to start one of your own."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from engine.load.paths import display_path, shipped_rules_dir
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.files import (
    WriteRefused,
    check_target,
    existing,
    shown,
    stops_held,
    write_private,
)

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
    """Copy the shipped knowledge base into ``target``; return the files written.

    All or nothing: the copy is made in a temporary directory beside ``target`` and moved in
    once complete, so a full disk, a refusal or a stop (Ctrl-C, SIGTERM, SIGHUP, all held for
    the copy's few milliseconds) leaves no partial copy.
    """
    import shutil
    import tempfile

    found = existing(target)
    if found is not None and not stat.S_ISDIR(os.stat(target).st_mode):
        raise WriteRefused(f"{shown(target)} exists and is not a directory")
    if found is not None and _listing(target) and not force:
        raise WriteRefused(f"{shown(target)} is not empty; choose a new directory, or use "
                           "--force to copy into it (files of the same name are replaced)")
    parent = target.parent if str(target.parent) else Path(".")
    root = shipped_rules_dir()
    with stops_held():
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp",
                                            dir=parent))
        except OSError as exc:
            raise WriteRefused(f"cannot create {shown(target)}: {exc.strerror or exc}") from None
        try:
            for relative in shipped_files():
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                write_private(staging / relative, (root / relative).read_bytes())
            return _move_in(staging, target, force)
        except OSError as exc:
            raise WriteRefused(f"cannot create {shown(target)}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _listing(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError as exc:
        raise WriteRefused(f"cannot read {shown(directory)}: {exc.strerror or exc}") from None


def _move_in(staging: Path, target: Path, force: bool) -> list[Path]:
    """Put the finished copy in place: the whole directory when ``target`` is new, else file by
    file (renames within one file system, which need no space and cannot be half done)."""
    files = shipped_files()
    if existing(target) is None:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)  # as mkdir would have made it, not mkdtemp's 0700
        os.rename(staging, target)  # fails if something took the name meanwhile
        return [target / relative for relative in files]
    for relative in files:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        destination = target / relative
        if force:
            check_target(destination, force)  # never over a device, FIFO, link or directory
            os.replace(staging / relative, destination)
        else:
            os.link(staging / relative, destination)  # the directory was empty: nothing to lose
    return [target / relative for relative in files]


def run(args: argparse.Namespace, env: Environment) -> int:
    written = copy_knowledge_base(args.dir, force=args.force)
    where = shown(display_path(args.dir))
    env.error(f"copied the shipped knowledge base ({len(written)} files) into {where}")
    print(f"next: edit the files in {where}, then run 'muscle-triage check --rules {where}'",
          file=env.stderr)
    return Exit.OK
