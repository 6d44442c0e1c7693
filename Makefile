# parkflow — `make demo` and `make test` do all the set-up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Our modules' bytecode, written once as pip writes an installed package's: an editable
# install under PYTHONDONTWRITEBYTECODE would compile them again at every command's start.
COMPILE := $(BIN)/python -m compileall -q -j 0 parkflow workflow states notifications db web i18n reports

.PHONY: demo test test-faketime lint bench serve clean i18n vendor

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(COMPILE)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/parkflow demo

test: $(STAMP)
	$(BIN)/pytest -n 2

# the suite without the browser, at a date in 2028 (libfaketime, Debian's faketime): no test
# may read today's date. Python's timed waits need the real monotonic clock.
FAKE_DATE ?= 2028-06-15 10:00:00
test-faketime: $(STAMP)
	FAKETIME_DONT_FAKE_MONOTONIC=1 faketime "$(FAKE_DATE)" $(BIN)/pytest -n 2 -q \
		-p no:cacheprovider --ignore=tests/web/test_browser.py --ignore=tests/web/test_phone.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

# The one catalogue: extract every message (Python and templates), merge it into both
# languages, compile. Fill in the new Chinese msgstr, then run it again to compile them;
# tests/i18n/test_i18n.py fails while a message lacks its translation or a .mo is stale.
I18N_KEYWORDS := -k gettext:2 -k gettext:1,1t -k ngettext:2,3 -k ngettext:1,2,3t -k N_ -k NP_:1,2 -k say -k say_n:1,2 -k cli_help
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output -w 100 \
		--omit-header -o i18n/locale/messages.pot .
	$(BIN)/pybabel update -i i18n/locale/messages.pot -d i18n/locale --ignore-obsolete \
		--no-fuzzy-matching -w 100
	$(BIN)/pybabel compile -d i18n/locale
	rm i18n/locale/messages.pot

serve: $(STAMP)
	test -f demo/parkflow-demo.db || $(BIN)/parkflow demo
	PARKFLOW_DATABASE_URL=sqlite:///demo/parkflow-demo.db $(BIN)/parkflow serve

# Apache ECharts, vendored from the npm registry at a pinned version (no CDN; see
# web/static/vendor/echarts/README.md): fetch the tarball, copy the minified build and its
# licences, check the recorded sha256. A new version: change ECHARTS_VERSION, run it, review,
# then record the new sha256 (sha256sum echarts.min.js > echarts.min.js.sha256).
ECHARTS_VERSION := 6.1.0
ECHARTS_DIR := web/static/vendor/echarts
vendor:
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null \
		&& tar xzf echarts-$(ECHARTS_VERSION).tgz) \
		&& cp $$tmp/package/dist/echarts.min.js $$tmp/package/LICENSE $$tmp/package/NOTICE \
			$$tmp/package/licenses/LICENSE-d3 $(ECHARTS_DIR)/ \
		&& rm -rf $$tmp
	cd $(ECHARTS_DIR) && sha256sum -c echarts.min.js.sha256

# every benchmark, one Markdown table (also written to bench/RESULTS.md); sizes: bench/results.py
bench: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m bench.results

clean:
	rm -rf $(VENV) demo outbox-mail .pytest_cache .mypy_cache .ruff_cache

# Issue 11 §2, several processes on PostgreSQL: the concurrency proof and two faults, each on
# a private throwaway cluster (port 5544, bench/pgcluster.py; never the system cluster). Each
# writes its bench/*-RESULTS.md and exits 1 when a check fails. Not part of `make test`.
.PHONY: stress fault-restart fault-scheduler
stress: $(STAMP)
	$(BIN)/python -m bench.stress
fault-restart: $(STAMP)
	$(BIN)/python -m bench.stress --restart
fault-scheduler: $(STAMP)
	$(BIN)/python -m bench.scheduler_kill
