"""Instructions per message in the core, this tree against an earlier commit, counted by
valgrind: a comparison that other work on the machine does not move.

    python -m bench.instructions [--base REV] [--messages 500]

CPU time per message on a shared VM moves by 10-15% from one run to the next (bench/core.py
reads a difference of a few percent as noise). Valgrind's callgrind counts the instructions the
process executes, which moved by under 1% between runs of the same code (timestamps, random
marks and the collector's timing differ), so a change of 2-3% shows. Each tree runs the
lexical core path of bench/core.py (`SEMANTIC_SEARCH=off`, one conversation at a time, golden
questions the bot answers, on the real Redis) twice under callgrind: once with `--messages`
messages after the warm-up and once without them. The difference, divided by the messages, is
what a message costs with the start-up (imports, the index, compiling patterns) taken out. The
base is checked out in a temporary git worktree and driven by this file's `drive`, which uses
only what bench/core.py has long offered. Hash randomisation is fixed (PYTHONHASHSEED=0).
Valgrind runs a process about 50 times slower: four runs take some 10 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

WARM_UP = 100
TITLE = "Core: instructions per message against a base commit (`python -m bench.instructions`)"


async def drive(messages: int, redis_url: str) -> None:
    """The lexical core path of bench/core.py: the warm-up, then `messages` more."""
    from bench.core import Driver, delete_keys, golden_questions, settings
    from bot.runtime.app import build_app

    prefix = f"faqbot-bench-{uuid.uuid4().hex[:10]}"
    app = build_app(settings(redis_url, prefix, SEMANTIC_SEARCH="off"))
    try:
        driver = Driver(app, "lexical")
        driver.run_id = "instructions"  # the same conversation keys in every run
        questions = await driver.answered_questions(golden_questions())
        await driver.run(questions, 1, WARM_UP)
        if messages:
            await driver.run(questions, 1, messages)
    finally:
        await app.close()
        await delete_keys(redis_url, prefix)


def counted(tree: Path, messages: int, redis_url: str) -> int:
    """Instructions a whole run of `drive` executes with `tree`'s code."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-P",  # not this file's folder on the path: the tree's own `bench` is imported
                __file__,
                "--drive",
                str(messages),
                "--redis-url",
                redis_url,
            ],
            env={**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"},
            cwd=tree,
            check=True,
            capture_output=True,
        )
        for line in out.read_text().splitlines():
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"callgrind wrote no total for {tree}")


def per_message(tree: Path, messages: int, redis_url: str) -> float:
    with_them = counted(tree, messages, redis_url)
    without = counted(tree, 0, redis_url)
    return (with_them - without) / messages


def measure(base: str, messages: int, redis_url: str) -> dict[str, float]:
    from bench.report import ROOT

    with tempfile.TemporaryDirectory() as folder:
        checkout = Path(folder) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(checkout), base],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            result = {}
            for label, tree in ((base, checkout), ("this tree", ROOT)):
                result[label] = per_message(tree, messages, redis_url)
                print(f"{label}: {result[label]:,.0f} instructions per message")
            return result
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(checkout)],
                cwd=ROOT,
                check=False,
                capture_output=True,
            )


def report(result: dict[str, float], base: str, messages: int) -> str:
    from bench.report import ratio, table

    baseline = result[base]
    rows = [[label, f"{count:,.0f}", ratio(count, baseline)] for label, count in result.items()]
    return f"""Instructions per message in the core, counted by valgrind's callgrind: the lexical
core path of `bench.core` (`SEMANTIC_SEARCH=off`, one conversation at a time, on the real
Redis), {messages} messages after a warm-up of {WARM_UP}, minus the same run without them, for
the commit named as the base (checked out in a temporary git worktree) and for this tree. The
count moves by under 1% from run to run where CPU time on a shared machine moves by 10-15%, so
it shows a change of a few percent; it says nothing of waiting on Redis, nor of what an
instruction costs on another CPU.

{table(["code", "instructions per message", "vs base"], rows)}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="commit to compare with (default HEAD)")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--drive", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive is not None:
        asyncio.run(drive(args.drive, args.redis_url))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind not found: install it (Debian/Ubuntu: apt-get install valgrind)")
    from bench.report import write_section

    body = report(measure(args.base, args.messages, args.redis_url), args.base, args.messages)
    write_section("instructions", TITLE, body)


if __name__ == "__main__":
    main()
