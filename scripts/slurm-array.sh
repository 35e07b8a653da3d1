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
#   NEUROCRYPT_BIN      a built neurocrypt binary (default: built here into
#                       the work dir once, by the first task that gets there)
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
bin=${NEUROCRYPT_BIN:-}
if [ -z "$bin" ]; then
  bin="$work/neurocrypt"
  # One build for all tasks: a lock serialises them, an atomic rename
  # publishes the binary.
  (
    flock 9
    if [ ! -x "$bin" ]; then
      go build -o "$bin.tmp.$$" ./cmd/neurocrypt && mv "$bin.tmp.$$" "$bin"
    fi
  ) 9>"$work/.build.lock"
fi

if [ "${NEUROCRYPT_ASSEMBLE:-}" = 1 ]; then
  exec "$bin" reproduce -workdir "$work" "$@"
fi
: "${SLURM_ARRAY_TASK_ID:?not a Slurm array task (sbatch --array=0-N-1 ...), and NEUROCRYPT_ASSEMBLE is not 1}"
: "${SLURM_ARRAY_TASK_COUNT:?Slurm did not set SLURM_ARRAY_TASK_COUNT}"
if [ "${SLURM_ARRAY_TASK_MIN:-0}" != 0 ]; then
  echo "neurocrypt: the array must start at 0 (--array=0-$((SLURM_ARRAY_TASK_COUNT - 1)))" >&2
  exit 2
fi
exec "$bin" reproduce -workdir "$work" -shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" "$@"
