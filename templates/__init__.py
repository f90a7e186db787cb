"""Workbook builders (openpyxl, :mod:`templates.workbooks`) and, in a subpackage of its
own, the recalculation engine (:mod:`templates.recalc`); check, sweep, simulate and safe
write-back of computed values sit beside it.

The builders load on first use: recalculating a workbook must not pay for openpyxl and
the economics engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TEMPLATES", "build_template"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from templates import workbooks

        return getattr(workbooks, name)
    raise AttributeError(f"module 'templates' has no attribute {name!r}")
