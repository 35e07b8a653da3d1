#!/usr/bin/env python3
"""PyTorch CPU peer of neurocrypt's AlexNet-with-preprocessing training step (pkg/models/recognet).

Times one training step of recognet's AlexNetPre -- the paper's "AlexNet
with a preprocessing module": three fixed 5x5 high-pass filters on the grey
levels x255 ("same" padding), batch normalisation (batch statistics),
AlexNet's 12x12 stride-4 first convolution, then conv 5x5 / 3x3 / 3x3 / 3x3
with ReLUs, overlapping 3x3/2 max-pooling ("same" padding) placed before
local response normalisation, two hidden dense layers and the class logits;
softmax cross-entropy and Adam -- at the same image side, batch, width and
float32 as the Go side, so that the GoMLX backends can be compared with
PyTorch on the same machine. Written from recognet's godoc, not from any
other implementation. Go computes the first layer as a 4x4 space-to-depth
followed by a 3x3 convolution (the same layer, same parameters); here it is
the plain strided convolution. Tensors are NCHW where Go's are NHWC (same
parameter count, printed as "params"). Weights are random (timing does not
depend on them) and fresh random images and labels are drawn for every step,
before the clock starts. The constants below mirror recognet's (filters,
LRN, pooling, first layer, batch-norm epsilon, Adam) and the recognition
experiment's speed setting; the Go test TestTorchPeerConstants checks that
they still do.

  --config stock  PyTorch as installed: default oneDNN, default malloc.
  --config best   both oneDNN on and off are timed and the faster reported;
                  the caller also tunes glibc malloc (GLIBC_TUNABLES).

Output: one JSON object on stdout. `neurocrypt reproduce -only recognition`
(which embeds this file) runs it when PyTorch imports and shows its numbers
beside GoMLX's; it never types them in.

Usage: python3 recogbench.py [--side 128] [--batch 32] [--width 8]
       [--classes 2] [--steps 5] [--threads 2] [--config stock|best]
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

SIDE, BATCH, WIDTH, CLASSES = 128, 32, 8, 2
LEARNING_RATE, BETAS = 0.001, (0.9, 0.999)
LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K = 5, 0.0001, 0.75, 2
POOL_WINDOW, POOL_STRIDE = 3, 2
FIRST_KERNEL, FIRST_STRIDE = 12, 4
BN_EPS = 0.001
# The high-pass filters as (divisor, integer taps): KV, SRM square, SRM edge.
HPF_KV = (12, ((-1, 2, -2, 2, -1), (2, -6, 8, -6, 2), (-2, 8, -12, 8, -2), (2, -6, 8, -6, 2), (-1, 2, -2, 2, -1)))
HPF_SQUARE = (4, ((0, 0, 0, 0, 0), (0, -1, 2, -1, 0), (0, 2, -4, 2, 0), (0, -1, 2, -1, 0), (0, 0, 0, 0, 0)))
HPF_EDGE = (4, ((0, 0, 0, 0, 0), (0, -1, 2, -1, 0), (0, 2, -4, 2, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)))
HIGH_PASS = (HPF_KV, HPF_SQUARE, HPF_EDGE)


def pooled(side):
    """The side after one "same" 3x3/2 max-pooling: ceil(side/2), as GoMLX's PadSame (pad 1 each side)."""
    pad = (POOL_WINDOW - 1) // 2
    return (side + 2 * pad - POOL_WINDOW) // POOL_STRIDE + 1


class AlexNetPre(nn.Module):
    """recognet.AlexNetPre at width w: convs w, 2w, 3w, 3w, 2w; dense 8w, 8w, classes."""

    def __init__(self, side, w, classes):
        super().__init__()
        hp = torch.tensor([[[[t / d for t in row] for row in taps]] for d, taps in HIGH_PASS], dtype=torch.float32)
        self.register_buffer("hp", hp)  # fixed: no gradient, not a parameter
        self.bn = nn.BatchNorm2d(len(HIGH_PASS), eps=BN_EPS)
        self.conv1 = nn.Conv2d(len(HIGH_PASS), w, FIRST_KERNEL, stride=FIRST_STRIDE, padding=(FIRST_KERNEL - FIRST_STRIDE) // 2)
        self.conv2 = nn.Conv2d(w, 2 * w, 5, padding=2)
        self.conv3 = nn.Conv2d(2 * w, 3 * w, 3, padding=1)
        self.conv4 = nn.Conv2d(3 * w, 3 * w, 3, padding=1)
        self.conv5 = nn.Conv2d(3 * w, 2 * w, 3, padding=1)
        self.pool = nn.MaxPool2d(POOL_WINDOW, POOL_STRIDE, padding=(POOL_WINDOW - 1) // 2)
        self.lrn = nn.LocalResponseNorm(LRN_SIZE, alpha=LRN_ALPHA, beta=LRN_BETA, k=LRN_K)
        s = pooled(pooled(pooled(side // FIRST_STRIDE)))
        self.fc1 = nn.Linear(2 * w * s * s, 8 * w)
        self.fc2 = nn.Linear(8 * w, 8 * w)
        self.out = nn.Linear(8 * w, classes)

    def forward(self, x):
        h = F.conv2d(x * 255, self.hp, padding=2)
        h = self.bn(h)
        h = self.lrn(self.pool(F.relu(self.conv1(h))))
        h = self.lrn(self.pool(F.relu(self.conv2(h))))
        h = F.relu(self.conv3(h))
        h = F.relu(self.conv4(h))
        h = self.pool(F.relu(self.conv5(h)))
        h = torch.flatten(h, 1)
        h = F.relu(self.fc1(h))
        h = F.relu(self.fc2(h))
        return self.out(h)


def inputs(side, batch, classes):
    """One step's inputs: 8-bit grey images scaled to [0, 1] and class labels."""
    return torch.randint(0, 256, (batch, 1, side, side)).float() / 255, torch.randint(0, classes, (batch,))


def step(net, opt, x, labels):
    loss = F.cross_entropy(net(x), labels)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def build(args):
    torch.manual_seed(1)
    net = AlexNetPre(args.side, args.width, args.classes)
    net.train()  # batch normalisation on the batch statistics, as the Go training step
    return net, torch.optim.Adam(net.parameters(), lr=LEARNING_RATE, betas=BETAS)


def time_steps(args, mkldnn):
    torch.backends.mkldnn.enabled = mkldnn
    net, opt = build(args)
    # The inputs are drawn before the clock starts: the time is the
    # network's alone.
    batches = [inputs(args.side, args.batch, args.classes) for _ in range(args.steps + 1)]
    step(net, opt, *batches[0])  # untimed warm-up
    times = []
    for b in batches[1:]:
        t0 = time.perf_counter()
        step(net, opt, *b)
        times.append(time.perf_counter() - t0)
    return sum(times) / len(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=SIDE)
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--width", type=int, default=WIDTH)
    ap.add_argument("--classes", type=int, default=CLASSES)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--config", choices=["stock", "best"], default="stock")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net, _ = build(args)
    out = {"torch": torch.__version__, "threads": args.threads, "config": args.config, "side": args.side,
           "batch": args.batch, "width": args.width, "classes": args.classes, "steps": args.steps,
           "params": sum(p.numel() for p in net.parameters() if p.requires_grad)}
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
