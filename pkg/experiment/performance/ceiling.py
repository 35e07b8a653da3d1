#!/usr/bin/env python3
"""The float32 matrix-product ceiling of PyTorch on this CPU, for `neurocrypt bench`.

Times torch.mm of two N x N float32 matrices (2 N^3 floating-point
operations) after one untimed call, and prints one JSON object: the torch
version, its thread count, the median seconds of the timed calls and the
GFLOP/s at the median. The caller tunes glibc malloc (GLIBC_TUNABLES), as
for the PyTorch peers' best configuration. Written for neurocrypt; ours.

Usage: python3 ceiling.py [--n 1024] [--calls 20] [--threads 2]
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
except ImportError as e:
    print(json.dumps({"error": "PyTorch is not installed: %s" % e}))
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.n < 1 or a.calls < 1 or a.threads < 1:
        ap.error("--n, --calls and --threads must be >= 1")
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(1)
    x, y = torch.rand(a.n, a.n, generator=gen), torch.rand(a.n, a.n, generator=gen)
    torch.mm(x, y)  # warm-up
    times = []
    for _ in range(a.calls):
        t0 = time.perf_counter()
        torch.mm(x, y)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "n": a.n, "calls": a.calls,
                      "median_seconds": med, "gflops": 2 * a.n ** 3 / med / 1e9}))


if __name__ == "__main__":
    main()
