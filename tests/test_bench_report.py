"""The benchmarks' report: each script rewrites its own section of docs/benchmarks.md only."""

from __future__ import annotations

from pathlib import Path

from bench.report import write_section


def test_rerunning_a_benchmark_replaces_its_section_and_keeps_the_others(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    write_section("core", "Core", "| p50 | 1.0 |", report=report)
    write_section("index", "Index", "build 3 s", report=report)
    report.write_text(report.read_text() + "\nA note someone wrote by hand.\n")

    write_section("core", "Core", "| p50 | 2.0 |", report=report)

    text = report.read_text()
    assert text.startswith("# Benchmarks")
    assert "| p50 | 2.0 |" in text and "| p50 | 1.0 |" not in text
    assert text.count("<!-- bench:core -->") == 1 and text.count("<!-- /bench:core -->") == 1
    assert "build 3 s" in text and "A note someone wrote by hand." in text
    # Each section says where and how its numbers were measured.
    assert "- commit: " in text and "- machine: " in text and "cores" in text
