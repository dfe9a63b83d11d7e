"""What every benchmark shares: the machine and commit it ran on, tables, percentiles, and its
own section of docs/benchmarks.md (between `<!-- bench:NAME -->` markers, so re-running one
script replaces only its section)."""

from __future__ import annotations

import datetime
import math
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REPORT = DOCS / "benchmarks.md"

HEADER = """# Benchmarks

Each section below is written by its script under `bench/` (install with
`.venv/bin/pip install -e '.[test,bench]'`, then run the command the section names); re-running
a script replaces only its own section. Absolute numbers depend on the machine and on what else
runs on it; every ratio compares two things measured in the same run, on the same machine.
"""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def machine() -> str:
    memory = memory_gib()
    parts = [
        cpu_model(),
        f"{os.cpu_count()} cores",
        f"{memory:.1f} GiB RAM" if memory is not None else "memory unknown",
        f"Python {platform.python_version()}",
        f"{platform.system()} {platform.release()}",
    ]
    return ", ".join(parts)


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # Uncommitted changes to the measured code make the commit alone an incomplete description.
    dirty = git("status", "--porcelain", "--", "bot", "faq", "handlers", "bench")
    return f"{commit} (with uncommitted changes)" if dirty else commit


def command_line() -> str:
    return "python " + shlex.join(sys.orig_argv[1:])


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (it reads fine on a terminal too)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def replace_section(document: str, name: str, section: str) -> str:
    """`document` with bench `name`'s section replaced by `section` (appended when missing)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{section.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _: block, document, count=1)
    return document.rstrip() + "\n\n" + block + "\n"


def write_section(name: str, title: str, body: str, *, report: Path = REPORT) -> None:
    """Write this run's section, headed by when, where and how it was measured."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            f"## {title}",
            "",
            f"- command: `{command_line()}`",
            f"- commit: {git_commit()}, measured {when}",
            f"- machine: {machine()}",
            "",
            body.strip(),
        ]
    )
    document = report.read_text() if report.exists() else HEADER
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(replace_section(document, name, section))
    print(f"wrote the {name!r} section of {report}")


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"
