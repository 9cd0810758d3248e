# Two commands: `make run` (set up and serve the demo county) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/xiezhi
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install lint types contracts test-sqlite test-postgres test-e2e system-deps postgres clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,bench]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/xiezhi migrate --noinput -v0
	$(BIN)/xiezhi collectstatic --noinput -v0
	XIEZHI_DEMO=1 $(BIN)/xiezhi demo
	$(BIN)/xiezhi dispatch_retrain
	PORT=$(PORT) $(BIN)/xiezhi serve

# System packages the tests need: Debian's Chromium (never a downloaded browser), CJK fonts, pdftotext.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi uming || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-arphic-uming fonts-wqy-zenhei poppler-utils >/dev/null)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL 未就绪" >&2; exit 1

lint: install
	$(BIN)/ruff check .

types: install
	$(BIN)/mypy xiezhi
	# Separately: benchmarks/calendar.py would shadow the standard library module inside one run.
	$(BIN)/mypy --explicit-package-bases benchmarks

contracts: install
	$(BIN)/lint-imports

test-sqlite: install system-deps
	XIEZHI_DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -m "not e2e"

test-postgres: install system-deps postgres
	XIEZHI_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not e2e"

test-e2e: install system-deps
	XIEZHI_DATABASE_URL=sqlite:///$(CURDIR)/var/e2e.sqlite3 $(BIN)/pytest e2e -m e2e

test: lint types contracts test-sqlite test-postgres test-e2e

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
