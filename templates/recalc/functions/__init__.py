"""The Excel function library, one module per family (pycel's ``lib/``).

Each family module is named for what it holds (``math``, ``statistics``, ``text``,
``datetime``, ``lookup``, ``logical``, ``information``, ``finance``, ``engineering``,
``arrays`` …) and registers its functions in :data:`templates.recalc.registry.FUNCTIONS`
when imported; helpers shared by families live in modules whose names start with ``_``.

Importing this package imports no family: it tells ``FUNCTIONS`` where each name is
defined (:data:`templates.recalc.functions._index.MODULE_OF`, written by
``python -m templates.recalc.functions`` and checked against the registrations by
``tests/templates/recalc/functions/test_index.py``), so a workbook imports only the
families it calls.
"""

from __future__ import annotations

import importlib

from templates.recalc.functions._index import MODULE_OF
from templates.recalc.registry import FUNCTIONS, call

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FUNCTIONS", "families", "xlcall"]


def families() -> list[str]:
    """The family modules of the library, by name (``math``, ``text`` …)."""
    import pkgutil  # only when every family is loaded: a recalc loads the ones it calls

    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _load(name: str | None) -> None:
    """Import the family defining ``name``, or every family for ``None``."""
    if name is None:
        FUNCTIONS.loader = None  # once all are in, the table is a plain dict again
        for family in families():
            importlib.import_module(f"{__name__}.{family}")
        return
    family = MODULE_OF.get(name)
    if family is not None:
        importlib.import_module(f"{__name__}.{family}")


FUNCTIONS.loader = _load


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
