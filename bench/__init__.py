"""The benchmark: synthetic data (generate.py) and the load-test harness (run.py)."""
