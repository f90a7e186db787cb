"""Monte Carlo over uncertain inputs: percentiles, P(A < B), histogram and tornado.

Reproducibility: draws come in fixed chunks of ``chunk_size`` scenarios; chunk ``i`` uses
its own generator seeded by ``SeedSequence(seed).spawn(n_chunks)[i]``. Chunk boundaries
depend only on ``n`` and ``chunk_size``, never on ``workers`` or ``dask``, so the same seed
gives identical numbers wherever the chunks run.

Within a chunk the inputs are drawn in the order given (each input draws its whole chunk
before the next input), so adding an input after the others leaves their draws unchanged.

Sensitivity (tornado): one-at-a-time swings. Each input is set to its sampled P10 and P90
while every other distributed input sits at its sampled median (inputs not in ``dists``
keep the workbook's values); the bar is the output at those two points. Rank correlation
is not used: swings are in the output's own unit, which is what a budget owner asks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compile import Plan, get_plan
from .distributions import Dist, parse_dist
from .errors import BatchInputError
from .parallel import chunk_bounds, map_chunks
from .values import V

CHUNK = 10_000


def _numeric(v: V, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(float values with NaN at errors or non-numbers, error codes) of length ``n``."""
    d = np.broadcast_to(v.d, (n,))
    if d.dtype == np.float64 or d.dtype == bool:
        x = d.astype(float)
    else:
        x = np.array([float(y) if isinstance(y, float | int) and not isinstance(y, bool)
                      else np.nan for y in d])
    e = np.zeros(n, np.int8) if v.e is None else np.broadcast_to(v.e, (n,)).astype(np.int8)
    x = np.where(e != 0, np.nan, x)
    return x, e


def _mc_chunk(plan: Plan, dists: list[tuple[str, Dist]], n: int,
              seed: np.random.SeedSequence, outputs: list[str]) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    inputs = {ref: d.sample(rng, n) for ref, d in dists}
    res = plan.evaluate(inputs, outputs)
    out: dict[str, Any] = {"inputs": inputs, "values": {}, "errors": {}, "texts": {}}
    for o, v in res.items():
        out["values"][o], out["errors"][o] = _numeric(v, n)
        out["texts"][o] = _texts(v, n)
    return out


def _texts(v: V, n: int) -> dict[str, int]:
    """How often each text value (e.g. "never" for a payback that does not happen) occurs
    among the draws that are not Excel errors."""
    d = np.broadcast_to(v.d, (n,))
    if d.dtype == np.float64 or d.dtype == bool:
        return {}
    e = np.zeros(n, np.int8) if v.e is None else np.broadcast_to(v.e, (n,))
    counts: dict[str, int] = {}
    for y, err in zip(d, e, strict=True):
        if isinstance(y, str) and not err:
            counts[y] = counts.get(y, 0) + 1
    return counts


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    n : int
        Scenarios drawn.
    seed : int
        The seed used (the generated one when none was given): pass it back to reproduce.
    samples : pandas.DataFrame
        One row per scenario: drawn inputs, then outputs (NaN where the scenario gave an
        Excel error or a non-number).
    stats : pandas.DataFrame
        Per output: ``p5``, ``p50``, ``p95``, ``mean``, ``sd`` (sample, ddof=1) over the
        numeric scenarios, ``errors`` (count of scenarios with an Excel error) and
        ``happens`` (share of scenarios giving a number: a payback month, not "never").
    otherwise : dict
        Per output whose other scenarios gave text: the most frequent text (``"never"``).
    compare : tuple of str or None
        ``(A, B)`` when asked; ``p_a_less_b`` is then P(A < B) over scenarios where both
        are numbers.
    tornado : pandas.DataFrame
        Per (output, input): the input's P10/P90, the output at the all-median base and at
        the input's P10 and P90, and ``swing`` = |at_p90 − at_p10|.
    """

    path: str
    n: int
    seed: int
    dists: dict[str, Dist]
    outputs: list[str]
    samples: Any
    stats: Any
    compare: tuple[str, str] | None = None
    p_a_less_b: float | None = None
    tornado: Any = None
    notes: list[str] = field(default_factory=list)
    otherwise: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-scenario samples)."""
        out: dict[str, Any] = {
            "workbook": self.path,
            "n": self.n,
            "seed": self.seed,
            "inputs": {k: str(v) for k, v in self.dists.items()},
            "outputs": {
                o: {k: (None if not math.isfinite(float(x)) else float(x))
                    for k, x in self.stats.loc[o].items()}
                for o in self.outputs
            },
        }
        for o, text in self.otherwise.items():
            out["outputs"][o]["otherwise"] = text
        if self.compare is not None:
            out["compare"] = {"a": self.compare[0], "b": self.compare[1],
                              "p_a_less_b": self.p_a_less_b}
        if self.tornado is not None:
            out["tornado"] = [
                {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                 for k, v in row.items()}
                for row in self.tornado.to_dict(orient="records")
            ]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def histogram(self, path: str | Path) -> Path:
        """Write the histogram PNG of every output."""
        from .charts import histogram_chart

        return histogram_chart({o: self.samples[o].to_numpy() for o in self.outputs},
                               self.stats, path)

    def tornado_chart(self, path: str | Path) -> Path:
        """Write the tornado PNG (needs ``tornado``)."""
        from .charts import tornado_chart

        return tornado_chart(self.tornado, path)


