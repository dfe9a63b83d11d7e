"""The FAQ index at 100, 10,000 and 100,000 entries made from public intent datasets' questions:
build time, memory and query latency, built the way the bot builds it (a FAQ file read by
`FaqRepository`).

    python -m bench.index DATASETS_FOLDER [--sizes 100,10000,100000] [--queries 1000] [--profile]

DATASETS_FOLDER holds banking77/{train,test}.csv and clinc150/data_full.json (see its README);
the data is read from there and never copied into the repository.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import pstats
import random
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from bench.report import DOCS, percentile, ratio, table, write_section
from bot.runtime.settings import Settings
from faq.index import FaqIndex
from faq.loaders import MAX_FILE_BYTES, load_faq
from faq.repository import FaqRepository

PLOT = DOCS / "bench-index.png"
TOP_K: int = Settings.model_fields["SEARCH_TOP_K"].default
TARGET_BUILD_S = 5.0  # issue 12
TARGET_P99_MS = 10.0


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str


@dataclass(frozen=True)
class Corpus:
    entries: list[tuple[str, str]]  # (question, answer), distinct questions
    singles: int  # how many are one dataset text; the rest join two
    queries: list[str]


@dataclass(frozen=True)
class Result:
    size: int
    load_s: float
    build_s: float
    build_cpu_s: float
    peak_mib: float
    retained_mib: float
    latencies_ms: list[float]

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def read_banking(path: Path) -> list[Labelled]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [Labelled(row["text"], row["category"]) for row in csv.DictReader(handle)]


def read_datasets(folder: Path) -> tuple[list[Labelled], list[Labelled]]:
    """(texts for entries: train/validation splits, texts for queries: test splits)."""
    clinc = json.loads((folder / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def pairs(*keys: str) -> list[Labelled]:
        return [Labelled(text, label) for key in keys for text, label in clinc[key]]

    entries = read_banking(folder / "banking77" / "train.csv") + pairs(
        "train", "val", "oos_train", "oos_val"
    )
    queries = read_banking(folder / "banking77" / "test.csv") + pairs("test", "oos_test")
    return entries, queries


def answer_for(intent: str) -> str:
    topic = intent.replace("_", " ")
    return f"Here is how {topic} works for your account; see the help centre article on {topic}."


def build_corpus(folder: Path, size: int, queries: int) -> Corpus:
    """`size` entries with distinct questions: every distinct dataset text once (shuffled with a
    fixed seed), then, if more are needed, pairs of texts joined into one question."""
    texts, tests = read_datasets(folder)
    seen: dict[str, Labelled] = {}
    for item in texts:
        seen.setdefault(item.text.strip(), item)
    singles = list(seen.values())
    random.Random(0).shuffle(singles)
    entries = [(item.text.strip(), answer_for(item.intent)) for item in singles[:size]]
    questions = {question for question, _ in entries}
    n = len(singles)
    step = 1
    while len(entries) < size:
        for i in range(n):
            if len(entries) >= size:
                break
            first, second = singles[i], singles[(i * 7919 + step) % n]
            question = f"{first.text.strip()} Also, {second.text.strip()}"
            if first is second or question in questions:
                continue
            questions.add(question)
            answer = f"{answer_for(first.intent)} {answer_for(second.intent)}"
            entries.append((question, answer))
        step += 1
    picked = random.Random(1).sample(tests, min(queries, len(tests)))
    return Corpus(entries, min(size, n), [item.text for item in picked])


# Entries per CSV file: a FAQ file is capped (faq.loaders.MAX_FILE_BYTES), so a large FAQ is a
# folder of files, as an admin would split it.
ENTRIES_PER_FILE = 25_000


def write_csv(entries: list[tuple[str, str]], folder: Path) -> None:
    for start in range(0, len(entries), ENTRIES_PER_FILE):
        path = folder / f"faq-{start // ENTRIES_PER_FILE:02d}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "question", "answer"])
            for n, (question, answer) in enumerate(
                entries[start : start + ENTRIES_PER_FILE], start=start + 1
            ):
                writer.writerow([f"e{n:06d}", question, answer])


def measure(corpus: Corpus, size: int, profile: bool) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "faq"
        path.mkdir()
        write_csv(corpus.entries, path)
        gc.collect()
        start = time.perf_counter()
        entries = load_faq(path)
        load_s = time.perf_counter() - start
        gc.collect()
        profiler = cProfile.Profile() if profile else None
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        repository = FaqRepository(path)  # what the bot does at start and on reload
        if profiler:
            profiler.disable()
        build_s, build_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    index = repository.index
    assert len(index) == size, f"{len(index)} entries indexed, {size} expected"
    # Memory in a second build of the index alone, traced (tracing slows it: not timed).
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    traced = FaqIndex(entries)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    for query in corpus.queries[:20]:  # warm-up
        index.search(query, TOP_K)
    latencies = []
    if profiler:
        profiler.enable()
    for query in corpus.queries:
        start = time.perf_counter()
        index.search(query, TOP_K)
        latencies.append((time.perf_counter() - start) * 1000)
    if profiler:
        profiler.disable()
        print(f"--- profile at {size} entries: build, then {len(corpus.queries)} queries")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    return Result(
        size,
        load_s,
        build_s,
        build_cpu_s,
        (peak - before) / 2**20,
        (current - before) / 2**20,
        latencies,
    )


def report(results: list[Result], corpus: Corpus, queries: int) -> str:
    smallest = results[0]
    rows = [
        [
            f"{r.size:,}",
            f"{r.build_s:.2f}",
            f"{r.build_cpu_s:.2f}",
            f"{r.load_s:.2f}",
            f"{r.peak_mib:.1f}",
            f"{r.retained_mib:.1f}",
            f"{r.p(50):.2f}",
            f"{r.p(99):.2f}",
            ratio(r.p(50), smallest.p(50)),
        ]
        for r in results
    ]
    headers = [
        "entries",
        "build s (FaqRepository)",
        "build CPU s",
        "of which CSV load s",
        "index peak MiB",
        "index retained MiB",
        "query p50 ms",
        "query p99 ms",
        f"p50 vs {smallest.size:,}",
    ]
    result = table(headers, rows)
    print(result)
    largest = results[-1]
    verdict = (
        f"At {largest.size:,} entries: build {largest.build_s:.1f} s "
        f"({largest.build_cpu_s:.1f} s of CPU; "
        f"{'meets' if largest.build_s <= TARGET_BUILD_S else 'misses'} the "
        f"{TARGET_BUILD_S:.0f} s target), query p99 {largest.p(99):.1f} ms "
        f"({'meets' if largest.p(99) <= TARGET_P99_MS else 'misses'} the "
        f"{TARGET_P99_MS:.0f} ms target)."
    )
    print(verdict)
    pairs = len(corpus.entries) - corpus.singles
    return f"""`FaqIndex` built the way the bot builds it, lexical (no sentence encoder): a FAQ
