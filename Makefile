# copbot — every target sets up what it needs (a virtual environment in .venv).
#   make run     the bot on the console, SQLite file copbot.db, sample community
#   make test    lint, type check and the whole test suite (SQLite and PostgreSQL)
#   make bench   the benchmarks in bench/
#   make reliability  the reliability suite at full size (SQLite and PostgreSQL) and its table

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint typecheck pytest browser bench reliability i18n clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "copbot needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# The bytecode is written first (as pip does for an installed package), even where
# PYTHONDONTWRITEBYTECODE is set: compiling copbot's modules was a fifth of its start.
run: $(STAMP)
	@$(BIN)/python -m compileall -q bot handlers storage >/dev/null
	COPBOT_ADMINS="$${COPBOT_ADMINS:-console:admin}" $(BIN)/copbot run

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The site tests drive Debian's Chromium (never a downloaded browser). Installed here when
# this user may; otherwise those tests say why they skip (and fail under CI=true).
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -q chromium >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }; } || \
		echo "Chromium is not installed (apt-get install chromium): the site's browser tests will skip."

bench: $(STAMP)
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.broadcast --recipients $${BROADCAST_RECIPIENTS:-10000}
	$(BIN)/python -m bench.dialogue
	$(BIN)/python -m bench.relay
	$(BIN)/python -m bench.application
	$(BIN)/python -m bench.telegram
	$(BIN)/python -m bench.wiki
	$(BIN)/python -m bench.stats
	$(BIN)/python -m bench.flood
	$(BIN)/python -m bench.peers
	$(BIN)/python -m bench.scale

# COPBOT_RELIABILITY=short for the CI sizes; the table is printed even when a scenario fails.
# COPBOT_RELIABILITY_SIZES="fuzzed=20000" overrides sizes (see tests/reliability/conftest.py).
RELIABILITY ?= $(or $(COPBOT_RELIABILITY),full)
reliability: $(STAMP)
	rm -f var/reliability/$(RELIABILITY).jsonl
	COPBOT_RELIABILITY=$(RELIABILITY) $(BIN)/python -m pytest -q -p no:cacheprovider tests/reliability; \
		status=$$?; $(BIN)/python -m tests.reliability.report var/reliability/$(RELIABILITY).jsonl; exit $$status

# Extract every msgid from the code and merge it into each catalog (then translate).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F locales/babel.cfg -k N_ -k _ -k ngettext:1,2 --no-location --sort-output \
		--project copbot -o locales/copbot.pot .
	$(BIN)/pybabel update -i locales/copbot.pot -d locales -D copbot --no-fuzzy-matching \
		--ignore-obsolete -w 100

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis var copbot.db copbot.db-*
