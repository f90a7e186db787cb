"""Adapter of the Excel function catalog to the ``formulas`` headless engine.

Contract used by ``templates`` (the workbook runtime): ``formulas_functions()`` returns a
mapping of upper-case Excel function names (no add-in prefix) to callables that ``formulas``
can call with its own argument types (numbers, strings, numpy arrays for ranges, its
``XlError`` values), returning a number, string, array or ``XlError``.

The catalog is being filled in by the Excel-functions work (issue 3); until then this
returns an empty mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def formulas_functions() -> dict[str, Callable[..., Any]]:
    """Return the Excel functions to register with ``formulas``, keyed by upper-case name."""
    return {}
