"""Benchmarks of the dashboard (`make bench` → `python -m bench.run`). Measurements only: never imported by the app."""
