"""The benchmark: `python -m bench.run --help`, or `make bench` for the full run."""
