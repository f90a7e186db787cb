"""Scenario sweeps: the full grid of varied inputs → a table of outputs.

``sweep(path, {"Inputs!B2": "1000:1e6:50:log", "gpu_hourly": (1, 4, 7)}, ["total"])``
evaluates every combination (50 × 7 = 350 scenarios) in one vectorised pass per chunk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .compile import Plan, get_plan
from .errors import BatchInputError
from .parallel import chunk_bounds, map_chunks
from .values import ERROR_NAMES, V

#: Largest grid a sweep accepts (scenarios); bigger grids are almost always a typo.
MAX_SCENARIOS = 20_000_000
#: Scenarios per chunk: memory per chunk ≈ varying formula cells × chunk × 8 bytes
#: (730 cells × 10,000 ≈ 60 MB); larger chunks gain little once numpy calls dominate.
CHUNK = 10_000


def parse_range_spec(spec: str, argument: str = "--vary") -> np.ndarray:
    """``START:STOP:N[:log]`` → the ``N`` values (linear, or geometric with ``log``).

    Examples
    --------
    >>> parse_range_spec("1:3:3").tolist()
    [1.0, 2.0, 3.0]
    >>> parse_range_spec("10:1000:3:log").tolist()
    [10.0, 100.0, 1000.0]
    """
    parts = spec.strip().split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3].strip().lower() != "log"):
        raise BatchInputError(argument, "must be START:STOP:N or START:STOP:N:log", spec)
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise BatchInputError(argument, "START and STOP must be numbers", spec) from None
    try:
        n = int(parts[2])
    except ValueError:
        raise BatchInputError(argument, "N must be a whole number", spec) from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise BatchInputError(argument, "START and STOP must be finite", spec)
    if n <= 0:
        raise BatchInputError(argument, "N must be >= 1", spec)
    if len(parts) == 4:
        if start <= 0 or stop <= 0:
            raise BatchInputError(argument, "a log range needs START and STOP > 0", spec)
        return np.geomspace(start, stop, n)
    return np.linspace(start, stop, n)


def parse_vary_option(text: str) -> tuple[str, np.ndarray]:
    """CLI ``REF=START:STOP:N[:log]`` → (REF, values)."""
    m = re.match(r"^\s*([^=]+?)\s*=\s*(.+)$", text)
    if not m:
        raise BatchInputError("--vary", "must be REF=START:STOP:N[:log]", text)
    return m.group(1), parse_range_spec(m.group(2), f"--vary {m.group(1)}")


def _values(ref: str, spec: Any) -> np.ndarray:
    if isinstance(spec, str):
        return parse_range_spec(spec, f"vary[{ref!r}]")
    if isinstance(spec, tuple) and len(spec) in (3, 4) and not isinstance(spec[0], str):
        text = ":".join(str(x) for x in spec)
        return parse_range_spec(text, f"vary[{ref!r}]")
    arr = np.asarray(spec)
    if arr.ndim != 1 or arr.size == 0:
        raise BatchInputError(f"vary[{ref!r}]", "must be START:STOP:N or a 1-D list of values",
                              spec)
    return arr.astype(float) if arr.dtype.kind in "iub" else arr


def grid(vary: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Full factorial grid: every combination, the first input varying slowest."""
    if not vary:
        raise BatchInputError("vary", "needs at least one input to vary", dict(vary))
    axes = {ref: _values(ref, spec) for ref, spec in vary.items()}
    total = math.prod(len(a) for a in axes.values())
    if total > MAX_SCENARIOS:
        raise BatchInputError("vary", f"gives {total:,} scenarios, above {MAX_SCENARIOS:,}",
                              {k: len(v) for k, v in axes.items()})
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    return {ref: m.reshape(-1) for ref, m in zip(axes, mesh, strict=True)}


