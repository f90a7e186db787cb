"""Adapter of the Excel function catalog to the ``formulas`` headless engine.

Contract used by ``templates`` (the workbook runtime): :func:`formulas_functions` returns a
mapping of upper-case Excel function names (no add-in prefix) to callables that ``formulas``
calls with its own argument types — numbers, strings, booleans, numpy arrays for ranges (a
single cell arrives as a 1×1 array; a ``Ranges`` object when registered without
``formulas.functions.wrap_func``), its ``XlError`` values and its ``EMPTY`` token for blank
cells — and that return a number, string, boolean, 2-D numpy array or ``XlError``. Every
callable goes through :func:`udfs.call`, so the numbers are the ones Excel (through xlwings)
and the Python API give.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from udfs.catalog import FUNCTIONS, call
from udfs.excel_errors import BY_TEXT, VALUE, ExcelError


def _from_formulas(value: Any) -> Any:
    """A ``formulas`` argument → what :func:`udfs.call` takes."""
    import schedula as sh
    from formulas.ranges import Ranges
    from formulas.tokens.operand import XlError

    if isinstance(value, Ranges):
        # Registered without formulas' wrap_func, a cell reference arrives as Ranges.
        value = value.value
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return _from_formulas(value.reshape(-1)[0])
        out = np.empty(value.shape, dtype=object)
        for idx, v in np.ndenumerate(value):
            out[idx] = _from_formulas(v)
        return out
    if isinstance(value, XlError):
        return BY_TEXT.get(str(value), VALUE)
    if value is sh.EMPTY or (isinstance(value, str) and value == "empty" and
                             type(value) is not str):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _to_formulas(value: Any) -> Any:
    """A catalog result → what ``formulas`` stores in a cell."""
    from formulas.tokens.operand import Error

    if isinstance(value, ExcelError):
        # formulas knows no Excel 365 errors (#SPILL!, #CALC!…) a cell may pass through.
        return Error.errors.get(str(value)) or Error.errors["#VALUE!"]
    if isinstance(value, list):
        return np.array([[_to_formulas(c) for c in row] for row in value], dtype=object)
    return value


def _adapter(name: str) -> Callable[..., Any]:
    def fn(*args: Any) -> Any:
        return _to_formulas(call(name, *(_from_formulas(a) for a in args)))

    fn.__name__ = name
    fn.__doc__ = FUNCTIONS[name].description
    return fn


@cache
def _all() -> dict[str, Callable[..., Any]]:
    return {name: _adapter(name) for name in FUNCTIONS}


def formulas_functions() -> dict[str, Callable[..., Any]]:
    """Return the Excel functions to register with ``formulas``, keyed by upper-case name.

    Examples
    --------
    >>> f = formulas_functions()["LLM_API_COST"]
    >>> f("gpt-4o", np.array([[112.5e6]]), 37.5e6)
    656.25
    """
    return dict(_all())
