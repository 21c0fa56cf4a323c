# FinFleet operator interface: `make` (or `make help`) lists every target.
#
# Compose targets drive `docker compose`. Targets marked "compose or dev" act on the local dev
# stack of `make dev` (scripts/devstack.py) when DEV=1 is given or no Docker engine answers.
# Names, ports and databases follow docs/runtime-contract.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

SERVICES := portfolio equity fixed_income ledger realestate issuance
port.portfolio := 8000
port.equity := 8001
port.fixed_income := 8002
port.ledger := 8003
port.realestate := 8004
port.issuance := 8005

COMPOSE ?= docker compose
UV ?= $(or $(shell command -v uv 2>/dev/null),$(error uv is not installed: run `pip install uv`))
DEVSTACK = $(UV) run python -m scripts.devstack
TAIL ?= 200
PYTEST_ARGS ?=
BACKUP_STAMP := $(shell date -u +%Y-%m-%d_%H%M%S)
# Dumps grant to this role but roles belong to the cluster: a restore creates it first
# (the statement of fleetkit.row_security.create_tenant_role).
CREATE_TENANT_ROLE := DO \$$\$$ BEGIN CREATE ROLE finfleet_tenant NOLOGIN NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END \$$\$$

# Checked once, and only by targets that need it.
HAVE_ENGINE = $(eval HAVE_ENGINE := $(shell command -v docker >/dev/null 2>&1 \
	&& docker compose version >/dev/null 2>&1 && docker info >/dev/null 2>&1 && echo yes))$(HAVE_ENGINE)
MODE = $(if $(filter 1 yes true,$(DEV)),dev,$(if $(HAVE_ENGINE),compose,dev))
NO_ENGINE := error: no Docker engine is available here, so docker compose cannot run; use 'make dev' to run the fleet as local processes

TEST_PATHS = $(wildcard fleetkit/tests *_service/tests tests)
LINT_PATHS = $(wildcard fleetkit *_service scripts tests bench)

# short:compose-base:port of every service, for shell loops.
FLEET := $(foreach s,$(SERVICES),$(s):$(subst _,-,$(s)):$(port.$(s)))
# $(call service,<name>): the contract's short name, from a short, compose or package name.
service = $(or $(filter $(subst -,_,$(1:_service=)),$(SERVICES)),$(error unknown service '$(1)': one of $(SERVICES)))
# $(call compose_base,<short>): the compose base name (fixed_income -> fixed-income).
compose_base = $(subst _,-,$(1))
# Shell snippets naming a service's compose services, and its Postgres one, from a base name.
compose_services_of = $(COMPOSE) config --services | grep -E "^$(1)(-|\$$)"
compose_db_of = $(COMPOSE) config --services | grep -E "^($(1)-(db|postgres)|(db|postgres)-$(1))\$$" | head -n 1

define require_engine
	@if [ -z "$(HAVE_ENGINE)" ]; then echo "$(NO_ENGINE)" >&2; exit 1; fi
endef

.PHONY: help up down build restart status health logs migrate seed backup restore dev dev-stop \
	test test-e2e test-chaos lint fmt bench clean check-alerts

