#!/usr/bin/env python3
"""PyTorch CPU reference timings for neurocrypt's ANC / CPA-ANC (pkg/models/ancnet).

Times, on the CPU, the same training rounds that pkg/models/ancnet's benchmarks time,
with the same architectures, losses, optimiser, batch and float32, so that
the GoMLX backends can be compared with PyTorch on the same machine:

  anc  one round = 1 Alice-Bob step + 2 Eve steps (Abadi & Andersen 2016)
  cpa  one round = 1 Alice-Bob step + 20 Eve steps (Coutinho et al. 2018
       train 3 : 60; this is a third of such a round)

and the encryption throughput of a CPA-ANC Alice (inference, N/8 plaintext
bytes per block, one call per batch), as MeasureThroughput does it.

--config stock times PyTorch as installed. --config best times each of the
three measurements with oneDNN (torch.backends.mkldnn) on and off and keeps
the faster, and is meant to run with glibc malloc tuned by the caller
(GLIBC_TUNABLES mmap and trim thresholds, so that the MB-sized activations
of a batch-4096 step are reused from the heap rather than mmapped and
unmapped every step); both report their thread count.

It is written from the papers' definitions (see pkg/models/ancnet's godoc), not from
any other implementation. The weights are random: timing does not depend on
them. Fresh random bits are drawn for every step, as pkg/models/ancnet does.

Output: one JSON object on stdout. `neurocrypt reproduce` (the anc
experiment, which embeds this file) runs it
when `python3 -c "import torch"` works (Debian: apt-get install
python3-torch, or scripts/setup.sh --torch) and puts its numbers next to
GoMLX's in the ANC report; it never types them in.

Usage: python3 pkg/experiment/anc/torchbench.py [--n 16] [--batch 4096] [--rounds 20]
       [--threads 2] [--encrypt-mb 8] [--encrypt-batch 65536] [--seed 1]
       [--config stock|best] [--variants anc|cpa|both]

Round times are the mean and the median of the timed rounds (--steps is
--rounds, for `neurocrypt bench`); an unasked variant reports 0.
"""

import argparse
import json
import math
import platform
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # reported as JSON so that the caller can show it
    print(json.dumps({"error": "PyTorch is not installed: %s" % e}))
    sys.exit(3)

LEARNING_RATE = 0.0008  # both papers
ANC_EVE_PER_ROUND = 2  # Abadi & Andersen
CPA_EVE_PER_AB = 20  # Coutinho: 60 Eve steps per 3 Alice-Bob steps
CPA_EVE_HIDDEN = 4  # 4N hidden angles
GAMMA = 7.0
ANGLE_CLIP = 1e-6
# (window, in, out, stride) of the "mix & transform" convolutions.
CONVS = [(4, 1, 2, 1), (2, 2, 4, 2), (1, 4, 4, 1), (1, 4, 1, 1)]


