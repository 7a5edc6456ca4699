.PHONY: run test bench bench-quick

run:
	bin/run

test:
	bin/test

# The benchmark: its own PostgreSQL and Odoo; prints a table, writes bench/results.json and bench/RESULTS.md.
bench:
	python3 bench/bench.py

# A smoke run with tiny counts (checks the benchmark works; its figures mean nothing).
bench-quick:
	python3 bench/bench.py --quick
