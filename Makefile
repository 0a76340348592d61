# energy-agent: build, test, run, benchmark and install.
#
#   make run     release build, then `energy-agent run` with data under ./var
#   make test    install what the tests need (Debian 12), build, run every test
#
SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
DATA_DIR     ?= ./var
PYTHON       ?= python3
VENV         ?= .venv
SWIFT_FLAGS  ?=
RELEASE_BIN   = .build/release
DEBUG_BIN     = .build/debug

# Debian packages the build and the tests need.
APT_PACKAGES = libsqlite3-dev libudev-dev sqlite3 umockdev libumockdev-dev gir1.2-umockdev-1.0 \
               python3-gi python3-venv systemd socat pkg-config e2fsprogs util-linux

.PHONY: all build release run test deps venv swift-test parity-test umockdev-test system-test \
        test-sanitize test-address test-thread \
        bench bench-huge demo release-static install uninstall clean help

all: build

help:
	@echo "make run      release build, then energy-agent run (data in $(DATA_DIR))"
	@echo "make test     install test dependencies, build, run every test"
	@echo "make test-sanitize   the Swift tests under AddressSanitizer and ThreadSanitizer"
	@echo "make build    debug build"
	@echo "make release  release build"
	@echo "make fuzz     run every fuzz target for FUZZ_SECONDS (default 300) seconds"
	@echo "make bench    benchmarks (replay throughput, clustering against scikit-learn)"
	@echo "make demo     replay a shipped capture through a simulated serial port"
	@echo "make install  install binaries, udev rule and systemd unit (PREFIX, DESTDIR)"
	@echo "make clean    remove build products"

build:
	$(SWIFT) build $(SWIFT_FLAGS)

release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

run: release
	$(RELEASE_BIN)/energy-agent run --data-dir $(DATA_DIR) $(ARGS)

# Installs the Debian packages when run as root; otherwise names the command to run.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing:$$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else \
	        echo "missing Debian packages; run: sudo apt-get install -y$$missing" >&2; exit 1; \
	    fi; \
	fi

# The Python environment with the pinned scikit-learn used as the clustering reference.
venv: $(VENV)/.installed

$(VENV)/.installed: tools/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

test: deps venv
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	$(MAKE) --no-print-directory swift-test parity-test umockdev-test system-test test-address fuzz-smoke

# The Swift tests under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer, each in its own
# build directory. `make test` runs the address one.
LSAN_SUPPRESSIONS = $(CURDIR)/Tests/sanitizers/lsan.supp

test-sanitize: test-address test-thread

test-address:
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build/asan $(SWIFT_FLAGS)
	LSAN_OPTIONS=suppressions=$(LSAN_SUPPRESSIONS) ASAN_OPTIONS=detect_leaks=1 \
	    $(SWIFT) test --skip-build --sanitize=address --scratch-path .build/asan $(SWIFT_FLAGS)

test-thread:
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build/tsan $(SWIFT_FLAGS)
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build/tsan $(SWIFT_FLAGS)

swift-test:
	ENERGY_AGENT_BIN=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test --skip-build $(SWIFT_FLAGS)

parity-test: venv
	$(VENV)/bin/python tools/parity-check $(RELEASE_BIN)/energy-cluster

umockdev-test:
	Tests/umockdev/run-udev-tests.sh
	udev/check-units.sh

system-test: venv
	@if [ -d Tests/system ]; then $(VENV)/bin/python -m unittest discover -s Tests/system -t Tests/system -v; fi

# The ten-million-line replay: the same peak RSS as at 200,000 lines (needs about 5 GB of disk).
bench-huge: release
	$(PYTHON) tools/bench-replay --sizes 200000,10000000 $(RELEASE_BIN)/energy-agent

# libFuzzer targets (Fuzz/): each runs FUZZ_SECONDS, one after the other; see Fuzz/run.sh.
FUZZ_SECONDS ?= 300

.PHONY: fuzz fuzz-smoke

fuzz:
	Fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke:
	Fuzz/run.sh 30

bench: release venv
	$(VENV)/bin/python tools/bench-replay $(RELEASE_BIN)/energy-agent
	@if [ -x tools/bench-cluster ]; then $(VENV)/bin/python tools/bench-cluster $(RELEASE_BIN)/energy-cluster; fi
	$(PYTHON) tools/bench-live $(RELEASE_BIN)/energy-agent

# A capture played into a pseudo-terminal, read by `energy-agent run`; shows the reports.
demo: release
	tools/demo $(RELEASE_BIN)

# Installed binaries carry the Swift runtime inside them: they need only libudev, libsqlite3 and
# the C library, not the toolchain.
STATIC_BIN = .build/static/release

release-static:
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build/static $(SWIFT_FLAGS)

install: release-static
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(STATIC_BIN)/energy-agent $(STATIC_BIN)/energy-cluster $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/lib/udev/rules.d $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0644 udev/99-energy-sensor.rules $(DESTDIR)$(PREFIX)/lib/udev/rules.d/
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|g' udev/energy-agent.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/energy-agent.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/energy-agent.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/energy-agent $(DESTDIR)$(PREFIX)/bin/energy-cluster
	rm -f $(DESTDIR)$(PREFIX)/lib/udev/rules.d/99-energy-sensor.rules
	rm -f $(DESTDIR)$(PREFIX)/lib/systemd/system/energy-agent.service

clean:
	rm -rf .build