def output_columns(name: str, v: V, n: int) -> dict[str, np.ndarray]:
    """One output as table columns.

    Numbers give a float column (NaN where the scenario is an Excel error) plus, only when
    errors occur, a ``"<name> error"`` column with the error text (``"#DIV/0!"``) there and
    ``""`` elsewhere. Text or logical outputs give an object column.
    """
    d = np.broadcast_to(v.d, (n,))
    e = None if v.e is None else np.broadcast_to(v.e, (n,))
    cols: dict[str, np.ndarray] = {}
    if d.dtype == np.float64:
        col = d + 0.0  # a copy, and -0.0 becomes 0.0 (Excel has no -0)
        if e is not None:
            col[e != 0] = np.nan
        cols[name] = col
    else:
        col = np.array(d, dtype=object)
        if e is not None:
            col[e != 0] = None
        cols[name] = col
    if e is not None and e.any():
        cols[f"{name} error"] = np.array([ERROR_NAMES.get(int(c), "") for c in e], dtype=object)
    return cols


def _sweep_chunk(plan: Plan, inputs: dict[str, np.ndarray], outputs: list[str]) -> dict:
    res = plan.evaluate(inputs, outputs)
    n = len(next(iter(inputs.values())))
    return {o: V(np.broadcast_to(v.d, (n,)).copy(),
                 None if v.e is None else np.broadcast_to(v.e, (n,)).copy())
            for o, v in res.items()}


def _check_refs(plan: Plan, refs: Sequence[str], argument: str) -> None:
    for r in refs:
        plan.resolve_ref(r, argument)


def sweep(
    path: str | Path,
    vary: Mapping[str, Any],
    outputs: Sequence[str],
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = False,
    chunk_size: int = CHUNK,
) -> Any:
    """Evaluate the full grid of ``vary`` and return a pandas DataFrame.

    Parameters
    ----------
    path : str or Path
        The workbook.
    vary : mapping
        Input cell (``"Sheet!A1"`` or defined name) → ``"START:STOP:N[:log]"``, a tuple
        ``(start, stop, n[, "log"])`` or a list of values. Formula cells may be varied: the
        values replace the formula (as ``formulas``' ``inputs`` do).
    outputs : sequence of str
        Cells to report.
    workers, dask, progress
        Where to run chunks (:func:`templates.recalc.batch.parallel.map_chunks`).
    chunk_size : int
        Scenarios per chunk.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: the varied inputs, then the outputs (see
        :func:`output_columns` for errors and text).
    """
    import pandas as pd

    if not outputs:
        raise BatchInputError("outputs", "needs at least one output cell", list(outputs))
    plan = get_plan(path)
    _check_refs(plan, list(vary), "--vary")
    _check_refs(plan, outputs, "--outputs")
    cols = grid(vary)
    n = len(next(iter(cols.values())))
    if chunk_size < 1:
        raise BatchInputError("chunk_size", "must be >= 1", chunk_size)
    if workers > 1 or dask:
        chunk_size = min(chunk_size, max(1, math.ceil(n / (4 * max(workers, 2)))))
    bounds = chunk_bounds(n, chunk_size)
    tasks = [({r: a[s:t] for r, a in cols.items()}, list(outputs)) for s, t in bounds]
    parts = map_chunks(_sweep_chunk, plan, tasks, workers=workers, dask=dask,
                       progress=progress, label="sweep")
    table: dict[str, Any] = dict(cols)
    for o in outputs:
        v = _concat([p[o] for p in parts])
        table.update(output_columns(o, v, n))
    return pd.DataFrame(table)


def _concat(vs: list[V]) -> V:
    if len(vs) == 1:
        return vs[0]
    kinds = {v.d.dtype for v in vs}
    d = np.concatenate([v.d for v in vs]) if len(kinds) == 1 else np.concatenate(
        [v.d.astype(object) for v in vs])
    if all(v.e is None for v in vs):
        return V(d)
    e = np.concatenate([v.e if v.e is not None else np.zeros(len(v.d), np.int8) for v in vs])
    return V(d, e)
