# Two entry points (see README.md): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR := .demo

.PHONY: install bundles demo chat test lint interop-deps docs clean

# The editable install runs hatch_build.py: `npm ci` in bundles/ and the browser bundles
# staged in feathers_cli/_bundles/ (without npm: a one-line note, and no live demo in new apps).
$(STAMP): pyproject.toml hatch_build.py bundles/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m feathers_cli.commands.bundles >/dev/null || true
	touch $(STAMP)

install: $(STAMP)

# Stage the browser bundles again (e.g. once npm is installed) without reinstalling.
bundles: install
	$(BIN)/python hatch_build.py

# Creates a demo chat app with `feathers new`'s defaults (SQLite, in .demo/chat/data/, and
# users who sign up and log in: the signing secret in .demo/chat/.env) with a messages
# service, migrates it, and serves it on port 3030. The landing page's live demo signs up or
# logs in first, then lists and creates messages in real time as that user.
demo: install
	rm -rf $(DEMO_DIR)/chat
	mkdir -p $(DEMO_DIR)
	cd $(DEMO_DIR) && ../$(BIN)/feathers new chat --yes
	cd $(DEMO_DIR)/chat && ../../$(BIN)/feathers generate service messages --yes
	cd $(DEMO_DIR)/chat && ../../$(BIN)/feathers migrate
	cd $(DEMO_DIR)/chat && ../../$(BIN)/feathers start --host 127.0.0.1 --port 3030

# The chat example (examples/chat/README.md): restores its git-ignored build output (the
# vendored runtime, the browser bundles, .env with a random secret when missing), migrates
# its SQLite database (examples/chat/data/) and serves it on 127.0.0.1:3030 with this .venv.
CHAT_DIR := examples/chat

chat: install
	$(BIN)/python scripts/example_chat.py --prepare
	cd $(CHAT_DIR) && ../../$(BIN)/feathers migrate
	cd $(CHAT_DIR) && ../../$(BIN)/feathers start --host 127.0.0.1 --port 3030

interop-deps:
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/interop && npm ci --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the JS interop tests will be skipped"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The documentation site (mkdocs.yml) into build/site/ (git-ignored); --strict: a warning fails.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: install interop-deps
	bash scripts/test.sh

clean:
	rm -rf $(VENV) $(DEMO_DIR) tests/interop/node_modules bundles/node_modules feathers_cli/_bundles test-artifacts build/site
