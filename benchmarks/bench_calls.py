"""One Excel function call over a range: seconds per call at 10^4, 10^5 and 10^6 cells.

Run: .venv/bin/python benchmarks/bench_calls.py [--sizes 10000,100000,1000000] [--only NAME]
[--repeat N]

Every function of the catalog is called once through ``udfs.call`` with a range in its main
argument(s), given the way xlwings passes a range (a list of rows). Values are seeded random
and valid, with 1 % hostile cells (text, negatives, NaN, error values) so the error path is
timed too. Extra lines time the shapes named in issue 15: a 1000×1 column against a 1×1000
row, HYBRID_SHARE over a square range, LLM_PRICE over a range of model names (a handful of
distinct names, 1,000 unknown provider names, every model name distinct, every provider name
distinct). The script stops if a catalog function has no line. The target is
≤ 2 s per call at 10^6 cells on a 2-core machine; a line over it is marked "SLOW". Each
call starts from the same state: the previous call's result is freed and collected outside
the timing (a million-cell result left alive made the next line up to ~0.5 s slower, by
its order in the table alone). With ``--repeat N`` each line is called N times (fresh
ranges each time) and shows the median, the best in brackets; the median is judged.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import udfs
from udfs import call

TARGET_S = 2.0
BASE = ("gpt-4o", "Llama-3.1-8B", "H100-SXM")
HOSTILE = ["lots", -1.0, float("nan"), "#N/A", None, True, "1e6", float("inf")]


def _column(rng: np.random.Generator, n: int, low: float, high: float,
            hostile: bool = True) -> list[list[Any]]:
    x = rng.uniform(low, high, n).tolist()
    if hostile:
        for i in rng.choice(n, max(1, n // 100), replace=False).tolist():
            x[i] = HOSTILE[i % len(HOSTILE)]
    return [[v] for v in x]


def _square(col: list[list[Any]]) -> list[list[Any]]:
    side = math.isqrt(len(col))
    flat = [r[0] for r in col[: side * side]]
    return [flat[i * side:(i + 1) * side] for i in range(side)]


def _calls(rng: np.random.Generator, n: int) -> dict[str, Callable[[], tuple[str, Any]]]:
    """Each line as a builder of its (function, arguments): the ranges are built just before
    the line is timed (only the call is timed) and dropped after it."""
    c = lambda lo, hi: _column(rng, n, lo, hi)  # noqa: E731
    return {k: (lambda k=k: _lines(rng, n, c, k)) for k in LINES}


LINES = ("LLM_PRICE", "LLM_PRICE (every name distinct)", "LLM_PRICE (unknown providers)",
         "LLM_PRICE (every provider distinct)",
         "LLM_API_COST", "LLM_API_COST (column × row)", "LLM_API_MONTHLY", "GPU_SPEC",
         "GPU_HOURLY", "SELFHOST_THROUGHPUT", "SELFHOST_GPUS", "SELFHOST_MONTHLY_COST",
         "FINETUNE_COST", "TCO_MONTHLY", "TCO_TABLE", "BREAKEVEN_TOKENS", "ONPREM_PURCHASE",
         "BREAKEVEN_MONTHS", "HYBRID_COST", "HYBRID_SHARE", "LLM_STRATEGY",
         "LLM_STRATEGY (with reasons)", "TOKENS_ESTIMATE", "LLM_WHY")
#: Lines not run above a number of cells (none since distinct unknown names are screened
#: without a catalog search each, issue 15).
MAX_CELLS: dict[str, int] = {}


def _lines(rng: np.random.Generator, n: int, c: Callable[..., Any], which: str) -> Any:
    months = lambda: [[float(v)] for v in rng.integers(1, 61, n)]  # noqa: E731
    names = [["gpt-4o"], ["claude-sonnet-4-5"], ["gpt-4o-mini"], ["no-such-model"]]
    few = lambda: [names[i % 4] for i in range(n)]  # noqa: E731
    many = lambda: [[f"model-{i}"] for i in range(n)]  # noqa: E731
    chars = lambda: [[float(v)] for v in rng.integers(0, 10_000, n)]  # noqa: E731
    side = math.isqrt(n)
    row = lambda: [rng.uniform(0, 5e6, side).tolist()]  # noqa: E731
    colv = lambda: [[v] for v in rng.uniform(0, 5e6, side).tolist()]  # noqa: E731
    names_col = lambda: [["H100-SXM"], ["A100-80GB"]] * (n // 2)  # noqa: E731
    providers = lambda: [[f"prov-{i % 1000}"] for i in range(n)]  # noqa: E731
    return {
        "LLM_PRICE": lambda: ("LLM_PRICE", (few(), "output")),
        "LLM_PRICE (every name distinct)": lambda: ("LLM_PRICE", (many(), "output")),
        "LLM_PRICE (unknown providers)": lambda: ("LLM_PRICE", ("gpt-4o", "input", providers())),
        "LLM_PRICE (every provider distinct)": lambda: ("LLM_PRICE", (
            "gpt-4o", "input", [[f"prov-{i}"] for i in range(n)])),
        "LLM_API_COST": lambda: ("LLM_API_COST", ("gpt-4o", c(0, 1e8), c(0, 1e7))),
        "LLM_API_COST (column × row)": lambda: ("LLM_API_COST", ("gpt-4o", colv(), row())),
        "LLM_API_MONTHLY": lambda: ("LLM_API_MONTHLY", ("gpt-4o", c(0, 1e5), 1500, 500)),
        "GPU_SPEC": lambda: ("GPU_SPEC", (names_col(), "memory_gb")),
        "GPU_HOURLY": lambda: ("GPU_HOURLY", ("H100-SXM", "rent", c(0.5, 5))),
        "SELFHOST_THROUGHPUT": lambda: ("SELFHOST_THROUGHPUT", ("Llama-3.1-8B", "H100-SXM",
                                                        c(10, 4000), 500)),
        "SELFHOST_GPUS": lambda: ("SELFHOST_GPUS", ("Llama-3.1-8B", "H100-SXM", c(0, 1e7), 1500,
                                                    500)),
        "SELFHOST_MONTHLY_COST": lambda: ("SELFHOST_MONTHLY_COST", ("Llama-3.1-8B", "H100-SXM",
                                                            c(0, 1e7), 1500, 500)),
        "FINETUNE_COST": lambda: ("FINETUNE_COST", ("Llama-3.1-8B", c(1e6, 1e9))),
        "TCO_MONTHLY": lambda: ("TCO_MONTHLY", (*BASE, c(0, 1e6), 1500, 500, months())),
        "TCO_TABLE": lambda: ("TCO_TABLE", (*BASE, c(0, 1e6), 1500, 500)),
        "BREAKEVEN_TOKENS": lambda: ("BREAKEVEN_TOKENS", (*BASE, c(10, 4000), 500)),
        "ONPREM_PURCHASE": lambda: ("ONPREM_PURCHASE", ("gpt-4o", "Llama-3.1-8B", "H100-SXM",
                                                        c(1, 64), 1000, 1000)),
        "BREAKEVEN_MONTHS": lambda: ("BREAKEVEN_MONTHS", (c(0, 1e6), c(-1e4, 1e5))),
        "HYBRID_COST": lambda: ("HYBRID_COST", (*BASE, c(0, 1e7), 1500, 500, 0.5)),
        "HYBRID_SHARE": lambda: ("HYBRID_SHARE", (*BASE, _square(c(0, 1e7)), 1500, 500)),
        "LLM_STRATEGY": lambda: ("LLM_STRATEGY", (c(0, 1e8), 20_000, 15_000)),
        "LLM_STRATEGY (with reasons)": lambda: ("LLM_STRATEGY", (c(0, 1e8), 20_000, 15_000,
                                                                  *(True,) * 7)),
        "TOKENS_ESTIMATE": lambda: ("TOKENS_ESTIMATE", (chars(),)),
        "LLM_WHY": lambda: ("LLM_WHY", ("LLM_API_COST", "gpt-4o", c(0, 1e8), 1)),
    }[which]()


def _cells(out: Any) -> int:
    return sum(len(r) for r in out) if isinstance(out, list) else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--only", default="", help="run only lines whose name starts with this")
    ap.add_argument("--repeat", type=int, default=1, help="calls per line (median shown)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    timed = {label.split(" (")[0] for label in LINES}
    if missing := set(udfs.FUNCTIONS) - timed:  # a new catalog function needs its line
        raise SystemExit(f"bench_calls has no line for {', '.join(sorted(missing))}")
    call("LLM_API_COST", "gpt-4o", 1, 1)  # load the price catalog once, outside the timings
    for name in udfs.FUNCTIONS:
        call(name)
    rng = np.random.default_rng(15)
    table: dict[str, list[str]] = {}
    slow = []
    for n in sizes:
        for label, build in _calls(rng, n).items():
            if args.only and not label.startswith(args.only):
                continue
            if n > MAX_CELLS.get(label, n):
                table.setdefault(label, []).append("(not run, see MAX_CELLS)")
                continue
            times = []
            for _ in range(max(1, args.repeat)):
                name, fargs = build()
                t0 = time.perf_counter()
                out = call(name, *fargs)
                times.append(time.perf_counter() - t0)
                cells = _cells(out)
                del fargs, out
                gc.collect()  # the next call starts from the same heap (see the docstring)
            dt = statistics.median(times)
            best = f" ({min(times):.3f})" if len(times) > 1 else ""
            mark = " SLOW" if dt > TARGET_S else ""
            if dt > TARGET_S and n >= 10**6:
                slow.append(label)
            table.setdefault(label, []).append(f"{dt:8.3f} s{best}{mark:5} ({cells:>9,} cells)")
    print(f"{'function':34}" + "".join(f"{n:>30,}" for n in sizes))
    for label, cols in table.items():
        print(f"{label:34}" + "".join(f"{c:>30}" for c in cols))
    print(f"target: <= {TARGET_S:g} s per call at 10^6 cells; "
          + (f"over it: {', '.join(slow)}" if slow else "every function within it"))


if __name__ == "__main__":
    main()