help: ## list every target with what it does (default)
	@echo "FinFleet: make <target> [VAR=value]   services: $(SERVICES)"
	@echo
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-zA-Z0-9_%-]+:[^#]*## / \
		{ name = $$1; gsub(/%/, "<service>", name); printf "  %-24s %s\n", name, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: DEV=1 (dev stack even if Docker runs), N= (scale), BACKUP=backups/<date>,"
	@echo "           PYTEST_ARGS=, TAIL= (log lines), VOLUMES=1 (down also removes volumes)."

# --- the fleet in Docker Compose --------------------------------------------------------------

up: ## start the whole fleet in Docker Compose (detached)
	$(require_engine)
	$(COMPOSE) up -d
	$(COMPOSE) ps

down: ## stop and remove the Compose fleet (VOLUMES=1 also drops its data)
	$(require_engine)
	$(COMPOSE) down $(if $(filter 1,$(VOLUMES)),--volumes)

build: ## build every image
	$(require_engine)
	$(COMPOSE) build

restart: ## restart every Compose container
	$(require_engine)
	$(COMPOSE) restart

logs: ## follow the logs of every Compose container
	$(require_engine)
	$(COMPOSE) logs -f --tail=$(TAIL)

logs-%: ## follow the logs of one service's containers (app, worker, beat, bus, ...)
	$(require_engine)
	$(COMPOSE) logs -f --tail=$(TAIL) $$($(call compose_services_of,$(call compose_base,$(call service,$*))))

scale-%: ## run N= replicas of a Compose service, e.g. make scale-equity-worker N=3
	$(require_engine)
	@if [ -z "$(N)" ]; then echo "error: give the replica count, e.g. make $@ N=3" >&2; exit 1; fi
	$(COMPOSE) up -d --no-recreate --scale $(subst _,-,$*)=$(N) $(subst _,-,$*)

# --- compose or dev ---------------------------------------------------------------------------

status: ## what runs: Compose containers, or the dev stack's servers and processes
	@if [ "$(MODE)" = compose ]; then $(COMPOSE) ps -a; else $(DEVSTACK) status; fi

health: ## GET /health and /ready of every service (exit 1 if one is not 200)
	@if [ "$(MODE)" = dev ]; then exec $(DEVSTACK) health; fi; \
	failed=0; \
	for entry in $(FLEET); do \
		IFS=: read -r s base port <<< "$$entry"; \
		for probe in health ready; do \
			if $(COMPOSE) exec -T $$base python -m fleetkit.healthcheck \
				http://127.0.0.1:$$port/$$probe >/dev/null 2>&1; \
			then state=200; else state=FAIL; failed=1; fi; \
			printf '%-13s %-7s %s\n' $$s /$$probe $$state; \
		done; \
	done; \
	gateway=$$(curl -fsS -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/health || true); \
	echo "gateway from the host: http://127.0.0.1:8000/health -> $${gateway:-down}"; \
	exit $$failed

migrate: ## apply migrations: the Compose migrate jobs, or alembic locally (dev)
	@if [ "$(MODE)" = dev ]; then exec $(DEVSTACK) migrate; fi; \
	jobs=$$($(COMPOSE) config --services | grep -E -- '-migrate$$' || true); \
	if [ -z "$$jobs" ]; then echo "error: no *-migrate service in the compose file" >&2; exit 1; fi; \
	for job in $$jobs; do echo "+ $(COMPOSE) run --rm $$job"; $(COMPOSE) run --rm $$job; done

seed: ## load the seed data (scripts/seed.py)
	$(UV) run $(if $(wildcard .env),--env-file .env) python -m scripts.seed

shell-%: ## a shell in the service's environment (its container, or .env + venv in dev)
	@if [ "$(MODE)" = compose ]; then \
		exec $(COMPOSE) exec $(call compose_base,$(call service,$*)) \
			sh -c 'if command -v bash >/dev/null; then exec bash; else exec sh; fi'; \
	fi; \
	$(DEVSTACK) env; \
	echo "dev shell for $(call service,$*)_service: .env loaded, venv active; 'exit' to leave"; \
	exec $(UV) run --env-file .env -- bash

psql-%: ## psql on the service's database
	@if [ "$(MODE)" = compose ]; then \
		db=$$($(call compose_db_of,$(call compose_base,$(call service,$*)))); \
		if [ -z "$$db" ]; then echo "error: no Postgres service for $* in compose" >&2; exit 1; fi; \
		exec $(COMPOSE) exec $$db sh -c 'exec psql -U "$$POSTGRES_USER" -d "$${POSTGRES_DB:-$$POSTGRES_USER}"'; \
	fi; \
	command -v psql >/dev/null || { echo "error: psql not found: apt-get install postgresql-client" >&2; exit 1; }; \
	exec psql "$$($(DEVSTACK) dsn $(call service,$*))"

backup: ## pg_dump every database into backups/<date>/<db>.dump
	@dir=backups/$(BACKUP_STAMP); \
	if [ "$(MODE)" = dev ]; then exec $(DEVSTACK) backup "$$dir"; fi; \
	mkdir -p "$$dir"; \
	for entry in $(FLEET); do \
		IFS=: read -r s base port <<< "$$entry"; \
		db=$$($(call compose_db_of,$$base)); \
		if [ -z "$$db" ]; then echo "error: no Postgres service for $$s in compose" >&2; exit 1; fi; \
		$(COMPOSE) exec -T $$db sh -c 'pg_dump -U "$$POSTGRES_USER" --format=custom --no-owner "$${POSTGRES_DB:-$$POSTGRES_USER}"' \
			> "$$dir/finfleet_$$s.dump"; \
		echo "backed up $$s to $$dir/finfleet_$$s.dump"; \
	done

restore: ## restore every database from BACKUP=backups/<date> (overwrites current data)
	@if [ -z "$(BACKUP)" ] || [ ! -d "$(BACKUP)" ]; then \
		echo "error: give an existing backup directory, e.g. make restore BACKUP=backups/<date>" >&2; exit 1; \
	fi; \
	if [ "$(MODE)" = dev ]; then exec $(DEVSTACK) restore "$(BACKUP)"; fi; \
	for entry in $(FLEET); do \
		IFS=: read -r s base port <<< "$$entry"; \
		dump="$(BACKUP)/finfleet_$$s.dump"; \
		if [ ! -f "$$dump" ]; then echo "warning: $$dump is missing, $$s left as is"; continue; fi; \
		db=$$($(call compose_db_of,$$base)); \
		$(COMPOSE) exec -T $$db sh -c 'psql -q -U "$$POSTGRES_USER" -d "$${POSTGRES_DB:-$$POSTGRES_USER}" -c "$(CREATE_TENANT_ROLE)"'; \
		$(COMPOSE) exec -T $$db sh -c 'pg_restore -U "$$POSTGRES_USER" --clean --if-exists --no-owner -d "$${POSTGRES_DB:-$$POSTGRES_USER}"' \
			< "$$dump"; \
		echo "restored $$dump"; \
	done

# --- the fleet as local processes -------------------------------------------------------------

dev: ## the whole fleet without Docker: .env, Postgres, Redis, migrations, seed, honcho
	$(DEVSTACK) up

dev-stop: ## stop the private Postgres and Redis that make dev started under .dev/
	$(DEVSTACK) stop

# --- the fleet on Kubernetes (deploy/k8s; docs/kubernetes.md) ---------------------------------

K8S_ENV ?= dev
KUBECTL ?= kubectl
K8S_ENV_FILE ?= .env
K8S_OVERLAY = deploy/k8s/overlays/$(K8S_ENV)
K8S_NAMESPACE = $(if $(filter production,$(K8S_ENV)),finfleet,finfleet-dev)
K8S_ONE_SHOT = app.kubernetes.io/component in (migrate,chain-deploy)

.PHONY: k8s-build k8s-apply k8s-migrate k8s-deploy k8s-secrets

k8s-build: ## print the manifests of K8S_ENV=dev|production, fleet then migration Jobs
	@$(KUBECTL) kustomize $(K8S_OVERLAY)
	@echo "---"
	@$(KUBECTL) kustomize $(K8S_OVERLAY)/migrations

k8s-apply: ## kubectl apply -k the K8S_ENV overlay (new pods wait for their schema)
	$(KUBECTL) apply -k $(K8S_OVERLAY)

k8s-migrate: ## run K8S_ENV's migration Jobs afresh and wait until all have completed
	$(KUBECTL) -n $(K8S_NAMESPACE) delete job -l '$(K8S_ONE_SHOT)' --ignore-not-found --wait
	$(KUBECTL) apply -k $(K8S_OVERLAY)/migrations
	$(KUBECTL) -n $(K8S_NAMESPACE) wait job -l '$(K8S_ONE_SHOT)' --for=condition=complete --timeout=15m

k8s-deploy: ## a release: k8s-apply, then k8s-migrate, then wait for every rollout
	@$(MAKE) k8s-apply k8s-migrate
	$(KUBECTL) -n $(K8S_NAMESPACE) rollout status deployment -l app.kubernetes.io/part-of=finfleet --timeout=15m

k8s-secrets: ## the Secrets of K8S_NAMESPACE from K8S_ENV_FILE's values (.env), then restart
	@test -f $(K8S_ENV_FILE) || { echo "no $(K8S_ENV_FILE): 'make dev' writes one with fresh keys" >&2; exit 1; }
	@set -a; . ./$(K8S_ENV_FILE); set +a; \
	put() { $(KUBECTL) -n $(K8S_NAMESPACE) create secret generic "$$@" --dry-run=client -o yaml \
		| $(KUBECTL) apply -f -; }; \
	put fleet-jwt-public-keys --from-literal=FLEET_JWT_PUBLIC_KEYS="$$FLEET_JWT_PUBLIC_KEYS"; \
	for entry in $(FLEET); do \
		short=$${entry%%:*}; rest=$${entry#*:}; base=$${rest%%:*}; \
		var="$$(echo "$$short" | tr a-z A-Z)_JWT_PRIVATE_KEY"; \
		put "$$base-jwt" --from-literal=private-key="$${!var}"; \
	done; \
	put issuance-chain-key --from-literal=private-key="$$ISSUANCE_CHAIN_PRIVATE_KEY"; \
	if [ -n "$${BACKUP_ACCESS_KEY_ID:-}" ]; then \
		put backup-object-store --from-literal=ACCESS_KEY_ID="$$BACKUP_ACCESS_KEY_ID" \
			--from-literal=ACCESS_SECRET_KEY="$$BACKUP_ACCESS_SECRET_KEY"; \
	fi; \
	$(KUBECTL) -n $(K8S_NAMESPACE) rollout restart deployment -l app.kubernetes.io/part-of=finfleet \
		|| echo "no deployment to restart yet"

# --- quality ----------------------------------------------------------------------------------

test: ## the whole suite: unit + integration on 2 xdist workers, then the end-to-end fleet
	@$(UV) run pytest -n 2 -m "not e2e and not chaos" $(TEST_PATHS) $(PYTEST_ARGS) \
		|| { rc=$$?; echo "pytest (unit + integration) exited with status $$rc" >&2; exit $$rc; }
	@$(MAKE) test-e2e

test-e2e: ## only the end-to-end suite (the fleet as real processes)
	@if [ ! -d tests/e2e ]; then echo "no end-to-end suite yet (tests/e2e does not exist)"; exit 0; fi; \
	$(UV) run pytest tests/e2e -m e2e $(PYTEST_ARGS) \
		|| { rc=$$?; echo "pytest (end-to-end) exited with status $$rc" >&2; exit $$rc; }

test-chaos: ## only the chaos suite: the fleet under injected faults, and graceful shutdown
	@$(UV) run pytest tests/chaos -m chaos -s $(PYTEST_ARGS) \
		|| { rc=$$?; echo "pytest (chaos) exited with status $$rc" >&2; exit $$rc; }

lint: ## ruff check, ruff format --check and mypy over the whole tree
	@rc=0; \
	echo "+ ruff check ."; $(UV) run ruff check . || rc=1; \
	echo "+ ruff format --check ."; $(UV) run ruff format --check . || rc=1; \
	echo "+ mypy $(LINT_PATHS)"; $(UV) run mypy --explicit-package-bases $(LINT_PATHS) || rc=1; \
	exit $$rc

fmt: ## fix imports and format the code with ruff
	$(UV) run ruff check --select I --fix .
	$(UV) run ruff format .

# promtool from PATH, else taken out of Debian's `prometheus` package (no daemon installed).
PROMTOOL ?= $(or $(shell command -v promtool 2>/dev/null),.dev/tools/promtool)

check-alerts: ## promtool: check the Prometheus config and alert rules, run the rules' unit tests
	@if [ ! -x "$(PROMTOOL)" ]; then \
		echo "promtool not found: extracting it from Debian's prometheus package into .dev/tools"; \
		rm -rf .dev/tools/deb && mkdir -p .dev/tools/deb && cd .dev/tools/deb \
		&& { apt-get download prometheus >/dev/null 2>&1 \
			|| { apt-get update -qq && apt-get download prometheus >/dev/null 2>&1; }; } \
		&& dpkg-deb -x prometheus_*.deb root && cp root/usr/bin/promtool ../promtool; \
	fi
	$(PROMTOOL) check config ops/prometheus/prometheus.yml
	$(PROMTOOL) check rules ops/prometheus/rules/*.yml
	$(PROMTOOL) test rules ops/prometheus/tests/*.yml

bench: ## run the benchmarks (python -m bench), if there are any
	@if [ -f bench/__main__.py ] || [ -f bench/__init__.py ]; then \
		exec $(UV) run python -m bench; \
	fi; \
	echo "no benchmarks yet (no bench/ package)"

clean: ## remove caches and build artefacts (keeps .env and the dev databases in .dev/)
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune -o -type d \
		\( -name __pycache__ -o -name .pytest_cache -o -name .mypy_cache -o -name .ruff_cache \
		-o -name '*.egg-info' \) -prune -exec rm -rf {} +
	rm -rf build dist htmlcov .coverage .hypothesis .dev/metrics .dev/celerybeat-*
