# Two commands on a fresh machine: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-requirements

.PHONY: run test bench loadtest data geocode clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py

test: $(STAMP) node_modules/axe-core/axe.min.js
	$(PY) -m pytest

# axe-core for the accessibility tests (tests/test_browser_a11y.py), the exact version of
# package-lock.json, from the npm registry; tests never download it.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Timings (machine-dependent, so not in the tests): map, nearest-centre query, coverage measures, what-if and MCLP/p-median.
bench: $(STAMP)
	$(PY) bench/bench_map.py
	$(PY) bench/bench_nearest.py
	$(PY) bench/bench_coverage.py
	$(PY) bench/bench_allocation.py

# 20 concurrent browser sessions against a real server (needs /usr/bin/chromium); fails on any error.
loadtest: $(STAMP)
	$(PY) bench/loadtest.py

# Rebuild data/ from ../shared/reference (areas, settlements, streets, demand points).
data: $(STAMP)
	$(PY) scripts/build_reference.py

# Refresh the geocoding cache from Nominatim (needs a network; respects 1 request/s).
geocode: $(STAMP)
	$(PY) -m geo geocode refresh

clean:
	rm -rf $(VENV) .pytest_cache
