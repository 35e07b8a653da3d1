#!/usr/bin/env bash
# A Slurm job array that runs `neurocrypt reproduce` sharded: task I of N
# computes part I of every experiment's units into one work dir shared by
# all tasks (a shared file system), then one assembly job builds the report
# from that cache (and computes the few units that depend on another
# part's results). Writes to the cache are atomic, so tasks never see each
# other's half-written entries, and each unit is computed by one task.
#
# Submit from the repository root (the script builds ./cmd/neurocrypt from
# there); the nodes need Go and the module's dependencies (or set
# NEUROCRYPT_BIN to a binary built beforehand on a shared path).
#
#   sbatch --array=0-3 scripts/slurm-array.sh [reproduce flags...]   # N = 4 parts
#   # when the array has finished (or: sbatch --dependency=afterok:JOBID ...):
#   NEUROCRYPT_ASSEMBLE=1 sbatch --output=neurocrypt-assemble-%j.out scripts/slurm-array.sh [the same flags...]
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

die() { echo "neurocrypt slurm-array: $*" >&2; exit 2; }
# Check what Slurm gave before building or creating anything.
if [ "${NEUROCRYPT_ASSEMBLE:-}" != 1 ]; then
  [ -n "${SLURM_ARRAY_TASK_ID:-}" ] || die "not a Slurm array task (sbatch --array=0-3 ... for 4 parts), and NEUROCRYPT_ASSEMBLE is not 1"
  id=$SLURM_ARRAY_TASK_ID count=${SLURM_ARRAY_TASK_COUNT:-}
  for v in "$id" "$count" "${SLURM_ARRAY_TASK_MIN:-0}" "${SLURM_ARRAY_TASK_MAX:-0}"; do
    [[ "$v" =~ ^[0-9]+$ ]] || die "Slurm's array variables are not numbers (task $id, count $count, min ${SLURM_ARRAY_TASK_MIN:-}, max ${SLURM_ARRAY_TASK_MAX:-})"
  done
  # Part I of N needs the array 0..N-1 (all of it: a part left out is
  # never computed; to redo a failed part, resubmit the whole array —
  # finished units are read from the cache).
  if [ "${SLURM_ARRAY_TASK_MIN:-0}" != 0 ] || [ "${SLURM_ARRAY_TASK_MAX:-$((count - 1))}" != $((count - 1)) ]; then
    die "the array must be 0-$((count - 1)) (got ${SLURM_ARRAY_TASK_MIN:-?}-${SLURM_ARRAY_TASK_MAX:-?} with $count tasks)"
  fi
fi

work=${NEUROCRYPT_WORKDIR:-$PWD/.neurocrypt-work}
[ ! -e "$work" ] || [ -d "$work" ] || die "NEUROCRYPT_WORKDIR=$work exists and is not a directory"
mkdir -p "$work"
# The tasks and the assembly must run the same binary: cache keys include a
# hash of the running binary, so a different one (e.g. `go run`) would find
# none of the tasks' units and compute everything again.
bin=${NEUROCRYPT_BIN:-}
if [ -n "$bin" ]; then
  [ -x "$bin" ] || die "NEUROCRYPT_BIN=$bin is not an executable file"
else
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
exec "$bin" reproduce -workdir "$work" -shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" "$@"
