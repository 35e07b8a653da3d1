#!/usr/bin/env bash
# A Slurm job array that runs `neurocrypt reproduce` sharded: task I of N
# computes part I of every experiment's units into one work dir shared by
# all tasks (a shared file system), then one assembly job builds the report
# from that cache (and computes the few units that depend on another
# part's results). Writes to the cache are atomic, so tasks never see each
# other's half-written entries, and each unit is computed by one task.
#
#   sbatch --array=0-3 scripts/slurm-array.sh [reproduce flags...]
#   # when the array has finished (or: sbatch --dependency=afterok:JOBID ...):
#   NEUROCRYPT_ASSEMBLE=1 sbatch scripts/slurm-array.sh [the same flags...]
#
# Environment:
#   NEUROCRYPT_WORKDIR  the shared work dir (default: $PWD/.neurocrypt-work)
#   NEUROCRYPT_BIN      a built neurocrypt binary (default: built here, into
#                       the work dir: go build is incremental, so after a code
#                       change the binary is rebuilt)
#   NEUROCRYPT_ASSEMBLE set to 1 to assemble the report instead of a shard
#   GOMLX_BACKEND       as for reproduce (e.g. xla:cuda on GPU nodes)
#
#SBATCH --job-name=neurocrypt
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
#SBATCH --output=neurocrypt-%A_%a.out
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"

work=${NEUROCRYPT_WORKDIR:-$PWD/.neurocrypt-work}
mkdir -p "$work"
# The tasks and the assembly must run the same binary: cache keys include a
# hash of the running binary, so a different one (e.g. `go run`) would find
# none of the tasks' units and compute everything again.
bin=${NEUROCRYPT_BIN:-}
if [ -z "$bin" ]; then
  bin="$work/neurocrypt"
  # A lock serialises the tasks' builds; an atomic rename publishes the
  # binary (a task already running keeps its copy). go build is
  # incremental: an unchanged tree rebuilds nothing.
  (
    flock 9
    go build -o "$bin.tmp.$$" ./cmd/neurocrypt
    if ! cmp -s "$bin.tmp.$$" "$bin"; then mv "$bin.tmp.$$" "$bin"; else rm -f "$bin.tmp.$$"; fi
  ) 9>"$work/.build.lock"
fi

if [ "${NEUROCRYPT_ASSEMBLE:-}" = 1 ]; then
  exec "$bin" reproduce -workdir "$work" "$@"
fi
: "${SLURM_ARRAY_TASK_ID:?not a Slurm array task (sbatch --array=0-N-1 ...), and NEUROCRYPT_ASSEMBLE is not 1}"
: "${SLURM_ARRAY_TASK_COUNT:?Slurm did not set SLURM_ARRAY_TASK_COUNT}"
# Part I of N needs the array 0..N-1 (all of it: a part left out is never
# computed; to redo a failed part, resubmit the whole array — finished
# units are read from the cache).
if [ "${SLURM_ARRAY_TASK_MIN:-0}" != 0 ] || [ "${SLURM_ARRAY_TASK_MAX:-$((SLURM_ARRAY_TASK_COUNT - 1))}" != $((SLURM_ARRAY_TASK_COUNT - 1)) ]; then
  echo "neurocrypt: the array must be 0-$((SLURM_ARRAY_TASK_COUNT - 1)) (got ${SLURM_ARRAY_TASK_MIN:-?}-${SLURM_ARRAY_TASK_MAX:-?} with $SLURM_ARRAY_TASK_COUNT tasks)" >&2
  exit 2
fi
exec "$bin" reproduce -workdir "$work" -shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" "$@"
