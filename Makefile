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
	$(PY) bench/bench_server.py
	$(PY) bench/bench_map.py
	$(PY) bench/bench_nearest.py
	$(PY) bench/bench_coverage.py
	$(PY) bench/bench_allocation.py

# The crowd (bench/loadtest.py): 100 visitors over Streamlit's websocket protocol arriving within 10 s,
# the new visitors per second one server sustains (p95 < 3 s), then 20 real headless browsers end to end
# (needs /usr/bin/chromium); fails on any error. About 6 minutes.
loadtest: $(STAMP)
	$(PY) bench/loadtest.py --sessions 100 --arrival-s 10 --rates 1,2,3,4,5,6 --duration-s 20 --browsers 20

# Rebuild data/ from ../shared/reference (areas, settlements, streets, demand points).
data: $(STAMP)
	$(PY) scripts/build_reference.py

# Refresh the geocoding cache from Nominatim (needs a network; respects 1 request/s).
geocode: $(STAMP)
	$(PY) -m geo geocode refresh

clean:
	rm -rf $(VENV) .pytest_cache
