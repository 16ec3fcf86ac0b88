#!/usr/bin/env bash
# Builds the AssemblyScript plugins: sdk-plugins/assemblyscript/build.sh OUTDIR
# Installs the pinned compiler (package-lock.json) on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(cd "${1:?usage: build.sh OUTDIR}" && pwd)"
cd "$here"
[ -x node_modules/.bin/asc ] || npm ci --no-audit --no-fund >/dev/null
for src in assembly/examples/*.ts; do
	name="as-$(basename "$src" .ts)"
	node_modules/.bin/asc "$src" -o "$out/$name.wasm" -O3 --noAssert \
		--runtime incremental --exportStart _initialize --use abort=assembly/wsbx/abort
	echo "built $name.wasm"
done
