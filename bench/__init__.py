"""Benchmarks: plain scripts that measure, print a table and write their section of
docs/benchmarks.md. They never run in the test suite."""
