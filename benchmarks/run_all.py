"""Run every benchmark (benchmarks/bench_*.py) and merge their results into docs/benchmarks.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"


def merge() -> None:
    parts = sorted((DOCS / "benchmarks").glob("*.md"))
    head = (
        "# Benchmarks\n\nSpeed and memory targets are measured here, not in timed tests. Each section "
        "was produced by the script named in it (`make bench` reruns them all) and states the machine, "
        "medians of repeated runs and ratios against a baseline measured in the same run.\n\n"
    )
    body = "\n\n".join(
        p.read_text().replace("\n# ", "\n## ").replace("# ", "## ", 1) for p in parts
    )
    (DOCS / "benchmarks.md").write_text(head + body)


def main() -> int:
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        status |= subprocess.call([sys.executable, str(script)])
    merge()
    return status


if __name__ == "__main__":
    if sys.argv[1:] == ["--merge"]:
        merge()
    else:
        sys.exit(main())
