#!/bin/sh
# Build the authors' R package ABMRS (github.com/junhuihe2000/ABMRS) at commit 16dda3d into a
# temporary library (never into the repository or the system library).
#   scripts/knots/abmrs-build.sh GIT_DIR_OR_CHECKOUT LIB_DIR
# GIT_DIR_OR_CHECKOUT: a clone (bare or not) that contains commit 16dda3d; LIB_DIR: where to install.
# Needs R ≥ 4.2 with Rcpp 1.0.10 and RcppEigen (the package's HEAD needs a newer Rcpp).
set -eu
SRC_GIT=$1
LIB=$2
COMMIT=16dda3d
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git -C "$SRC_GIT" archive "$COMMIT" | tar -x -C "$WORK"
mkdir -p "$LIB"
R CMD INSTALL --no-docs --no-html --no-multiarch --library="$LIB" "$WORK" >"$LIB/install.log" 2>&1 || { tail -30 "$LIB/install.log"; exit 1; }
echo "ABMRS $COMMIT installed into $LIB"
