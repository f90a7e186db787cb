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

from udfs import functions as _functions  # noqa: F401  (defines the catalog)
from udfs.catalog import FUNCTIONS, call
from udfs.excel_errors import BY_TEXT, VALUE, ExcelError


@cache
def _formulas_types() -> tuple[Any, Any, Any, Any]:
    """formulas' and schedula's types, imported once (not per cell of a range)."""
    import schedula as sh
    from formulas.ranges import Ranges
    from formulas.tokens.operand import Error, XlError

    return sh.EMPTY, Ranges, XlError, Error


def _from_cell(value: Any) -> Any:
    """One ``formulas`` cell value → what :func:`udfs.call` takes."""
    empty, _, xl_error, _ = _formulas_types()
    if isinstance(value, xl_error):
        return BY_TEXT.get(str(value), VALUE)
    if value is empty or (isinstance(value, str) and value == "empty" and
                          type(value) is not str):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


_FROM_CELLS = np.frompyfunc(_from_cell, 1, 1)


def _from_formulas(value: Any) -> Any:
    """A ``formulas`` argument → what :func:`udfs.call` takes (a range as a whole array:
    numbers stay a float array, other cells are converted in one pass)."""
    _, ranges, _, _ = _formulas_types()
    if isinstance(value, ranges):
        # Registered without formulas' wrap_func, a cell reference arrives as Ranges.
        value = value.value
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return _from_cell(value.reshape(-1)[0])
        if value.dtype.kind in "fiub":
            return value
        return _FROM_CELLS(value).astype(object)
    return _from_cell(value)


def _to_cell(value: Any) -> Any:
    if type(value) is ExcelError or isinstance(value, ExcelError):
        # formulas knows no Excel 365 errors (#SPILL!, #CALC!…) a cell may pass through.
        errors = _formulas_types()[3].errors
        return errors.get(str(value)) or errors["#VALUE!"]
    return value


_TO_CELLS = np.frompyfunc(_to_cell, 1, 1)


def _to_formulas(value: Any) -> Any:
    """A catalog result → what ``formulas`` stores in a cell."""
    if isinstance(value, list):
        arr = np.empty((len(value), len(value[0]) if value else 0), dtype=object)
        arr[:] = value
        return _TO_CELLS(arr).astype(object) if arr.size else arr
    return _to_cell(value)


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
