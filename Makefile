.PHONY: run test bench bench-quick reliability translations

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

# Every tier, then publish the live tier's figures in docs/RELIABILITY.md.
reliability:
	OMNITRON_WRITE_RELIABILITY=1 bin/test

# Regenerate i18n/*.pot from the code and merge it into the translations.
translations:
	tools/update_translations.sh
