# caremarket — set-up and everyday commands. Everything installs from Debian packages.
#   make run    install what is missing, build, run the default scenario, print its summary
#   make test   the same set-up, then every suite: C++ (ctest), Python and notebooks (pytest),
#               validation (replicate ensembles), sanitizers, lint
#   make install      the caremarket command, configs and Python package (prefix /usr/local)
#   make notebook     Jupyter on notebooks/ with the package of this build importable
#   make lint         clang-format and clang-tidy on engine/ and agents/, flake8 on the Python package
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc)
CAREMARKET := build/release/cli/caremarket

.PHONY: all deps configure build run test test-cpp test-py test-validation test-asan bench install notebook lint clean help

all: build

help:
	@sed -n '1,7p' Makefile

deps:
	@bash scripts/install-deps.sh

build/release/CMakeCache.txt: | deps
	cmake --preset release

configure: deps build/release/CMakeCache.txt

build: configure
	cmake --build --preset release -j $(JOBS)

run: build
	@mkdir -p results
	$(CAREMARKET) run -o results/default.h5

test: build test-cpp test-py test-validation test-asan lint
	@echo "make test: every suite passed"

test-cpp: build
	ctest --preset release -j $(JOBS)

PYTHONPKG := build/release/python

# pytest-xdist (python3-pytest-xdist) spreads the Python suites over $(JOBS) processes: each test
# keeps to its own temporary folder and port.
test-py: build
	CAREMARKET_BIN=$(abspath $(CAREMARKET)) CAREMARKET_PYTHONPATH=$(abspath $(PYTHONPKG)) \
	  $(PYTHON) -m pytest -q -n $(JOBS) tests/python

test-validation: build
	CAREMARKET_BIN=$(abspath $(CAREMARKET)) $(PYTHON) -m pytest -q tests/validation

build/asan/CMakeCache.txt: | deps
	cmake --preset asan

# Only the test executable: ctest runs nothing else under the sanitizers (the command line is
# tested from Python against the release build), and skipping it saves about half a minute.
test-asan: deps build/asan/CMakeCache.txt
	cmake --build --preset asan -j $(JOBS) --target caremarket_tests
	ctest --preset asan -j $(JOBS)

install: build
	cmake --install build/release

notebook: build
	PYTHONPATH=$(abspath $(PYTHONPKG)) jupyter-notebook --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# Only the version header is built: clang-tidy reads build/release/compile_commands.json.
lint: configure
	cmake --build --preset release --target caremarket_version_header
	JOBS=$(JOBS) bash scripts/lint.sh

bench: build
	$(PYTHON) perf/run_cases.py

clean:
	rm -rf build results
