"""The catalog over many scenarios at once, for batch work (sweeps, Monte Carlo).

:func:`vectorised_functions` maps each Excel name to a callable taking one value per argument:
a scalar (the same in every scenario) or a 1-D numpy array of length ``n`` (one element per
scenario). It returns a length-``n`` array whose element ``i`` is exactly
``udfs.call(name, *(arg[i] for each arg))``: a float64 array when every result is a number,
else an object array of cell values (floats, text, booleans, :class:`~udfs.ExcelError`).
Arrays must be 1-D and of one length (or length 1); anything else raises ``ValueError`` — a
programming error, not a cell value.

Where the engine is vectorised (:data:`FAST`), clean inputs — numeric arrays, finite and in
range, the text arguments scalars — go through the engine in one numpy call; any scenario
the fast path cannot vouch for (a bad number, a non-finite result) is recomputed by
:func:`udfs.call`, so both paths give the same cells. Table functions (``TCO_TABLE``,
whole-row ``LLM_PRICE``) give one table per scenario (object elements).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from udfs.catalog import FUNCTIONS, Arg, _coerce, call
from udfs.excel_errors import as_error

#: Functions whose implementation takes numpy arrays in its number arguments.
FAST = frozenset({"LLM_API_COST", "LLM_API_MONTHLY", "BREAKEVEN_MONTHS"})


def _in_range(arg: Arg, x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    if arg.low is not None:
        ok &= (x > arg.low) if arg.low_open else (x >= arg.low)
    if arg.high is not None:
        ok &= x <= arg.high
    return ok


def _numeric(value: Any) -> np.ndarray | None:
    """A clean float array (numbers or booleans only), else None."""
    a = np.asarray(value)
    if a.dtype.kind in "fiub":
        return a.astype(float)
    return None


def _fast(name: str, args: list[Any], n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(results, ok) from one engine call, or None when the inputs need the cell path."""
    fn = FUNCTIONS[name]
    kwargs: dict[str, Any] = {}
    ok = np.ones(n, dtype=bool)
    for a, v in zip(fn.args, args, strict=True):
        if a.kind == "number" and (x := _numeric(v)) is not None and x.ndim <= 1:
            x = np.broadcast_to(x, (n,))
            ok &= _in_range(a, x)
            kwargs[a.name] = np.where(ok, x, a.default if a.default is not None else 0.0)
        elif np.ndim(v) == 0 and not isinstance(v, np.ndarray) and as_error(v) is None:
            try:
                kwargs[a.name] = _coerce(a, v)
            except Exception:  # an error for every scenario: the cell path says which
                return None
        else:
            return None
    try:
        with np.errstate(all="ignore"):
            out = np.broadcast_to(np.asarray(fn.impl(**kwargs), dtype=float), (n,)).copy()
    except Exception:  # e.g. an unknown model: every scenario takes the cell path
        return None
    ok &= np.isfinite(out)
    return out, ok


def _vectorised(name: str) -> Callable[..., np.ndarray]:
    fn = FUNCTIONS[name]

    def run(*args: Any) -> np.ndarray:
        vals = list(args) + [None] * (len(fn.args) - len(args))
        arrays = [np.asarray(v) for v in vals if isinstance(v, np.ndarray) and v.ndim > 0]
        if any(a.ndim > 1 for a in arrays):
            raise ValueError(f"{name}: scenario arrays must be 1-D")
        n = int(np.broadcast_shapes(*(a.shape for a in arrays))[0]) if arrays else 1
        each = [np.broadcast_to(v, (n,)) if isinstance(v, np.ndarray) and v.ndim > 0 else v
                for v in vals]
        fast = _fast(name, each, n) if name in FAST and len(args) <= len(fn.args) else None
        if fast is not None and fast[1].all():
            return fast[0]
        cells = np.empty(n, dtype=object)
        for i in range(n):
            if fast is not None and fast[1][i]:
                cells[i] = float(fast[0][i])
                continue
            cell_args = [v[i] if isinstance(v, np.ndarray) and v.ndim > 0 else v for v in each]
            cells[i] = call(name, *[a.item() if isinstance(a, np.generic) else a
                                    for a in cell_args])
        if all(type(c) is float for c in cells):
            return cells.astype(float)
        return cells

    run.__name__ = name
    run.__doc__ = f"{fn.description} (vectorised over scenarios)."
    return run


@cache
def _all() -> dict[str, Callable[..., np.ndarray]]:
    return {name: _vectorised(name) for name in FUNCTIONS}


def vectorised_functions() -> dict[str, Callable[..., np.ndarray]]:
    """Every catalog function over scenarios, by upper-case Excel name (see the module doc).

    Examples
    --------
    >>> f = vectorised_functions()["LLM_API_COST"]
    >>> f("gpt-4o", np.array([1e6, 2e6, -1.0]), 0.0)
    array([2.5, 5.0, ExcelError('#NUM!')], dtype=object)
    >>> f("gpt-4o", np.array([112.5e6, 0.0]), 37.5e6)
    array([656.25, 375.  ])
    """
    return dict(_all())
