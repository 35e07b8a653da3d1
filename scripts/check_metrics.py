#!/usr/bin/env python3
"""Independent reference implementation of neurocrypt's image metrics.

Used only by the Go tests of pkg/metrics (crosscheck_test.go) to verify the
Go code; written from the definitions with numpy, not ported from Go.

Usage:
    check_metrics.py [--extended] [--ssim-impl auto|skimage|scipy|numpy]
                     PLAIN.pgm CIPHER.pgm [CIPHER2.pgm]

Prints one JSON object with the keys of metrics.Report:
  entropy, corr_h, corr_v, corr_d, chi2   of CIPHER
  npcr, uaci   between CIPHER and CIPHER2 if given, else PLAIN and CIPHER
  psnr, ssim   between PLAIN and CIPHER
NaN and infinite values are written as null. SSIM is null for images smaller
than the 11x11 window. --extended adds chi2_p (the chi-square p-value, df 255)
and wu (Wu et al. 2011 NPCR/UACI critical values for the image size) using
scipy.stats, plus ssim_impl (which SSIM implementation ran).
"""
import argparse
import json
import math
import sys

import numpy as np

SIGMA = 1.5
WIN = 11
K1, K2, PEAK = 0.01, 0.03, 255.0


def read_pgm(path):
    """Reads an 8-bit binary (P5) or plain (P2) PGM into a 2-D uint8 array."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    tokens = []
    while len(tokens) < 4:
        # skip whitespace and comments
        while pos < len(data) and (data[pos:pos + 1].isspace() or data[pos:pos + 1] == b"#"):
            if data[pos:pos + 1] == b"#":
                while pos < len(data) and data[pos:pos + 1] not in (b"\n", b"\r"):
                    pos += 1
            else:
                pos += 1
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace() and data[pos:pos + 1] != b"#":
            pos += 1
        if start == pos:
            raise ValueError("%s: truncated PGM header" % path)
        tokens.append(data[start:pos].decode("ascii"))
    magic, w, h, maxval = tokens[0], int(tokens[1]), int(tokens[2]), int(tokens[3])
    if maxval < 1 or maxval > 255:
        raise ValueError("%s: only 8-bit PGM supported (maxval %d)" % (path, maxval))
    if magic == "P5":
        pos += 1  # exactly one whitespace byte after maxval
        raw = np.frombuffer(data, dtype=np.uint8, count=w * h, offset=pos)
    elif magic == "P2":
        raw = np.array(data[pos:].split()[: w * h], dtype=np.int64).astype(np.uint8)
    else:
        raise ValueError("%s: not a PGM (magic %r)" % (path, magic))
    if raw.size != w * h:
        raise ValueError("%s: expected %d pixels, got %d" % (path, w * h, raw.size))
    if maxval != 255:
        # Scale 0..maxval to 0..255, rounding to nearest (as the PGM
        # convention for comparing images of different depths does).
        raw = ((raw.astype(np.uint32) * 255 + maxval // 2) // maxval).astype(np.uint8)
    return raw.reshape(h, w)


def entropy(img):
    counts = np.bincount(img.ravel(), minlength=256).astype(np.float64)
    p = counts[counts > 0] / img.size
    return float(-(p * np.log2(p)).sum())


def chi2(img):
    counts = np.bincount(img.ravel(), minlength=256).astype(np.float64)
    expected = img.size / 256.0
    return float(((counts - expected) ** 2 / expected).sum())


def pearson(x, y):
    x = x.astype(np.float64).ravel()
    y = y.astype(np.float64).ravel()
    if x.size == 0:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    den = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    if den == 0:
        return float("nan")
    return float((dx * dy).sum() / den)


def correlations(img):
    return (pearson(img[:, :-1], img[:, 1:]),
            pearson(img[:-1, :], img[1:, :]),
            pearson(img[:-1, :-1], img[1:, 1:]))


def npcr_uaci(c1, c2):
    a, b = c1.astype(np.int64), c2.astype(np.int64)
    npcr = 100.0 * np.count_nonzero(a != b) / a.size
    uaci = 100.0 * np.abs(a - b).sum() / (255.0 * a.size)
    return float(npcr), float(uaci)


def psnr(a, b):
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    if mse == 0:
        return float("inf")
    return 10.0 * math.log10(PEAK * PEAK / mse)


def _ssim_from_moments(mx, my, mxx, myy, mxy):
    vx, vy, cxy = mxx - mx * mx, myy - my * my, mxy - mx * my
    c1, c2 = (K1 * PEAK) ** 2, (K2 * PEAK) ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return float(s.mean())


def ssim_numpy(a, b):
    """Wang et al. 2004 with an explicit 11x11 Gaussian and 'valid' windows."""
    r = WIN // 2
    t = np.arange(-r, r + 1, dtype=np.float64)
    g2 = np.exp(-(t[:, None] ** 2 + t[None, :] ** 2) / (2 * SIGMA ** 2))
    g2 /= g2.sum()
    x, y = a.astype(np.float64), b.astype(np.float64)
    windows = np.lib.stride_tricks.sliding_window_view

    def filt(z):
        return np.einsum("ijkl,kl->ij", windows(z, (WIN, WIN)), g2)

    return _ssim_from_moments(filt(x), filt(y), filt(x * x), filt(y * y), filt(x * y))


def ssim_scipy(a, b):
    from scipy.ndimage import gaussian_filter
    r = WIN // 2
    x, y = a.astype(np.float64), b.astype(np.float64)

    def filt(z):
        # truncate * sigma = r gives exactly an 11-tap kernel; crop the
        # border so that only windows fully inside the image remain.
        return gaussian_filter(z, SIGMA, truncate=r / SIGMA, mode="reflect")[r:-r, r:-r]

    return _ssim_from_moments(filt(x), filt(y), filt(x * x), filt(y * y), filt(x * y))


def ssim_skimage(a, b):
    from skimage.metrics import structural_similarity
    return float(structural_similarity(a.astype(np.float64), b.astype(np.float64),
                                       gaussian_weights=True, sigma=SIGMA,
                                       use_sample_covariance=False, data_range=PEAK))


def ssim(a, b, impl):
    if min(a.shape) < WIN:
        return float("nan"), "none"
    order = ["skimage", "scipy", "numpy"] if impl == "auto" else [impl]
    funcs = {"skimage": ssim_skimage, "scipy": ssim_scipy, "numpy": ssim_numpy}
    err = None
    for name in order:
        try:
            return funcs[name](a, b), name
        except ImportError as e:
            err = e
    raise err


def wu_critical(L, alpha):
    from scipy.stats import norm
    F = 255.0
    n_star = (F - norm.isf(alpha) * math.sqrt(F / L)) / (F + 1)
    mu = (F + 2) / (3 * F + 3)
    sd = math.sqrt((F + 2) * (F * F + 2 * F + 3) / (18 * (F + 1) ** 2 * L * F))
    z = norm.isf(alpha / 2)
    return {"npcr": 100 * n_star, "uaci_low": 100 * (mu - z * sd), "uaci_high": 100 * (mu + z * sd)}


def finite_or_none(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extended", action="store_true")
    ap.add_argument("--ssim-impl", default="auto", choices=["auto", "skimage", "scipy", "numpy"])
    ap.add_argument("images", nargs="+")
    args = ap.parse_args(argv)
    if len(args.images) not in (2, 3):
        ap.error("need PLAIN CIPHER [CIPHER2]")
    imgs = [read_pgm(p) for p in args.images]
    for p, im in zip(args.images[1:], imgs[1:]):
        if im.shape != imgs[0].shape:
            ap.error("%s is %dx%d, %s is %dx%d" % (p, im.shape[1], im.shape[0],
                                                   args.images[0], imgs[0].shape[1], imgs[0].shape[0]))
    plain, cipher = imgs[0], imgs[1]
    other = imgs[2] if len(imgs) == 3 else plain
    npcr, uaci = npcr_uaci(cipher, other)
    ch, cv, cd = correlations(cipher)
    s, impl = ssim(plain, cipher, args.ssim_impl)
    out = {
        "entropy": entropy(cipher), "npcr": npcr, "uaci": uaci,
        "corr_h": ch, "corr_v": cv, "corr_d": cd, "chi2": chi2(cipher),
        "psnr": psnr(plain, cipher), "ssim": s,
    }
    if args.extended:
        from scipy.stats import chi2 as chi2dist
        out["chi2_p"] = float(chi2dist.sf(out["chi2"], 255))
        out["wu"] = {str(a): wu_critical(cipher.size, a) for a in (0.05, 0.01, 0.001)}
        out["ssim_impl"] = impl
    out = {k: finite_or_none(v) for k, v in out.items()}
    json.dump(out, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
