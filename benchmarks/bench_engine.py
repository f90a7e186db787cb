"""Engine speed: a million scenarios in one vectorised call vs a Python loop (the baseline).

Run: .venv/bin/python benchmarks/bench_engine.py [N]
Prints each figure and the ratio against the baseline, all in one run. The loop baseline is
timed on 2,000 scenarios and extrapolated to N (said in the output).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import engine as e


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(0)
    reqs = rng.uniform(1e3, 1e6, n)
    inp = rng.uniform(200, 4000, n)
    outp = rng.uniform(100, 1000, n)
    w = e.Workload(reqs, inp, outp, peak_to_average=2.0)
    o = e.SelfHost()
    price = e.api_price("gpt-4o")

    cases = {
        "api_monthly_cost_usd": (lambda w: e.api_monthly_cost_usd(price, w)),
        "selfhost_monthly_cost": (lambda w: e.selfhost_monthly_cost(w, o)),
        "breakeven_volume": (lambda w: e.breakeven_volume(price, w, o)),
    }
    sub = 2_000
    print(f"engine benchmark: {n:,} scenarios, numpy {np.__version__}")
    for name, fn in cases.items():
        vec = _time(lambda fn=fn: fn(w))

        def loop(fn=fn) -> None:
            for i in range(sub):
                fn(e.Workload(float(reqs[i]), float(inp[i]), float(outp[i]), peak_to_average=2.0))

        per_item = _time(loop, repeat=1) / sub
        ratio = per_item * n / vec
        print(f"  {name:24s} vectorised {vec:8.3f} s for {n:,} ({n / vec:,.0f}/s); "
              f"baseline Python loop {per_item * 1e6:8.1f} µs/scenario "
              f"(timed on {sub:,}, extrapolated {per_item * n:,.0f} s) → {ratio:,.0f}×")

    t0 = time.perf_counter()
    t = e.tco_projection(price, e.Workload(reqs[:100_000], inp[:100_000], outp[:100_000]), o,
                         horizon_months=36)
    dt = time.perf_counter() - t0
    print(f"  tco_projection           {dt:8.3f} s for 100,000 scenarios × 36 months "
          f"({t.api_usd.size:,} cells)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
