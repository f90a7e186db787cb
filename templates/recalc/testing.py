"""Helpers for your own tests of workbooks: fresh stored values, expected outputs.

Use them in pytest (or any test runner: they raise ``AssertionError``)::

    from templates.recalc.testing import assert_workbook_fresh, assert_cells, workbook_fixture

    def test_model_is_fresh():
        assert_workbook_fresh("models/tco.xlsx")

    def test_breakeven_at_50m_tokens():
        assert_cells("models/tco.xlsx", {"Summary!B4": 1234.5},
                     inputs={"Inputs!B2": 50e6}, rtol=1e-6)

    tco = workbook_fixture("models/tco.xlsx")      # a pytest fixture named where assigned

    def test_outputs(tco):
        assert tco.values["Summary!B4"] > 0
        assert tco.calculate({"Inputs!B2": 0})["Summary!B4"] == 0
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from templates.recalc import Recalculation, Value
from templates.recalc.check import check, values_match

__all__ = ["assert_cells", "assert_workbook_fresh", "workbook_fixture"]


def assert_workbook_fresh(
    path: str | os.PathLike[str], rtol: float = 1e-9, atol: float = 1e-12, max_listed: int = 20
) -> None:
    """Fail when any formula cell's stored value differs from a recalculation.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook.
    rtol, atol : float
        Tolerances for numbers.
    max_listed : int
        How many stale cells the failure message lists.

    Raises
    ------
    AssertionError
        Listing each stale cell with its stored and computed value.
    """
    result = check(path, rtol=rtol, atol=atol)
    if not result.ok:
        lines = [str(s) for s in result.stale[:max_listed]]
        more = len(result.stale) - len(lines)
        if more:
            lines.append(f"... and {more} more")
        raise AssertionError(
            f"{result.path}: {len(result.stale)} of {result.checked} formula cells are stale "
            "(recalculate and save, or `llm-tco recalc BOOK --in-place`):\n  "
            + "\n  ".join(lines)
        )


def assert_cells(
    path: str | os.PathLike[str],
    expected: Mapping[str, Value],
    inputs: dict[str, object] | None = None,
    rtol: float = 1e-9,
    atol: float = 1e-12,
) -> None:
    """Recalculate with *inputs* and fail unless each REF in *expected* has its value.

    Raises
    ------
    AssertionError
        Listing each cell that differs.
    """
    calc = Recalculation(path)
    values = calc.calculate(inputs)
    wrong = []
    for ref, want in expected.items():
        for cell in calc.resolve(ref):
            got = values[cell] if cell in values else calc.constant(cell)
            if not values_match(got, want, rtol, atol):
                wrong.append(f"{cell}: expected {want!r}, computed {got!r}")
    if wrong:
        raise AssertionError(f"{calc.path}:\n  " + "\n  ".join(wrong))


class RecalculatedWorkbook:
    """What :func:`workbook_fixture` yields: the loaded model and its computed values."""

    def __init__(self, path: str | os.PathLike[str], inputs: dict[str, object] | None):
        self.model = Recalculation(path)
        self.values = self.model.calculate(inputs)

    def calculate(self, inputs: dict[str, object] | None = None) -> dict[str, Value]:
        """Recalculate the already loaded workbook with other inputs (no reload)."""
        return self.model.calculate(inputs)


def workbook_fixture(
    path: str | os.PathLike[str],
    inputs: dict[str, object] | None = None,
    scope: str = "module",
) -> Callable[..., Any]:
    """Make a pytest fixture that loads and recalculates a workbook once per *scope*.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook.
    inputs : dict, optional
        REF → value set before the first calculation.
    scope : str
        pytest fixture scope; loading costs seconds, so "module" or "session".

    Returns
    -------
    callable
        A fixture; assign it to a module-level name, which becomes the fixture's name.
    """
    import pytest

    @pytest.fixture(scope=scope)
    def _fixture() -> RecalculatedWorkbook:
        return RecalculatedWorkbook(path, inputs)

    return _fixture
