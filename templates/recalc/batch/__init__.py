"""Batch work on workbooks: compile a formula graph once, evaluate thousands of scenarios.

See ``docs/batch.md``. Public API: :func:`compile_workbook`, :func:`get_plan`,
:func:`sweep`, :func:`simulate`.
"""

from __future__ import annotations

from .compile import Plan, clear_memory, compile_workbook, get_plan
from .errors import BatchInputError

__all__ = [
    "BatchInputError",
    "Plan",
    "clear_memory",
    "compile_workbook",
    "get_plan",
    "simulate",
    "sweep",
]


def __getattr__(name: str):  # lazy: sweep/simulate pull in pandas and matplotlib
    if name == "sweep":
        from .sweep import sweep

        return sweep
    if name == "simulate":
        from .simulate import simulate

        return simulate
    raise AttributeError(name)