folder (CSV files of {ENTRIES_PER_FILE:,} entries, `id,question,answer`, in a temporary folder:
one FAQ file is capped at {MAX_FILE_BYTES:,} bytes) read by `FaqRepository`, which validates it,
indexes it and hashes its content. Entries come from the public datasets' training and
validation texts (Banking77 `train.csv`, CLINC150 `train`, `val`, `oos_train`, `oos_val`): each
distinct text is a question, its answer a sentence naming its intent. They hold
{corpus.singles:,} distinct texts, so
{"the largest size adds" if pairs else "no size needs"} {pairs:,} entries made by joining two texts
("TEXT Also, OTHER TEXT", chosen deterministically){"" if pairs else " (none needed)"}. Queries are
{queries:,} texts sampled (fixed seed) from the test splits (Banking77 `test.csv`, CLINC150 `test`
and `oos_test`), searched with `FaqIndex.search(text, k={TOP_K})` (`SEARCH_TOP_K`'s default) after
20 warm-up queries. "build s" is the wall time of `FaqRepository(path)` and "build CPU s" the CPU
time it took (steadier when other jobs share the machine); "of which CSV load s" is `load_faq`
alone, timed separately. Memory is measured with `tracemalloc` (Python and NumPy
allocations) during a second, untimed build of `FaqIndex(entries)` alone: the peak while building
and what the finished index keeps ("retained").

{result}

{verdict}

![index cost against FAQ size](bench-index.png)
"""


def plot(results: list[Result]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r.size for r in results]
    fig, (build, query) = plt.subplots(1, 2, figsize=(10, 4))
    build.plot(sizes, [r.build_s for r in results], "o-", label="build (FaqRepository)")
    build.axhline(TARGET_BUILD_S, color="grey", linestyle=":", label="target")
    build.set_ylabel("seconds")
    build.set_title("build time")
    query.plot(sizes, [r.p(50) for r in results], "o-", label="p50")
    query.plot(sizes, [r.p(99) for r in results], "s--", label="p99")
    query.axhline(TARGET_P99_MS, color="grey", linestyle=":", label="p99 target")
    query.set_ylabel("milliseconds")
    query.set_title(f"query latency (k={TOP_K})")
    for ax in (build, query):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("FAQ entries")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, help="folder with banking77/ and clinc150/")
    parser.add_argument("--sizes", default="100,10000,100000", help="comma-separated")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    corpus = build_corpus(args.datasets, sizes[-1], args.queries)
    results = []
    for size in sizes:
        sample = Corpus(corpus.entries[:size], min(size, corpus.singles), corpus.queries)
        result = measure(sample, size, profile=args.profile and size == sizes[-1])
        print(
            f"{size:>7} entries: build {result.build_s:.2f} s, peak {result.peak_mib:.0f} MiB, "
            f"query p50 {result.p(50):.2f} ms p99 {result.p(99):.2f} ms"
        )
        results.append(result)
    if args.profile:
        return  # profiled timings are inflated: not written down
    DOCS.mkdir(exist_ok=True)
    plot(results)
    write_section(
        "index",
        "FAQ index: cost against size (`python -m bench.index /path/to/datasets`)",
        report(results, corpus, args.queries),
    )


if __name__ == "__main__":
    main()
