"""``make bench``: run every benchmark, collect its rows, print one table.

Each benchmark runs in its own process (``--json``) one after the other, so that none
measures another's leftovers; its rows (figure, baseline from the same run, ratio, CPU,
load average) are collected and printed together with the machine and the load.

    python benchmarks/run.py [--quick] [--only certificates,load] [--save FILE]

``--quick``: certificates at N=30 and 300 only, load runs of 5 s (for a loaded machine,
while working). The full run takes a while (N=1000 certificates, 20 s per page).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import HEADER, format_row, load, machine

HERE = Path(__file__).resolve().parent


def commands(quick: bool) -> dict[str, list[str]]:
    return {
        "certificates": ["certificates.py", "--sizes", "30,300" if quick else "30,300,1000",
                         "--repeat", "3", "--large-repeat", "1"],
        "load": ["load.py", "--duration", "5" if quick else "20"],
        "pages": ["profile_pages.py", "--requests", "100" if quick else "300"],
        "modules": ["modules.py", "--repeat", "3"],
        "matrix": ["attendance_matrix.py"],
        "scheduling": ["scheduling.py"],
        "enrolment": ["enrolment.py"],
        "dashboard": ["programme_dashboard.py", "--load", "5" if quick else "10"],
        "catalogue": ["catalogue.py"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--save", default="")
    args = parser.parse_args()
    chosen = commands(args.quick)
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k in args.only.split(",")}
    info = machine()
    started, load_before = time.time(), load()
    rows, failed = [], []
    for name, command in chosen.items():
        print(f"running {name} ... (load {load():.2f})", file=sys.stderr, flush=True)
        result = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:], "--json"],
                                cwd=str(HERE.parent), capture_output=True, text=True,
                                env={**os.environ, "BENCH_JSON": "1"})
        found = [json.loads(line[6:]) for line in result.stdout.splitlines()
                 if line.startswith("BENCH ")]
        rows += found
        for line in result.stdout.splitlines():
            if not line.startswith("BENCH ") and line.strip():
                print(f"  {name}: {line}", file=sys.stderr)
        if result.returncode or not found:
            failed.append(name)
            print(result.stderr[-3000:], file=sys.stderr)
    print(f"Anyam benchmarks: {info['nproc']} cores, {info['cpu']}, Python {info['python']}; "
          f"load average {load_before:.2f} at the start, {load():.2f} at the end; "
          f"{(time.time() - started) / 60:.1f} min")
    print(HEADER)
    for row in rows:
        print(format_row(row))
    print("value/baseline: median wall figures and their ratio (baseline run in the same process "
          "tree, interleaved); cpu: CPU of the process and its children; load: 1-minute load "
          "average at the time of the figure.")
    if args.save:
        Path(args.save).write_text(json.dumps({"machine": info, "load_start": load_before,
                                               "load_end": load(), "rows": rows}, indent=1,
                                              ensure_ascii=False))
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