class Transform(nn.Module):
    """The four 1-D convolutions, TensorFlow "same" padding, no bias."""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(i, o, w, stride=s, bias=False) for (w, i, o, s) in CONVS)

    def forward(self, h):
        x = h.unsqueeze(1)  # [B, 1, 2N]
        for j, (conv, (w, _, _, s)) in enumerate(zip(self.convs, CONVS)):
            length = x.shape[2]
            lo = (length + s - 1) // s
            pad = max((lo - 1) * s + w - length, 0)
            if pad:
                x = F.pad(x, (pad // 2, pad - pad // 2))
            x = conv(x)
            x = torch.sigmoid(x) if j < len(CONVS) - 1 else torch.tanh(x)
        return x.squeeze(1)


class MixTransform(nn.Module):
    """Dense 2N -> 2N with sigmoid, then Transform (Alice and Bob)."""

    def __init__(self, n):
        super().__init__()
        self.dense = nn.Linear(2 * n, 2 * n)
        self.transform = Transform()

    def forward(self, a, k):
        return self.transform(torch.sigmoid(self.dense(torch.cat([a, k], 1))))


class ANCEve(nn.Module):
    """Dense N -> 2N -> 2N with sigmoids, then Transform."""

    def __init__(self, n):
        super().__init__()
        self.d0 = nn.Linear(n, 2 * n)
        self.d1 = nn.Linear(2 * n, 2 * n)
        self.transform = Transform()

    def forward(self, c):
        return self.transform(torch.sigmoid(self.d1(torch.sigmoid(self.d0(c)))))


def angle(b):
    x = (1 - 2 * b).clamp(-1 + ANGLE_CLIP, 1 - ANGLE_CLIP)
    return torch.arccos(x)


def inv_angle(a):
    return (1 - torch.cos(a)) / 2


class CPAKeyholder(nn.Module):
    """Angles of (x, k), one linear layer 2N -> N without bias, InvAngle."""

    def __init__(self, n, exact_bits):
        super().__init__()
        self.dense = nn.Linear(2 * n, n, bias=False)
        self.exact_bits = exact_bits

    def forward(self, x, k):
        xk = torch.cat([x, k], 1)
        a = xk * math.pi if self.exact_bits else angle(xk)
        return inv_angle(self.dense(a))


class CPAEve(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.d0 = nn.Linear(3 * n, CPA_EVE_HIDDEN * n, bias=False)
        self.d1 = nn.Linear(CPA_EVE_HIDDEN * n, 2)

    def forward(self, p0, p1, c):
        return self.d1(inv_angle(self.d0(angle(torch.cat([p0, p1, c], 1)))))


def pm_bits(gen, batch, n):
    return torch.randint(0, 2, (batch, n), generator=gen).float() * 2 - 1


def bits01(gen, batch, n):
    return torch.randint(0, 2, (batch, n), generator=gen).float()


def bits_wrong_pm(p, x):
    return (p - x).abs().sum(1) * 0.5


def time_rounds(fn, rounds):
    """Mean and median seconds of rounds calls of fn, after one untimed call."""
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"seconds": sum(times) / len(times), "median_seconds": statistics.median(times)}


def bench_anc(n, batch, rounds, gen):
    alice, bob, eve = MixTransform(n), MixTransform(n), ANCEve(n)
    opt_ab = torch.optim.Adam(list(alice.parameters()) + list(bob.parameters()), lr=LEARNING_RATE)
    opt_e = torch.optim.Adam(eve.parameters(), lr=LEARNING_RATE)

    def round_():
        p, k = pm_bits(gen, batch, n), pm_bits(gen, batch, n)
        c = alice(p, k)
        bob_err = bits_wrong_pm(p, bob(c, k)).mean()
        eve_bits = bits_wrong_pm(p, eve(c))  # per block
        # The reference form (authors' code): Eve's gap squared per block, then averaged.
        loss = bob_err / n + ((1 - eve_bits / (n / 2)) ** 2).mean()
        opt_ab.zero_grad(set_to_none=True)
        loss.backward()
        opt_ab.step()
        for _ in range(ANC_EVE_PER_ROUND):
            p, k = pm_bits(gen, batch, n), pm_bits(gen, batch, n)
            with torch.no_grad():
                c = alice(p, k)
            loss_e = bits_wrong_pm(p, eve(c)).mean()
            opt_e.zero_grad(set_to_none=True)
            loss_e.backward()
            opt_e.step()

    return time_rounds(round_, rounds)


def cpa_batch(gen, batch, n):
    p0, p1, k = bits01(gen, batch, n), bits01(gen, batch, n), bits01(gen, batch, n)
    t = torch.randint(0, 2, (batch,), generator=gen).float()
    p = torch.where(t.unsqueeze(1) > 0, p1, p0)
    return p0, p1, p, k, t


def bench_cpa(n, batch, rounds, gen, alpha=0.015):
    alice, bob, eve = CPAKeyholder(n, True), CPAKeyholder(n, False), CPAEve(n)
    opt_ab = torch.optim.Adam(list(alice.parameters()) + list(bob.parameters()), lr=LEARNING_RATE)
    opt_e = torch.optim.Adam(eve.parameters(), lr=LEARNING_RATE)

    def round_():
        p0, p1, p, k, t = cpa_batch(gen, batch, n)
        c = alice(p, k)
        bob_loss = (p - bob(c, k)).abs().sum(1).mean()
        logits = eve(p0, p1, c)
        prob = F.softmax(logits, 1)
        eve_err = 1 - (t * prob[:, 1] + (1 - t) * prob[:, 0]).mean()
        reg = sum((m.dense.weight ** 2).sum() for m in (alice, bob)) * (alpha / n)
        loss = bob_loss - GAMMA * torch.clamp(eve_err, max=0.5) + reg
        opt_ab.zero_grad(set_to_none=True)
        loss.backward()
        opt_ab.step()
        for _ in range(CPA_EVE_PER_AB):
            p0, p1, p, k, t = cpa_batch(gen, batch, n)
            with torch.no_grad():
                c = alice(p, k)
            logp = F.log_softmax(eve(p0, p1, c), 1)
            loss_e = -(t * logp[:, 1] + (1 - t) * logp[:, 0]).mean()
            opt_e.zero_grad(set_to_none=True)
            loss_e.backward()
            opt_e.step()

    return time_rounds(round_, rounds)


def bench_encrypt(n, mb, block_batch, gen):
    alice = CPAKeyholder(n, True)
    blocks_total = int(mb * (1 << 20) * 8 / n)
    calls = max(1, -(-blocks_total // block_batch))
    p, k = bits01(gen, block_batch, n), bits01(gen, block_batch, n)
    with torch.no_grad():
        alice(p, k)
        start = time.perf_counter()
        for _ in range(calls):
            alice(p, k).numpy()
        secs = time.perf_counter() - start
    done = calls * block_batch * n / 8 / (1 << 20)
    return {"mb": done, "seconds": secs, "mb_per_sec": done / secs, "batch": block_batch, "calls": calls}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=16, help="key/plaintext bits")
    ap.add_argument("--batch", type=int, default=4096, help="minibatch")
    ap.add_argument("--rounds", "--steps", type=int, default=20, help="timed rounds per variant")
    ap.add_argument("--variants", choices=["anc", "cpa", "both"], default="both", help="which rounds to time")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--encrypt-mb", type=float, default=8, help="MiB of plaintext for the throughput row (0: skip)")
    ap.add_argument("--encrypt-batch", type=int, default=1 << 16, help="blocks per encryption call")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--config", choices=["stock", "best"], default="stock",
                    help="stock: as installed; best: oneDNN on and off, the faster (tune malloc outside)")
    a = ap.parse_args()
    if a.n < 1 or a.batch < 1 or a.rounds < 1 or a.threads < 1 or a.encrypt_batch < 1 or a.encrypt_mb < 0:
        ap.error("--n, --batch, --rounds, --threads and --encrypt-batch must be >= 1, --encrypt-mb >= 0")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    stock_mkldnn = torch.backends.mkldnn.enabled

    def measure(fn):
        """Runs fn in the configuration asked for: (result, oneDNN on?, {on, off})."""
        if a.config == "stock":
            return fn(), stock_mkldnn, None
        times = {}
        for on in (True, False):
            torch.backends.mkldnn.enabled = on
            times[on] = fn()
        torch.backends.mkldnn.enabled = stock_mkldnn
        secs = lambda r: r["seconds"] if isinstance(r, dict) else r
        best = min(times, key=lambda on: secs(times[on]))
        return times[best], best, {"on": secs(times[True]), "off": secs(times[False])}

    skipped = ({"seconds": 0.0, "median_seconds": 0.0}, False, None)
    anc, anc_mkldnn, anc_both = skipped
    cpa, cpa_mkldnn, cpa_both = skipped
    if a.variants in ("anc", "both"):
        anc, anc_mkldnn, anc_both = measure(lambda: bench_anc(a.n, a.batch, a.rounds, gen))
    if a.variants in ("cpa", "both"):
        cpa, cpa_mkldnn, cpa_both = measure(lambda: bench_cpa(a.n, a.batch, a.rounds, gen))
    out = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "config": a.config,
        "n": a.n,
        "batch": a.batch,
        "rounds": a.rounds,
        "anc_round_seconds": anc["seconds"],
        "cpa_round_seconds": cpa["seconds"],
        "anc_round_median_seconds": anc["median_seconds"],
        "cpa_round_median_seconds": cpa["median_seconds"],
        "anc_mkldnn": anc_mkldnn,
        "cpa_mkldnn": cpa_mkldnn,
        "cpa_eve_per_round": CPA_EVE_PER_AB,
        "anc_eve_per_round": ANC_EVE_PER_ROUND,
    }
    if anc_both:
        out["anc_mkldnn_seconds"] = anc_both
    if cpa_both:
        out["cpa_mkldnn_seconds"] = cpa_both
    if a.encrypt_mb > 0:
        enc, enc_mkldnn, _ = measure(lambda: bench_encrypt(a.n, a.encrypt_mb, a.encrypt_batch, gen))
        enc["mkldnn"] = enc_mkldnn
        out["encrypt"] = enc
    print(json.dumps(out))


if __name__ == "__main__":
    main()
