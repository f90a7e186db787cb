"""The Excel function library, one module per family (pycel's ``lib/``).

Importing this package registers every function in
:data:`templates.recalc.registry.FUNCTIONS`. Each family module is named for what it holds
(``math``, ``statistics``, ``text``, ``datetime``, ``lookup``, ``logical``,
``information``, ``finance``, ``engineering``, ``arrays``); helpers shared by families
live in modules whose names start with ``_``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from templates.recalc.registry import FUNCTIONS, call

__all__ = ["FUNCTIONS", "xlcall"]

for _m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _m.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_m.name}")


class _TestContext:
    """The context of a call made outside a workbook (tests, doctests)."""

    array_mode = True
    cell = None
    book = None


def xlcall(name: str, *args: Any) -> Any:
    """Call a library function by its Excel name with cell values, as a formula would.

    Arguments are values (floats, str, bool, None, error values, ``Array``); the result is
    a cell value or an ``Array``. Lazy arguments are passed as values and wrapped here.

    Examples
    --------
    >>> from templates.recalc.values import Array
    >>> xlcall("SUM", 1.0, Array([[2.0, "x"], [True, 3.0]]))
    6.0
    """
    spec = FUNCTIONS[name.upper()]
    wrapped = [
        (lambda v=a: v) if spec.param(i).kind == "lazy" else a for i, a in enumerate(args)
    ]
    return call(spec, _TestContext(), wrapped)