def simulate(
    path: str | Path,
    dists: Mapping[str, Dist | str],
    n: int,
    outputs: Sequence[str],
    seed: int | None = None,
    *,
    compare: Sequence[str] | None = None,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = False,
    chunk_size: int = CHUNK,
    tornado: bool = True,
) -> SimulationResult:
    """Monte Carlo of ``n`` draws of ``dists`` through the workbook.

    Parameters
    ----------
    path : str or Path
        The workbook.
    dists : mapping
        Input cell (``Sheet!A1`` or defined name) → :class:`Dist` or text like
        ``"pert(1, 2, 5)"``.
    n : int
        Number of scenarios (>= 1).
    outputs : sequence of str
        Output cells.
    seed : int, optional
        Same seed → identical numbers (any ``workers``/``dask``). None draws one.
    compare : (A, B), optional
        Report P(A < B), e.g. ``("out_selfhost_monthly", "out_api_monthly")``: the
        probability that self-hosting is cheaper.
    workers, dask, progress
        Where chunks run (:func:`templates.recalc.batch.parallel.map_chunks`).
    chunk_size : int
        Draws per chunk (part of the reproducibility key with the seed).
    tornado : bool
        Compute the one-at-a-time sensitivity table.
    """
    import pandas as pd

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
        raise BatchInputError("-n", "must be a whole number >= 1", n)
    if not dists:
        raise BatchInputError("--dist", "needs at least one input distribution", dict(dists))
    if not outputs:
        raise BatchInputError("--outputs", "needs at least one output cell", list(outputs))
    if chunk_size < 1:
        raise BatchInputError("chunk_size", "must be >= 1", chunk_size)
    parsed = {ref: d if isinstance(d, Dist) else parse_dist(d, f"--dist {ref}")
              for ref, d in dists.items()}
    outs = list(dict.fromkeys(outputs))
    cmp: tuple[str, str] | None = None
    if compare:
        if len(compare) != 2:
            raise BatchInputError("--compare", "must name two outputs: A,B", list(compare))
        cmp = (compare[0].strip(), compare[1].strip())
        for c in cmp:
            if c not in outs:
                outs.append(c)
    plan = get_plan(path)
    for ref in parsed:
        plan.resolve_ref(ref, "--dist")
    for o in outs:
        plan.resolve_ref(o, "--outputs")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise BatchInputError("--seed", "must be a whole number >= 0", seed)
    bounds = chunk_bounds(int(n), chunk_size)
    seeds = np.random.SeedSequence(int(seed)).spawn(len(bounds))
    items = list(parsed.items())
    tasks = [(items, t - s, ss, outs) for (s, t), ss in zip(bounds, seeds, strict=True)]
    parts = map_chunks(_mc_chunk, plan, tasks, workers=workers, dask=dask, progress=progress,
                       label="Monte Carlo")
    table: dict[str, np.ndarray] = {}
    for ref in parsed:
        table[ref] = np.concatenate([p["inputs"][ref] for p in parts])
    errors: dict[str, int] = {}
    otherwise: dict[str, str] = {}
    for o in outs:
        table[o] = np.concatenate([p["values"][o] for p in parts])
        errors[o] = int(sum(int((p["errors"][o] != 0).sum()) for p in parts))
        texts: dict[str, int] = {}
        for p in parts:
            for t, k in p["texts"][o].items():
                texts[t] = texts.get(t, 0) + k
        if texts:
            otherwise[o] = max(sorted(texts), key=texts.__getitem__)
    samples = pd.DataFrame(table)
    rows = {}
    for o in outs:
        x = table[o]
        finite = x[np.isfinite(x)]
        if finite.size:
            p5, p50, p95 = np.percentile(finite, [5, 50, 95])
            rows[o] = {"p5": p5, "p50": p50, "p95": p95, "mean": finite.mean(),
                       "sd": finite.std(ddof=1) if finite.size > 1 else 0.0,
                       "errors": errors[o], "happens": finite.size / len(x)}
        else:
            rows[o] = {"p5": np.nan, "p50": np.nan, "p95": np.nan, "mean": np.nan,
                       "sd": np.nan, "errors": errors[o], "happens": 0.0}
    stats = pd.DataFrame.from_dict(rows, orient="index")
    result = SimulationResult(path=str(path), n=int(n), seed=int(seed), dists=parsed,
                              outputs=outs, samples=samples, stats=stats, compare=cmp,
                              otherwise=otherwise)
    for o, text in otherwise.items():
        share = rows[o]["happens"]
        result.notes.append(
            f"{o}: a number in {share:.1%} of draws, {text!r} in the rest"
            + ("; P5–P95, mean and sd are over the draws with a number" if share else ""))
    if cmp is not None:
        a, b = table[cmp[0]], table[cmp[1]]
        ok = np.isfinite(a) & np.isfinite(b)
        result.p_a_less_b = float((a[ok] < b[ok]).mean()) if ok.any() else None
        if not ok.all():
            result.notes.append(f"P({cmp[0]} < {cmp[1]}) over {int(ok.sum()):,} of {n:,} "
                                "scenarios where both are numbers")
    if tornado:
        result.tornado = _tornado(plan, table, list(parsed), outs)
    return result


