#!/usr/bin/env bash
# Rebuilds the plugin fixtures in this directory from their sources:
#   Go:             sdk-plugins/go/examples/*
#   C:              sdk-plugins/c/examples/*        (clang --target=wasm32-wasi)
#   AssemblyScript: sdk-plugins/assemblyscript/examples/*  (asc)
# CI runs it and fails when a committed fixture differs from a fresh build.
# go-memsandbox.wasm is built but not committed: it embeds the wasi provider,
# so it changes with every change there; the tests build it from source.
# Usage: testdata/plugins/build.sh [go|c|as]...
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/testdata/plugins"
langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(go c as)

for lang in "${langs[@]}"; do
	case "$lang" in
	go)
		cd "$root/sdk-plugins/go"
		for dir in examples/*; do
			name="go-$(basename "$dir")"
			GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -buildvcs=false -ldflags="-s -w -buildid=" -o "$out/$name.wasm" "./$dir"
			echo "built $name.wasm"
		done
		;;
	c)
		if [ -x "$root/sdk-plugins/c/build.sh" ]; then "$root/sdk-plugins/c/build.sh" "$out"; fi
		;;
	as)
		if [ -x "$root/sdk-plugins/assemblyscript/build.sh" ]; then "$root/sdk-plugins/assemblyscript/build.sh" "$out"; fi
		;;
	*)
		echo "unknown language $lang" >&2
		exit 2
		;;
	esac
done
