#!/usr/bin/env bash
# Builds the C plugins: sdk-plugins/c/build.sh OUTDIR
# Exports come from WSBX_EXPORT (export_name) in the sources.
# Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUTDIR}"
cc() { clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-all "$@"; }
cc -o "$out/c-read-only.wasm" "$here/examples/read-only.c"
cc -o "$out/c-hostile.wasm" "$here/internal/hostile.c"
cc -DDESCRIBE_MALFORMED -o "$out/c-hostile-malformed.wasm" "$here/internal/hostile.c"
cc -DDESCRIBE_ABI2 -o "$out/c-hostile-abi2.wasm" "$here/internal/hostile.c"
echo "built c-read-only.wasm c-hostile*.wasm"
