"""The catalog over many scenarios at once, for batch work (sweeps, Monte Carlo).

:func:`vectorised_functions` maps each Excel name to a callable taking one value per argument:
a scalar (the same in every scenario) or a 1-D numpy array of length ``n`` (one element per
scenario). It returns a length-``n`` array whose element ``i`` is exactly
``udfs.call(name, *(arg[i] for each arg))``: a float64 array when every result is a number,
else an object array of cell values (floats, text, booleans, :class:`~udfs.ExcelError`).
Arrays must be 1-D and of one length (or length 1); anything else raises ``ValueError`` — a
programming error, not a cell value.

The scenarios go through :func:`udfs.catalog.elementwise`, the engine of range calls: one
vectorised implementation call per distinct combination of the text arguments, cell errors
found per scenario without a Python loop over the clean ones, and only the scenarios a
vectorised call cannot vouch for answered one by one. Table functions (``TCO_TABLE``,
whole-row ``LLM_PRICE``) give one table per scenario (object elements).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from udfs import functions as _functions  # noqa: F401  (defines the catalog)
from udfs.catalog import FUNCTIONS, _no_gc, elementwise
from udfs.excel_errors import VALUE

#: Every function is vectorised now (kept for callers that asked which ones were).
FAST = frozenset(FUNCTIONS)

_IS_FLOAT = np.frompyfunc(lambda c: type(c) is float, 1, 1)


def _vectorised(name: str) -> Callable[..., np.ndarray]:
    fn = FUNCTIONS[name]

    def run(*args: Any) -> np.ndarray:
        vals = list(args) + [None] * (len(fn.args) - len(args))
        arrays = [np.asarray(v) for v in vals if isinstance(v, np.ndarray) and v.ndim > 0]
        if any(a.ndim > 1 for a in arrays):
            raise ValueError(f"{name}: scenario arrays must be 1-D")
        n = int(np.broadcast_shapes(*(a.shape for a in arrays))[0]) if arrays else 1
        if len(args) > len(fn.args):
            cells = np.empty(n, dtype=object)
            cells[:] = VALUE.because(f"{fn.name} takes at most {len(fn.args)} arguments; "
                                     f"got {len(args)}")
            return cells
        each = [np.broadcast_to(v, (n,)) if isinstance(v, np.ndarray) and v.ndim > 0 else
                (v.item() if isinstance(v, np.generic | np.ndarray) else v) for v in vals]
        with _no_gc(n):
            cells = elementwise(fn, each, n, tables=True)
        if n and _IS_FLOAT(cells).astype(bool).all():
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
