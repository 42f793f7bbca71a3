#!/bin/sh
# Build the authors' ABMRS (commit 16dda3d) into a temporary library and compare it with ours on
# identical data; prints a markdown table (also written to OUT_DIR/table.md).
#   scripts/knots/abmrs-compare.sh ABMRS_GIT_DIR [OUT_DIR] [--quick]
# ABMRS_GIT_DIR: a clone of github.com/junhuihe2000/ABMRS containing commit 16dda3d.
set -eu
HERE=$(dirname "$0")
SRC=$1
OUT=${2:-$(mktemp -d)}
LIB=$OUT/abmrs-lib
"$HERE/abmrs-build.sh" "$SRC" "$LIB"
shift; [ $# -gt 0 ] && shift
npx tsx "$HERE/abmrs-compare.ts" "$OUT" "$LIB" "$@"
