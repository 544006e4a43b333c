#!/usr/bin/env python3
"""Check that the lock files hold every dependency setup.cfg declares, in a version it allows.

    requirements.lock        install_requires + the extras postgres and jobs
    requirements-test.lock   all of those + the test extra

Run by `make test`, `make check-lock` and the test suite (tests/test_lock.py). When it fails:
`make lock` re-compiles the lock files from setup.cfg (keeping the other pins); commit them.
"""
from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {
    "requirements.lock": ("postgres", "jobs"),
    "requirements-test.lock": ("postgres", "jobs", "test"),
}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def declared(setup_cfg: Path) -> dict[str, list[Requirement]]:
    """Requirements by group: "install_requires" and one entry per extra."""
    config = configparser.ConfigParser()
    config.read(setup_cfg, encoding="utf-8")

    def parse(text: str) -> list[Requirement]:
        return [Requirement(line.strip()) for line in text.splitlines()
                if line.strip() and not line.strip().startswith("#")]

    groups = {"install_requires": parse(config.get("options", "install_requires", fallback=""))}
    if config.has_section("options.extras_require"):
        for extra, text in config.items("options.extras_require"):
            groups[extra] = parse(text)
    return groups


def pins(lock_text: str) -> dict[str, str]:
    """name -> version for every ``name==version`` line of a pip-compile output."""
    return {canonicalize_name(name): version for name, version in _PIN.findall(lock_text)}


def problems(root: Path = ROOT) -> list[str]:
    groups = declared(root / "setup.cfg")
    found: list[str] = []
    locked_by_file: dict[str, dict[str, str]] = {}
    for lock_name, extras in LOCKS.items():
        path = root / lock_name
        if not path.exists():
            found.append(f"{lock_name} is missing")
            continue
        locked = locked_by_file[lock_name] = pins(path.read_text(encoding="utf-8"))
        for group in ("install_requires", *extras):
            if group not in groups:
                found.append(f"setup.cfg has no extra {group!r}, which {lock_name} is built with")
                continue
            for requirement in groups[group]:
                name = canonicalize_name(requirement.name)
                where = f"{requirement} ({'setup.cfg ' + group})"
                if name not in locked:
                    found.append(f"{lock_name} lacks {where}")
                elif not requirement.specifier.contains(locked[name], prereleases=True):
                    found.append(f"{lock_name} pins {name}=={locked[name]}, outside {where}")
    runtime, test = locked_by_file.get("requirements.lock"), locked_by_file.get("requirements-test.lock")
    if runtime and test:
        for name in sorted(runtime.keys() & test.keys()):
            if runtime[name] != test[name]:
                found.append(f"{name} is {runtime[name]} in requirements.lock but {test[name]} "
                             "in requirements-test.lock")
    return found


def main() -> int:
    found = problems()
    if not found:
        print("Lock files hold every dependency setup.cfg declares.")
        return 0
    print("The lock files do not match setup.cfg:", file=sys.stderr)
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    print("Run `make lock` (re-compiles requirements.lock and requirements-test.lock from "
          "setup.cfg, keeping the other pins) and commit both files.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
