"""Workbook builders (openpyxl, :mod:`templates.workbooks`) and, in a subpackage of its
own, the recalculation engine (:mod:`templates.recalc`: read, compile, evaluate, the Excel
functions, check, sweep and simulate, safe write-back, file safety). Builders import the
engine; the engine never imports the builders.

The builders load on first use: recalculating a workbook must not pay for openpyxl and
the economics engine.
"""

from __future__ import annotations

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["TEMPLATES", "build_template"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from templates import workbooks

        return getattr(workbooks, name)
    raise AttributeError(f"module 'templates' has no attribute {name!r}")
