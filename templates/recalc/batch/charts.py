"""PNG charts for sweeps and simulations (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def sweep_chart(df: Any, inputs: list[str], outputs: list[str], path: str | Path) -> Path:
    """Each numeric output over the first varied input; one line per combination of the
    other varied inputs (up to 8 lines, the rest are left out of the chart)."""
    plt = _plt()
    x = inputs[0]
    others = inputs[1:]
    numeric = [o for o in outputs if o in df and df[o].dtype.kind == "f"]
    fig, axes = plt.subplots(len(numeric) or 1, 1, figsize=(8, 3.2 * max(1, len(numeric))),
                             squeeze=False)
    groups = list(df.groupby(others, sort=False)) if others else [((), df)]
    for ax, out in zip(axes[:, 0], numeric, strict=False):
        for key, g in groups[:8]:
            label = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in zip(others, key if isinstance(key, tuple) else (key,),
                                              strict=False))
            ax.plot(g[x], g[out], marker="." if len(g) < 50 else None, label=label or None)
        ax.set_xlabel(x)
        ax.set_ylabel(out)
        if len(df[x]) and (df[x] > 0).all() and df[x].max() / max(df[x].min(), 1e-300) > 100:
            ax.set_xscale("log")
        if others:
            ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def histogram_chart(samples: dict[str, np.ndarray], stats: Any, path: str | Path) -> Path:
    """Histogram of each output with P5, P50 and P95 marked."""
    plt = _plt()
    names = list(samples)
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 3 * len(names)), squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        vals = samples[name]
        vals = vals[np.isfinite(vals)]
        if vals.size:
            ax.hist(vals, bins=60, color="#4C72B0", alpha=0.85)
            for q in ("p5", "p50", "p95"):
                ax.axvline(stats.loc[name, q], color="k", ls="--" if q != "p50" else "-", lw=1)
        ax.set_title(f"{name}: P5 / P50 / P95", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def tornado_chart(tornado: Any, path: str | Path) -> Path:
    """Tornado: per output, each input's swing (output at input P10 and P90, others at
    median), widest bar on top."""
    plt = _plt()
    outs = list(dict.fromkeys(tornado["output"]))
    fig, axes = plt.subplots(len(outs), 1, figsize=(8, 0.5 * len(tornado) + 1.5 * len(outs)),
                             squeeze=False)
    for ax, out in zip(axes[:, 0], outs, strict=True):
        t = tornado[tornado["output"] == out].sort_values("swing")
        base = float(t["base"].iloc[0]) if len(t) else 0.0
        y = np.arange(len(t))
        ax.barh(y, t["at_p10"] - base, left=base, color="#DD8452", label="input at P10")
        ax.barh(y, t["at_p90"] - base, left=base, color="#4C72B0", label="input at P90")
        ax.set_yticks(y, t["input"])
        ax.axvline(base, color="k", lw=1)
        ax.set_title(f"{out} (others at median = {base:,.4g})", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
