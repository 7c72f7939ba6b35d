# The two commands: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8080
export SUPPORTDESK_DATABASE_URL ?= sqlite:///supportdesk.db

.PHONY: install run test lint types test-sqlite test-postgres bench clean

$(STAMP): pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' -e client
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/supportdesk init
	$(BIN)/supportdesk demo
	@client=$$($(BIN)/supportdesk demo --json | $(BIN)/python -c 'import json, sys; print(next(c["id"] for c in json.load(sys.stdin)["clients"] if 616828 in c["tickets"]))'); \
	key=$$($(BIN)/supportdesk keys create --client $$client --scope read:support --scope write:support --scope read:account); \
	echo; echo "A demo client key was created (client $$client). Try:"; echo; \
	echo "  curl -s http://127.0.0.1:$(PORT)/api/support/tickets/616828 -H 'X-API-Key: $$key'"; echo; \
	echo "The customer's page of demo ticket 616828 (its access link, as in the client's mail):"; echo; \
	echo "  http://127.0.0.1:$(PORT)/portal/tickets/616828?hash=$$($(BIN)/python -c 'from supportdesk.demo import demo_access_hash; print(demo_access_hash(616828))')"; echo; \
	echo "The staff desk (a demo staff member; jobs run in this process, mails wait in 'supportdesk mail outbox'):"; echo; \
	$(BIN)/supportdesk demo --json | $(BIN)/python -c 'import json, sys; d = json.load(sys.stdin)["desk"]; print("  http://127.0.0.1:$(PORT)" + d["path"] + "  (sign in as " + d["username"] + ", password " + d["password"] + ")")'; echo
	$(BIN)/supportdesk serve --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench client
	$(BIN)/ruff format --check src tests bench client

types: install
	$(BIN)/mypy

test-sqlite: install
	@echo "=== test-sqlite: the SQLite leg ==="
	SUPPORTDESK_TEST_BACKEND=sqlite $(BIN)/pytest

# The PostgreSQL leg (with Redis for rate limits when SUPPORTDESK_TEST_REDIS_URL is set). Under
# CI both servers are required: a missing one fails the run, it is never skipped.
test-postgres: install
	@echo "=== test-postgres: the PostgreSQL/Redis leg ==="
	@if [ "$$CI" = "true" ] && { [ -z "$$SUPPORTDESK_TEST_POSTGRES_URL" ] || [ -z "$$SUPPORTDESK_TEST_REDIS_URL" ]; }; then \
		echo "CI=true needs SUPPORTDESK_TEST_POSTGRES_URL and SUPPORTDESK_TEST_REDIS_URL: those legs are never skipped" >&2; exit 1; \
	elif [ -n "$$SUPPORTDESK_TEST_POSTGRES_URL" ]; then \
		SUPPORTDESK_TEST_BACKEND=postgres $(BIN)/pytest; \
	else \
		echo "make test: PostgreSQL/Redis leg SKIPPED (set SUPPORTDESK_TEST_POSTGRES_URL and SUPPORTDESK_TEST_REDIS_URL to run it)"; \
	fi

# Lint and types first; then the two legs side by side (each is one process that waits on its
# database, its server processes and schemathesis much of the time, so on two cores the pair
# takes little longer than the PostgreSQL leg alone). Each leg's output is printed whole when it
# ends (--output-sync), and `-k` lets the other leg finish when one fails: make then names each
# failed leg and exits non-zero. The legs keep apart: each has its own database, its own
# rate-limit key prefix in Redis and its own ports (tests/conftest.py, tests/server.py).
test: lint types
	@echo "make test: the SQLite and PostgreSQL legs run side by side; each prints its output when it ends"
	@$(MAKE) --no-print-directory -k -j2 --output-sync=target test-sqlite test-postgres

# The read benchmark: figures as ratios to a floor measured in the same run (never a pass/fail).
# Installs wrk from Debian's packages when it is missing. PostgreSQL is measured too when it
# answers on 127.0.0.1:5432 (BENCH_POSTGRES_URL names the server; a scratch database is made).
TICKETS ?= 10000
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(BIN)/python -m bench.run --tickets $(TICKETS) --postgres-url $(BENCH_POSTGRES_URL); \
	else \
		echo "make bench: PostgreSQL not reachable on 127.0.0.1:5432, measuring SQLite only"; \
		$(BIN)/python -m bench.run --tickets $(TICKETS); \
	fi
	@echo "=== the desk's pages: a queue of $(TICKETS) open tickets, a ticket of 200 messages ==="
	$(BIN)/python -m bench.web --tickets $(TICKETS)
	@echo "=== automation: auto-close (1 vs 3 processes), mail, webhooks, the SLA job ==="
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(BIN)/python -m bench.jobs --postgres-url $(BENCH_POSTGRES_URL) && \
		$(BIN)/python -m bench.mail && $(BIN)/python -m bench.mail --postgres $(BENCH_POSTGRES_URL) && \
		$(BIN)/python -m bench.webhooks && \
		$(BIN)/python -m bench.webhooks --postgres-url $(BENCH_POSTGRES_URL); \
	else \
		$(BIN)/python -m bench.jobs && $(BIN)/python -m bench.mail && $(BIN)/python -m bench.webhooks; \
	fi
	$(BIN)/python -m bench.sla

clean:
	rm -rf $(VENV) supportdesk.db supportdesk.db-wal supportdesk.db-shm data
