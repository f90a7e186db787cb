"""The Excel function catalog (LLM_*, GPU_*, SELFHOST_*, …), defined once and adapted to hosts.

- :data:`FUNCTIONS` — every function's name, description, argument docs and defaults;
- :func:`call` — call one with Excel semantics (ranges, blanks, error values);
- :func:`why` — the reason a call gives an Excel error;
- :mod:`udfs.xlwings_udfs` — the module xlwings' "UDF Modules" points at (Excel);
- :mod:`udfs.formulas_adapter` — the same functions for the ``formulas`` headless engine.

The names load on first use: ``udfs.excel_errors`` (the one list of Excel error values)
is imported by the recalculation engine for every workbook and must not pull in numpy and
the price catalog with it.
"""

from __future__ import annotations

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CATEGORY", "FUNCTIONS", "Arg", "ExcelError", "ExcelFunction", "call", "why"]


def __getattr__(name: str) -> Any:
    if name == "ExcelError":
        from udfs.excel_errors import ExcelError

        return ExcelError
    if name in __all__:
        from udfs import catalog
        from udfs import functions as _functions  # noqa: F401  (defines the catalog)

        return getattr(catalog, name)
    raise AttributeError(f"module 'udfs' has no attribute {name!r}")
