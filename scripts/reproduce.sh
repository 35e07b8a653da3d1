#!/usr/bin/env bash
# Regenerates the reports and, when Jupyter and the neurocrypt kernel are
# installed (scripts/setup.sh), re-executes the notebooks and exports them.
#
#   scripts/reproduce.sh [reproduce flags...]     e.g. -profile smoke, -out DIR
#
# 1. go run ./cmd/neurocrypt reproduce "$@"           -> reports/ (or -out DIR)
# 2. go run ./kernel run [-profile P] -html OUT/notebooks notebooks/*.ipynb
#    A default run (quick profile into reports/) rewrites the notebooks in
#    place, as they are committed; any other profile or -out writes the
#    executed notebooks beside their HTML in OUT/notebooks instead. A failed
#    cell fails the script, naming the notebook and the cell.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="" out="reports"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  a=${args[i]}
  case "$a" in
  -profile | --profile) profile=${args[i + 1]:-} ;;
  -profile=* | --profile=*) profile=${a#*=} ;;
  -out | --out) out=${args[i + 1]:-} ;;
  -out=* | --out=*) out=${a#*=} ;;
  esac
done

# The committed reference (reports/) is computed on the pure Go backend, the
# one every machine has, so that `reproduce -check` anywhere compares like with
# like; the speed tables still time every backend found.
if [ "$out" = reports ] && [ -z "${GOMLX_BACKEND:-}" ]; then
  export GOMLX_BACKEND=go
  echo "== reference run into reports/: GOMLX_BACKEND=go (set GOMLX_BACKEND to override)"
fi

echo "== go run ./cmd/neurocrypt reproduce $*"
go run ./cmd/neurocrypt reproduce "$@"

if ! command -v jupyter >/dev/null 2>&1; then
  echo "== notebooks skipped: Jupyter is not installed (scripts/setup.sh --jupyter --kernel)"
  exit 0
fi
if ! go run ./kernel check >/dev/null 2>&1; then
  echo "== notebooks skipped: the neurocrypt kernel is not fully installed; what is missing:"
  go run ./kernel check || true
  exit 0
fi

run=(go run ./kernel run -html "$out/notebooks")
if [ -n "$profile" ]; then
  run+=(-profile "$profile")
fi
if { [ -n "$profile" ] && [ "$profile" != quick ]; } || [ "$out" != reports ]; then
  run+=(-out "$out/notebooks")
fi
echo "== ${run[*]} notebooks/*.ipynb"
"${run[@]}" notebooks/*.ipynb
