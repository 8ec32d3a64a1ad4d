# Front Office — `make run` serves the demo, `make test` runs every test.
# Both work on a fresh clone: they create .venv with Python 3.13 (or 3.12) first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
PY := $(VENV)/bin/python
# Browser tests side by side: each waits on its browser and server most of the time, so two share the
# two cores well (one process each: its own test database, server port and browser).
E2E_JOBS ?= 2
FO := $(VENV)/bin/frontoffice
HOST ?= 127.0.0.1
PORT ?= 8000
# Candidates for the virtual environment's interpreter, best first. PYTHON=... overrides.
PYTHON_CANDIDATES := python3.13 python3.12 \
	/root/.pyenv/versions/3.13.0/bin/python3.13 /root/.pyenv/versions/3.12.1/bin/python3.12
# Where makemessages looks for strings: never in the virtual environment or generated files.
MESSAGE_IGNORES := --ignore=.venv --ignore=var --ignore=staticfiles --ignore=node_modules \
	--ignore=test-results --ignore=docs --ignore=bench --ignore=tests
LOCK_OPTIONS := --quiet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --strip-extras

RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: help venv dev run test test-e2e lint messages messages-check compile-messages bench lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

# --- Environment ------------------------------------------------------------------

venv: $(RUNTIME_STAMP) ## create .venv and install the runtime lock file

dev: $(DEV_STAMP) ## .venv plus what tests and linters need

$(PY):
	@python="$${PYTHON:-}"; \
	if [ -z "$$python" ]; then \
	  for candidate in $(PYTHON_CANDIDATES); do \
	    if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	      python="$$candidate"; break; \
	    fi; \
	  done; \
	fi; \
	if [ -z "$$python" ]; then \
	  echo "Error: Front Office needs Python 3.12 or newer; none of these works: $(PYTHON_CANDIDATES)." >&2; \
	  echo "Install Python 3.13 (or 3.12), or name one: make run PYTHON=/path/to/python3.13" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version 2>&1))"; \
	"$$python" -m venv $(VENV)

$(RUNTIME_STAMP): requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install -qq --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -qq --disable-pip-version-check --no-deps -e .
	@touch $@

$(DEV_STAMP): requirements-dev.lock $(RUNTIME_STAMP)
	$(PY) -m pip install -qq --disable-pip-version-check -r requirements-dev.lock
	@touch $@

lock: dev ## re-pin requirements*.lock from pyproject.toml (no registry URLs)
	$(VENV)/bin/pip-compile $(LOCK_OPTIONS) --output-file=requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile $(LOCK_OPTIONS) --extra=dev --output-file=requirements-dev.lock pyproject.toml
	@! grep -nE 'https?://|file://|pypi|pythonhosted' requirements.lock requirements-dev.lock \
	  || { echo "Error: a lock file names a host" >&2; exit 1; }

# --- Running -------------------------------------------------------------------------

run: venv ## migrate, load the demo into an empty database, print the sign-ins, serve on HOST:PORT
	@$(MAKE) compile-messages
	$(FO) demo --if-empty
	$(FO) run --host $(HOST) --port $(PORT)

# Polish needs compiled catalogues: gettext's msgfmt when installed, else the polib package.
compile-messages: venv
	@if ! ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then exit 0; fi; \
	if command -v msgfmt >/dev/null; then \
	  $(FO) manage compilemessages --ignore=.venv --verbosity=0; \
	else \
	  $(PY) -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-3] + '.mo') for p in glob.glob('locale/*/LC_MESSAGES/*.po')]"; \
	fi

# --- Tests and checks --------------------------------------------------------------

test: dev ## run the whole suite (DATABASE_URL picks the database; SQLite by default)
	@$(MAKE) compile-messages
	@status=0; \
	echo "$(PY) -m pytest -n auto --dist loadgroup --ignore=tests/e2e"; $(PY) -m pytest -n auto --dist loadgroup --ignore=tests/e2e || status=1; \
	$(MAKE) test-e2e || status=1; \
	exit $$status

test-e2e: dev ## browser tests (Playwright driving /usr/bin/chromium), E2E_JOBS at a time
	@$(MAKE) compile-messages
	@if ! find tests/e2e -name 'test_*.py' 2>/dev/null | grep -q .; then \
	  echo "No browser tests in tests/e2e yet."; exit 0; \
	fi; \
	status=0; $(PY) -m pytest -n $(E2E_JOBS) --dist loadgroup tests/e2e || status=$$?; \
	if [ $$status -eq 5 ]; then echo "No browser tests were collected."; status=0; fi; \
	exit $$status

