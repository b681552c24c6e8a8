"""Benchmarks (`make bench`): each `bench_*.py` module has `run() -> dict`; output is JSON."""
