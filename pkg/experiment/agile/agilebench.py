#!/usr/bin/env python3
"""PyTorch CPU peer of neurocrypt's agile cipher training step (pkg/models/agilenet).

Times one training step of the agile cipher's encryption network E and
decryption network D -- the same multi-scale dilated blocks, losses (binary
reduction cross-entropy, histogram flatness, neighbour decorrelation,
wrong-key hinge), Adam settings, crop size, batch and float32 as
pkg/models/agilenet -- so that the GoMLX backends can be compared with
PyTorch on the same machine. Written from agilenet's godoc, not from any
other implementation; weights are random (timing does not depend on them)
and fresh random images and binary key planes are drawn for every step,
before the clock starts (as the Go side prepares its batches). The constants
below mirror agilenet's (LearningRate, Beta1/2, the loss weights,
WrongMargin, LeakySlope, HistBins); the Go test TestTorchPeerConstants checks
that they still do.

  --config stock  PyTorch as installed: default oneDNN, default malloc.
  --config best   both oneDNN on and off are timed and the faster reported;
                  the caller also tunes glibc malloc (GLIBC_TUNABLES).

Output: one JSON object on stdout. `neurocrypt reproduce -only agile`
(which embeds this file) runs it when PyTorch imports and shows its numbers
beside GoMLX's; it never types them in.

Usage: python3 agilebench.py [--crop 64] [--batch 32] [--channels 16]
       [--steps 5] [--threads 2] [--config stock|best]
"""

import argparse
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(json.dumps({"error": "PyTorch is not installed: %s" % e}))
    sys.exit(3)

LEARNING_RATE, BETAS = 0.003, (0.9, 0.999)
REC, HIST, CORR, WRONG = 1.0, 1.0, 1.0, 1.0
WRONG_MARGIN, SLOPE, BINS, EPS = 0.25, 0.2, 16, 1e-8
DILATIONS = (1, 2, 4, 8)
BLOCKS = 2


class MultiScale(nn.Module):
    """Parallel 3x3 convolutions, dilations 1, 2, 4, 8, each to ch/4 channels, concatenated, leaky ReLU."""

    def __init__(self, cin, ch):
        super().__init__()
        self.branches = nn.ModuleList(nn.Conv2d(cin, ch // len(DILATIONS), 3, padding=d, dilation=d) for d in DILATIONS)

    def forward(self, x):
        return F.leaky_relu(torch.cat([b(x) for b in self.branches], 1), SLOPE)


class Body(nn.Module):
    """E's and D's shape: image and key plane centred as two channels, BLOCKS blocks, a 1x1 conv to logits."""

    def __init__(self, ch):
        super().__init__()
        self.blocks = nn.ModuleList(MultiScale(2 if i == 0 else ch, ch) for i in range(BLOCKS))
        self.out = nn.Conv2d(ch, 1, 1)

    def forward(self, img, plane):
        h = torch.cat([img - 0.5, plane - 0.5], 1)
        for b in self.blocks:
            h = b(h)
        return self.out(h)


def quantize(c):
    return c + (torch.round(c * 255) / 255 - c).detach()


def hist_loss(c):
    n = c.shape[0]
    v = (c * BINS).clamp(0.5, BINS - 0.5).reshape(n, -1, 1)
    centres = torch.arange(BINS, dtype=c.dtype).reshape(1, 1, BINS) + 0.5
    p = F.relu(1 - (v - centres).abs()).mean(1)
    return ((p - 1.0 / BINS) ** 2).sum(-1).mean() * BINS / (BINS - 1.0)


def corr_loss(c):
    def r2(a, b):
        a = a - a.mean(dim=(1, 2, 3), keepdim=True)
        b = b - b.mean(dim=(1, 2, 3), keepdim=True)
        cov = (a * b).mean(dim=(1, 2, 3))
        return cov * cov / ((a * a).mean(dim=(1, 2, 3)) * (b * b).mean(dim=(1, 2, 3)) + EPS)
    pairs = [(c[:, :, :, :-1], c[:, :, :, 1:]), (c[:, :, :-1, :], c[:, :, 1:, :]),
             (c[:, :, :-1, :-1], c[:, :, 1:, 1:]), (c[:, :, :-1, 1:], c[:, :, 1:, :-1])]
    return sum(r2(a, b).mean() for a, b in pairs) / len(pairs)


def inputs(crop, batch):
    """One step's inputs: images and two binary key planes."""
    return (torch.rand(batch, 1, crop, crop), torch.randint(0, 2, (batch, 1, crop, crop)).float(),
            torch.randint(0, 2, (batch, 1, crop, crop)).float())


def step(enc, dec, opt, x, k, k2):
    c = quantize(torch.sigmoid(enc(x, k)))
    logits = dec(c, k)
    wrong = torch.sigmoid(dec(c, k2))
    rec = (F.softplus(logits) - x * logits).mean()
    wk = F.relu(WRONG_MARGIN - (wrong - x).abs().mean())
    loss = REC * rec + HIST * hist_loss(c) + CORR * corr_loss(c) + WRONG * wk
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def time_steps(args, mkldnn):
    torch.backends.mkldnn.enabled = mkldnn
    torch.manual_seed(1)
    enc, dec = Body(args.channels), Body(args.channels)
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=LEARNING_RATE, betas=BETAS)
    # The inputs are drawn before the clock starts, as agilenet.Model.TimeSteps
    # prepares its batches: the time is the networks' alone.
    batches = [inputs(args.crop, args.batch) for _ in range(args.steps + 1)]
    step(enc, dec, opt, *batches[0])  # untimed warm-up
    times = []
    for b in batches[1:]:
        t0 = time.perf_counter()
        step(enc, dec, opt, *b)
        times.append(time.perf_counter() - t0)
    return sum(times) / len(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crop", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--channels", type=int, default=16)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--config", choices=["stock", "best"], default="stock")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {"torch": torch.__version__, "threads": args.threads, "config": args.config, "crop": args.crop,
           "batch": args.batch, "channels": args.channels, "steps": args.steps}
    if args.config == "stock":
        mean, median = time_steps(args, torch.backends.mkldnn.enabled)
        out["mkldnn"] = torch.backends.mkldnn.enabled
    else:
        on, off = time_steps(args, True), time_steps(args, False)
        out["mkldnn_on_seconds"], out["mkldnn_off_seconds"] = on[0], off[0]
        out["mkldnn"] = on[0] <= off[0]
        mean, median = on if on[0] <= off[0] else off
    out["step_seconds"], out["step_median_seconds"] = mean, median
    print(json.dumps(out))


if __name__ == "__main__":
    main()
