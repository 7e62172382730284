# logindoctor — build, test, demo, benchmarks.
# `make demo` and `make test` are the README's two commands; both work on a
# fresh Debian machine (make test installs Chromium itself when run as root).

GO        ?= go
PKG       := ./...
BIN       := bin/logindoctor
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
FUZZTIME  ?= 30s

.PHONY: all build build-all test test-deps bench-deps unit fmt-check vet demo bench fuzz lint chromium directories clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/logindoctor

# Cross-compile every platform so OS-specific code keeps compiling.
build-all:
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -trimpath -o /dev/null ./cmd/logindoctor; \
	done

test: test-deps fmt-check vet unit build-all

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Vetted for Windows and macOS too, tests included: most users run
# Windows, and a test file that only compiles on Linux hides there.
vet:
	$(GO) vet $(PKG)
	GOOS=windows $(GO) vet $(PKG)
	GOOS=darwin $(GO) vet $(PKG)

# The race detector is always on; fuzz targets run their seed corpora.
# One package at a time: the browser, directory and namespace tests start
# Chromium, Samba and slapd, and two such packages at once on a 2-core
# machine turn their deadlines into noise.
unit:
	$(GO) test -race -count=1 -p 1 -timeout 20m $(PKG)

# Debian packages the tests drive for real: Chromium and its headless shell
# (browser tests; serve's browser probes prefer the shell), a CJK font (the
# Chinese pages' screenshots in the tests' artefacts show characters, not boxes),
# certutil (a test CA for Chromium), iproute2 and iptables (network
# namespaces with faults), prometheus (prometheus and promtool: serve's
# deploy/ configs and a real Prometheus scraping serve; the package starts its
# own service on install, which is stopped at once: the tests start their own
# on loopback), Samba's AD DC and OpenLDAP's slapd (the ldap provider's
# tests start their own directories on loopback; the services the packages
# start are stopped: they would hold ports 389 and 636). Installed when
# missing and root; elsewhere a clear message (those tests then skip outside
# CI and fail under CI=true).
TEST_DEBS := chromium chromium-headless-shell fonts-wqy-microhei libnss3-tools iproute2 iptables prometheus \
	samba-ad-dc samba-ad-provision python3-samba slapd
# Services those packages start on install, stopped again at once.
TEST_SERVICES := prometheus slapd samba-ad-dc samba winbind

test-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then \
		:; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian packages for the tests:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		for s in $(TEST_SERVICES); do \
			{ systemctl disable --now $$s || service $$s stop; } >/dev/null 2>&1 || true; \
		done; \
	else \
		echo "NOTE: the tests need:$$missing (Debian/Ubuntu: sudo apt-get install$$missing;"; \
		echo "      macOS/Windows: install Google Chrome). Tests that need them skip until then (and fail under CI=true)."; \
	fi

# Kept as a name for habit: the browser's packages are part of test-deps.
chromium: test-deps

# Kept as a name: the directories' packages are part of test-deps.
directories: test-deps

demo:
	$(GO) run ./cmd/logindoctor demo $(ARGS)

# Benchmarks; results go to bench.txt, which the README quotes. serve's
# probe is measured side by side with Debian's blackbox_exporter and
# against Chromium, installed here like the tests' packages.
BENCH_DEBS := prometheus-blackbox-exporter chromium chromium-headless-shell

bench-deps:
	@$(MAKE) --no-print-directory test-deps TEST_DEBS="$(BENCH_DEBS)" TEST_SERVICES=prometheus-blackbox-exporter

bench: bench-deps
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -count 1 $(PKG) | tee bench.txt

# Each fuzz target for FUZZTIME (go test -fuzz takes one target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKG)); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
		done; \
	done

lint:
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run

clean:
	rm -rf bin