def _tornado(plan: Plan, table: dict[str, np.ndarray], inputs: list[str],
             outputs: list[str]) -> Any:
    """One-at-a-time swings P10 → P90 with the other inputs at their medians."""
    import pandas as pd

    k = len(inputs)
    med = {r: float(np.median(table[r])) for r in inputs}
    p10 = {r: float(np.percentile(table[r], 10)) for r in inputs}
    p90 = {r: float(np.percentile(table[r], 90)) for r in inputs}
    # Scenario 0: all medians; 1 + 2i: input i at P10; 2 + 2i: input i at P90.
    arrays = {r: np.full(2 * k + 1, med[r]) for r in inputs}
    for i, r in enumerate(inputs):
        arrays[r][1 + 2 * i] = p10[r]
        arrays[r][2 + 2 * i] = p90[r]
    res = plan.evaluate(arrays, outputs)
    rows = []
    for o in outputs:
        x, _ = _numeric(res[o], 2 * k + 1)
        for i, r in enumerate(inputs):
            lo, hi = x[1 + 2 * i], x[2 + 2 * i]
            rows.append({"output": o, "input": r, "input_p10": p10[r], "input_p90": p90[r],
                         "base": x[0], "at_p10": lo, "at_p90": hi, "swing": abs(hi - lo)})
    df = pd.DataFrame(rows)
    return df.sort_values(["output", "swing"], ascending=[True, False], kind="stable") \
        .reset_index(drop=True)
