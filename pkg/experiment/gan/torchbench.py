#!/usr/bin/env python3
"""PyTorch CPU peer of neurocrypt's GAN cipher training step (pkg/models/gannet).

Times one training step of the GAN cipher -- one discriminator step, then one
generator/reconstructor step -- with the same networks, losses, Adam settings,
crop size, batch and float32 as pkg/models/gannet, so that the GoMLX backends
can be compared with PyTorch on the same machine. Written from gannet's godoc,
not from any other implementation; the weights are random (timing does not
depend on them) and fresh random inputs are drawn every step, as gannet draws
fresh key planes and uniform images.

  --config stock  PyTorch as installed: default oneDNN, default malloc.
  --config best   both oneDNN on and off are timed and the faster reported;
                  the caller also tunes glibc malloc (GLIBC_TUNABLES), so
                  large activations are not mmapped and unmapped each step.

Output: one JSON object on stdout. `neurocrypt reproduce -only gan` (which
embeds this file) runs it when PyTorch imports (Debian: apt-get install
python3-torch, or scripts/setup.sh --torch) and shows its numbers beside
GoMLX's; it never types them in.

Usage: python3 torchbench.py [--crop 64] [--batch 32] [--channels 16]
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

LEARNING_RATE, BETAS = 1e-3, (0.5, 0.999)
ADV, REC, KEY, WRONG = 0.2, 10.0, 1.0, 1.0
KEY_MARGIN, WRONG_MARGIN, SLOPE = 1.0 / 3, 0.25, 0.2
DILATIONS = (1, 2, 4)


class Mixer(nn.Module):
    """G's and R's body: two images as channels, dilated 3x3 convs, 1x1, sigmoid."""

    def __init__(self, ch):
        super().__init__()
        chans = [2] + [ch] * len(DILATIONS)
        self.convs = nn.ModuleList(nn.Conv2d(chans[i], ch, 3, padding=d, dilation=d) for i, d in enumerate(DILATIONS))
        self.out = nn.Conv2d(ch, 1, 1)

    def forward(self, a, b):
        h = torch.cat([a, b], 1)
        for c in self.convs:
            h = F.leaky_relu(c(h), SLOPE)
        return torch.sigmoid(self.out(h))


def wrap(x):
    return x - torch.floor(x).detach()


def quantize(c):
    return c + (torch.round(c * 255) / 255 - c).detach()


class Disc(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, ch, 3, padding=1), nn.Conv2d(4 * ch, ch, 3, padding=1), nn.Conv2d(4 * ch, ch, 3, padding=1)])
        self.dense = nn.Linear(ch, 1)

    def forward(self, c):
        h = c - 0.5
        for i, conv in enumerate(self.convs):
            if i > 0:
                h = F.pixel_unshuffle(h, 2)
            h = F.leaky_relu(conv(h), SLOPE)
        return self.dense(h.mean(dim=(2, 3))).squeeze(1)


def step(gen, rec, disc, opt_gr, opt_d, crop, batch):
    x = torch.rand(batch, 1, crop, crop)
    z = torch.rand(batch, 1, crop, crop)
    z2 = torch.rand(batch, 1, crop, crop)
    u = torch.randint(0, 256, (batch, 1, crop, crop)).float() / 255
    # D step: G's cipher images are constants.
    with torch.no_grad():
        c = quantize(wrap(gen(x, z) + z))
    loss_d = 0.5 * (F.softplus(-disc(u)).mean() + F.softplus(disc(c)).mean())
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    # G/R step: D's weights are frozen (no gradient computed for them).
    for p in disc.parameters():
        p.requires_grad_(False)
    c = quantize(wrap(gen(x, z) + z))
    c2 = quantize(wrap(gen(x, z2) + z2))
    adv = F.softplus(-disc(c)).mean()
    r = (rec(wrap(c - z), z) - x).abs().mean()
    key = F.relu(KEY_MARGIN - (c - c2).abs().mean())
    wrong = F.relu(WRONG_MARGIN - (rec(wrap(c - z2), z2) - x).abs().mean())
    loss = ADV * adv + REC * r + KEY * key + WRONG * wrong
    opt_gr.zero_grad(set_to_none=True)
    loss.backward()
    opt_gr.step()
    for p in disc.parameters():
        p.requires_grad_(True)


def time_steps(args, mkldnn):
    torch.backends.mkldnn.enabled = mkldnn
    torch.manual_seed(1)
    gen, rec, disc = Mixer(args.channels), Mixer(args.channels), Disc(args.channels)
    opt_gr = torch.optim.Adam(list(gen.parameters()) + list(rec.parameters()), lr=LEARNING_RATE, betas=BETAS)
    opt_d = torch.optim.Adam(disc.parameters(), lr=LEARNING_RATE, betas=BETAS)
    step(gen, rec, disc, opt_gr, opt_d, args.crop, args.batch)  # untimed warm-up
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step(gen, rec, disc, opt_gr, opt_d, args.crop, args.batch)
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
