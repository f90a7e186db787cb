"""The Excel function catalog (LLM_*, GPU_*, SELFHOST_*, …), defined once and adapted to hosts.

- :data:`FUNCTIONS` — every function's name, description, argument docs and defaults;
- :func:`call` — call one with Excel semantics (ranges, blanks, error values);
- :func:`why` — the reason a call gives an Excel error;
- :mod:`udfs.xlwings_udfs` — the module xlwings' "UDF Modules" points at (Excel);
- :mod:`udfs.formulas_adapter` — the same functions for the ``formulas`` headless engine.
"""

from udfs import functions as _functions  # noqa: F401  (defines the catalog)
from udfs.catalog import CATEGORY, FUNCTIONS, Arg, ExcelFunction, call, why
from udfs.excel_errors import ExcelError

__all__ = ["CATEGORY", "FUNCTIONS", "Arg", "ExcelError", "ExcelFunction", "call", "why"]
