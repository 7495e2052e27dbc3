# The two set-up commands of the README:
#   make serve   installs what is missing, then serves the playground on http://127.0.0.1:8080
#   make test    installs what is missing, then runs every test (native, wasm, headless browser)

TRUNK_VERSION := 0.21.14
# Equal to the `=` pin of wasm-bindgen in Cargo.toml and to Trunk.toml [tools].
WASM_BINDGEN_VERSION := 0.2.130
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

export PATH := $(ROOT)/web/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: serve test tools browser test-native test-wasm test-browser smoke e2e fuzz-tools fuzz-smoke

serve: tools
	cargo fetch --locked
	trunk serve --release --offline --locked

test: tools browser test-native test-wasm test-browser smoke e2e

# Installs what a fresh Debian machine with rustup lacks; skips what is present.
tools:
	rustup target add wasm32-unknown-unknown
	rustup component add rustfmt
	@[ "$$(trunk --version 2>/dev/null)" = "trunk $(TRUNK_VERSION)" ] || \
		cargo install --locked trunk --version $(TRUNK_VERSION)
	@# wasm-bindgen-cli's packaged lock file pins a yanked crate: install without --locked.
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@[ -x web/tools/node_modules/.bin/wasm-opt ] || npm ci --prefix web/tools --no-audit --no-fund
	@[ -d tests/e2e/node_modules/playwright-core ] || npm ci --prefix tests/e2e --no-audit --no-fund
	@# CodeMirror and esbuild: web/build.rs bundles the editor whenever the web crate builds.
	@[ -x web/editor/node_modules/.bin/esbuild ] || npm ci --prefix web/editor --no-audit --no-fund

test-native:
	cargo fmt --all --check
	cargo test --locked --workspace --exclude bpfplay-web
	cargo test --locked -p bpfplay-web --lib

# core must stay no_std: build it for the browser target without default features.
test-wasm:
	cargo build --locked -p bpfplay-core --target wasm32-unknown-unknown --no-default-features

# Chromium and ChromeDriver for the browser tests (Debian's packages): installed with
# apt-get when missing, as root or through passwordless sudo; otherwise the exact command
# is printed and the tests stop.
BROWSER_PACKAGES := chromium chromium-driver
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then as_root=; \
		elif sudo -n true 2>/dev/null; then as_root="sudo -n"; \
		else echo "chromium and chromedriver are missing, and installing them needs root. Run:"; \
			echo "  sudo apt-get update && sudo apt-get install -y $(BROWSER_PACKAGES)"; \
			echo "then make test again."; exit 1; fi; \
		echo "installing $(BROWSER_PACKAGES) with apt-get"; \
		$$as_root apt-get update -qq && \
		$$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); }

test-browser: browser
	cargo test --locked -p bpfplay-web --target wasm32-unknown-unknown --tests

# Builds the real app with Trunk and checks in headless Chromium that it shows a result.
smoke: browser
	cargo fetch --locked
	trunk build --release --offline --locked
	tests/scripts/smoke.sh

# The end-to-end test of the built app (playwright-core driving Debian's Chromium);
# leaves a screenshot in target/e2e-breakpoint.png.
e2e: smoke
	tests/scripts/e2e.sh

# The cargo-fuzz targets of fuzz/ (its own workspace), each run FUZZ_SECONDS (20 s) from
# seeds made out of the conformance suite and the examples; a crash fails and leaves its
# input in fuzz/artifacts/TARGET/. Libfuzzer's coverage needs the nightly toolchain
# when it is installed (with AddressSanitizer); otherwise the stable one runs the
# targets without a sanitizer (RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags).
FUZZ_TARGETS := decode assemble verify interpret jit share_link workspace_file kernel_syscalls
FUZZ_SECONDS ?= 20
FUZZ_TOOLCHAIN := $(shell rustup toolchain list 2>/dev/null | grep -q '^nightly' && echo +nightly)
FUZZ_FLAGS := $(if $(FUZZ_TOOLCHAIN),,--sanitizer none)
FUZZ_ENV := $(if $(FUZZ_TOOLCHAIN),,RUSTC_BOOTSTRAP=1)

fuzz-tools:
	@cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

fuzz-smoke: fuzz-tools
	cargo run --locked -q -p bpfplay-tests --example fuzz_seeds -- $(ROOT)/target/fuzz-seeds
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(ROOT)/target/fuzz-corpus/$$t && \
		echo "fuzz $$t for $(FUZZ_SECONDS) s" && \
		$(FUZZ_ENV) cargo $(FUZZ_TOOLCHAIN) fuzz run $(FUZZ_FLAGS) $$t \
			$(ROOT)/target/fuzz-corpus/$$t $(ROOT)/target/fuzz-seeds/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -print_final_stats=1 || exit 1; \
	done
