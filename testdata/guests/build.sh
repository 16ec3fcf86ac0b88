#!/bin/sh
# Rebuilds the guest modules used by the tests of package host.
#
#   testdata/guests/build.sh [OUTDIR]
#
# The C guest (c/hello.wasm) is checked in; this rebuilds it in place with
# Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32
# (apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32).
# --strip-all drops the name and producers sections, so the output does not
# depend on paths or on the compiler's version string.
#
# The Go guests are built by the tests themselves; with OUTDIR this also
# builds them there (GOOS=wasip1 GOARCH=wasm), for use outside the tests.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wl,--strip-all -o c/hello.wasm c/hello.c
if [ $# -gt 0 ]; then
	out=$1
	mkdir -p "$out"
	for g in echoargs fileio fsprobe hello membomb spin; do
		GOOS=wasip1 GOARCH=wasm go build -trimpath -o "$out/$g.wasm" "./$g"
	done
fi
