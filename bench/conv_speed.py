"""How fast is the numpy conv2d?  Run: python bench/conv_speed.py

Two comparisons, measured side by side in one run: median (and min) of
several repeats with time.perf_counter, the contenders interleaved so that
both see the same machine load.

1. vectorized conv2d (im2col + matmul) on a ResNet-sized layer,
   x (8, 64, 56, 56), w (64, 64, 3, 3), float32, padding=1, against
   torch.nn.functional.conv2d on the CPU if torch is installed, otherwise
   against a scipy.signal.correlate2d reference (loops over channels).
2. conv2d against the teaching version conv2d_naive (explicit Python loops)
   on a small case, x (1, 3, 16, 16), w (4, 3, 3, 3).

Not a test: it prints a plain-text table and exits 0.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from snippets.convolution.layers import conv2d, conv2d_naive  # noqa: E402


def time_side_by_side(fns: dict, repeats: int, warmup: int = 1, pause: float = 0.0) -> dict:
    """Wall times (seconds) of each fn(), interleaved so every contender sees the same machine load.

    pause: seconds to sleep before each call.  OpenBLAS and OpenMP worker
    threads keep spinning for a while after a call returns; without a pause
    they steal the cores from whichever contender runs next.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            time.sleep(pause)
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def scipy_reference_conv2d(x, w, padding):
    """Per-channel scipy.signal.correlate2d, summed: the obvious library-based way."""
    from scipy import signal

    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c_in = x.shape[:2]
    c_out, _, kh, kw = w.shape
    out = np.empty((n, c_out, xp.shape[2] - kh + 1, xp.shape[3] - kw + 1), dtype=x.dtype)
    for b in range(n):
        for o in range(c_out):
            out[b, o] = sum(signal.correlate2d(xp[b, c], w[o, c], mode="valid") for c in range(c_in))
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []  # (implementation, case, list of seconds)

    # 1. A ResNet-style 3x3 layer.
    x = rng.standard_normal((8, 64, 56, 56)).astype(np.float32)
    w = rng.standard_normal((64, 64, 3, 3)).astype(np.float32)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)

        def reference():
            with torch.no_grad():
                return torch.nn.functional.conv2d(tx, tw, padding=1).numpy()

        ref_name = f"torch {torch.__version__} conv2d (CPU, {torch.get_num_threads()} thr)"
        repeats = 15
    else:

        def reference():
            return scipy_reference_conv2d(x, w, 1)

        ref_name = "scipy.signal.correlate2d per channel"
        repeats = 2  # seconds per call: a few repeats suffice
    times = time_side_by_side({"numpy": lambda: conv2d(x, w, padding=1), "ref": reference}, repeats, pause=0.2)
    err = float(np.max(np.abs(conv2d(x, w, padding=1) - reference())))
    case = "x(8,64,56,56) w(64,64,3,3) f32 p=1"
    rows.append(("numpy conv2d (im2col + matmul)", case, times["numpy"]))
    rows.append((ref_name, case, times["ref"]))

    # 2. The loop version on a small case.
    xs = rng.standard_normal((1, 3, 16, 16))
    ws = rng.standard_normal((4, 3, 3, 3))
    small = time_side_by_side({"fast": lambda: conv2d(xs, ws), "naive": lambda: conv2d_naive(xs, ws)}, 9)
    case = "x(1,3,16,16) w(4,3,3,3) f64"
    rows.append(("numpy conv2d (im2col + matmul)", case, small["fast"]))
    rows.append(("conv2d_naive (Python loops)", case, small["naive"]))

    med = statistics.median
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs; wall time in ms, contenders interleaved")
    print()
    print(f"{'implementation':<42} {'case':<35} {'median':>9} {'min':>9}")
    print("-" * 98)
    for name, case, ts in rows:
        print(f"{name:<42} {case:<35} {med(ts) * 1e3:>9.2f} {min(ts) * 1e3:>9.2f}")
    print()
    ratio, ratio_min = med(times["numpy"]) / med(times["ref"]), min(times["numpy"]) / min(times["ref"])
    print(f"numpy conv2d time / reference time: {ratio:.2f}x median, {ratio_min:.2f}x min  (max abs diff {err:.1e})")
    print(f"conv2d_naive time / conv2d time:    {med(small['naive']) / med(small['fast']):.0f}x median")


if __name__ == "__main__":
    main()