lint: dev ## ruff, ruff format, mypy on services/selectors/api, import-linter (runs all, then fails)
	@failed=""; \
	echo "--- ruff check"; $(VENV)/bin/ruff check --output-format=concise . || failed="$$failed ruff-check"; \
	echo "--- ruff format --check"; $(VENV)/bin/ruff format --check --output-format=concise . || failed="$$failed ruff-format"; \
	typed=$$(ls frontoffice/*/services*.py frontoffice/*/selectors*.py frontoffice/*/*/services*.py \
	  frontoffice/*/*/selectors*.py frontoffice/*/api.py frontoffice/*/api/*.py frontoffice/cli.py \
	  frontoffice/core/backup.py frontoffice/interactions/sla/[a-z]*.py 2>/dev/null || true); \
	echo "--- mypy"; if [ -n "$$typed" ]; then $(VENV)/bin/mypy $$typed || failed="$$failed mypy"; fi; \
	echo "--- lint-imports"; $(VENV)/bin/lint-imports || failed="$$failed lint-imports"; \
	if [ -n "$$failed" ]; then echo "lint failed:$$failed" >&2; exit 1; fi; \
	echo "lint: all clean"

messages: venv ## update the Polish catalogue from the code and templates, then compile it
	$(FO) manage makemessages -l pl --no-obsolete --add-location=file $(MESSAGE_IGNORES)
	$(FO) manage compilemessages --ignore=.venv

# Runs makemessages on a copy of the tree, so the check never changes the working tree.
messages-check: venv ## fail on Polish messages that are missing, fuzzy or obsolete
	@command -v msgfmt >/dev/null || { echo "Error: gettext (msgfmt) is not installed" >&2; exit 1; }; \
	work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	tar --exclude=./.venv --exclude=./.git --exclude=./var --exclude=./staticfiles --exclude=./node_modules \
	    --exclude='*.mo' --exclude=__pycache__ -cf - . | tar -xf - -C "$$work"; \
	(cd "$$work" && DJANGO_SETTINGS_MODULE=config.settings FRONTOFFICE_VAR_DIR="$$work/var" \
	  "$(CURDIR)/$(PY)" manage.py makemessages -l pl --add-location=file $(MESSAGE_IGNORES) --verbosity=0); \
	catalogue="$$work/locale/pl/LC_MESSAGES/django.po"; \
	stats=$$(msgfmt --check --statistics -o /dev/null "$$catalogue" 2>&1) \
	  || { echo "$$stats" >&2; echo "Error: msgfmt rejects the Polish catalogue" >&2; exit 1; }; \
	echo "Polish catalogue: $$(tail -n 1 <<<"$$stats")"; \
	failed=0; \
	if grep -qE '[1-9][0-9]* (fuzzy|untranslated)' <<<"$$stats"; then \
	  echo "Error: untranslated or fuzzy Polish messages (run 'make messages', then translate):" >&2; \
	  { msgattrib --only-fuzzy --no-obsolete "$$catalogue"; msgattrib --untranslated --no-obsolete "$$catalogue"; } \
	    | grep -E '^msgid "[^"]' | head -20 | sed 's/^/  /' >&2 || true; \
	  failed=1; \
	fi; \
	if grep -q '^#~' "$$catalogue"; then \
	  echo "Error: obsolete entries (#~) in the Polish catalogue: run 'make messages' to drop them." >&2; \
	  failed=1; \
	fi; \
	(cd "$$work" && DJANGO_SETTINGS_MODULE=config.settings FRONTOFFICE_VAR_DIR="$$work/var" \
	  "$(CURDIR)/$(PY)" manage.py compilemessages --ignore=.venv --verbosity=0) \
	  || { echo "Error: compilemessages failed" >&2; failed=1; }; \
	exit $$failed

BENCH_JOBS ?= 2

bench: dev ## run every benchmark in its quick smoke mode, BENCH_JOBS at a time; fails if any fails
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	export FRONTOFFICE_MIGRATION_TEMPLATES="$${FRONTOFFICE_MIGRATION_TEMPLATES:-$(CURDIR)/var/migration-templates}"; \
	logs=$$(mktemp -d); export logs; \
	printf '%s\n' "$${scripts[@]}" | xargs -P $(BENCH_JOBS) -I{} bash -c \
	  'name=$$(basename {} .py); started=$$(date +%s); \
	   if "$(CURDIR)/$(PY)" {} --quick > "$$logs/$$name.log" 2>&1; then status=ok; else status=FAILED; fi; \
	   echo "$$status in $$(( $$(date +%s) - started )) s" > "$$logs/$$name.status"'; \
	failed=""; \
	for script in "$${scripts[@]}"; do \
	  name=$$(basename "$$script" .py); \
	  echo "--- $$script --quick: $$(cat "$$logs/$$name.status" 2>/dev/null || echo 'did not run')"; \
	  cat "$$logs/$$name.log" 2>/dev/null; \
	  grep -q '^ok' "$$logs/$$name.status" 2>/dev/null || failed="$$failed $$script"; \
	done; \
	rm -rf "$$logs"; \
	if [ -n "$$failed" ]; then echo "Benchmarks that failed:$$failed" >&2; exit 1; fi

clean: ## remove .venv and generated files (never var/, which holds the database)
	rm -rf $(VENV) staticfiles test-results .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -path ./var -prune -o \( -name __pycache__ -type d -prune -exec rm -rf {} + \) -o \( -name '*.mo' -path '*/locale/*' -delete \)
