"""Is a workbook's saved state fresh? Compare stored values with a recalculation.

A workbook edited by code (openpyxl) or saved by an app with manual calculation can carry
cached values that no longer follow from its inputs; viewers, pandas and anyone reading
``data_only`` then see wrong numbers. :func:`check` recomputes every formula cell and
lists each one whose stored value differs.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

from templates.recalc import Recalculation, Value
from templates.recalc.xlsx_safety import DEFAULT_LIMITS, Limits

__all__ = ["CheckResult", "StaleCell", "check", "values_match"]


@dataclass(frozen=True)
class StaleCell:
    """A formula cell whose stored value differs from the recomputed one."""

    ref: str
    stored: Value
    computed: Value

    def __str__(self) -> str:
        return f"{self.ref}: stored {_text(self.stored)}, computed {self.computed!r}"


def _text(v: object) -> str:
    """A value for the stale list: whole numbers without ``.0`` (as Excel shows them)."""
    if v is None:
        return "(no stored value)"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


@dataclass
class CheckResult:
    """Outcome of :func:`check`.

    Attributes
    ----------
    path : str
    checked : int
        Formula cells compared.
    stale : list of StaleCell
        Cells whose stored value is missing or differs.
    notes : list of str
        Warnings from the safety checks (macros, external links).
    """

    path: str
    checked: int = 0
    stale: list[StaleCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Cells calling TODAY, NOW, RAND …: not compared (their value changes every time).
    volatile: list[str] = field(default_factory=list)
    #: Cells the engine cannot compute → why (not compared; their stored value stands).
    degraded: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every formula cell's stored value matches."""
        return not self.stale


def _shown(v: object) -> Value:
    from templates.recalc.values import ExcelError

    return str(v) if type(v) is ExcelError else v  # type: ignore[return-value]


def values_match(stored: Value, computed: Value, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    """Whether a stored cell value equals a computed one (numbers within tolerance).

    Examples
    --------
    >>> values_match(1.0, 1.0 + 1e-12), values_match(3, 3.0), values_match(None, 0.0)
    (True, True, False)
    >>> values_match(True, 1.0), values_match("#N/A", "#N/A")
    (False, True)
    """
    if isinstance(stored, bool) or isinstance(computed, bool):
        return type(stored) is type(computed) and stored == computed
    if isinstance(stored, int | float) and isinstance(computed, int | float):
        return math.isclose(float(stored), float(computed), rel_tol=rtol, abs_tol=atol)
    return stored == computed


def check(
    path: str | os.PathLike[str],
    rtol: float = 1e-9,
    atol: float = 1e-12,
    limits: Limits = DEFAULT_LIMITS,
) -> CheckResult:
    """Compare the values stored in a workbook with a fresh recalculation.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook; never modified.
    rtol, atol : float
        Relative and absolute tolerance for numbers (``math.isclose``).
    limits : Limits, optional
        Bounds for untrusted files.

    Returns
    -------
    CheckResult
        ``ok`` when every formula cell matches; ``stale`` lists the others.

    Raises
    ------
    WorkbookError
        The file cannot be read, is unsafe, or cannot be recalculated.
    """
    calc = Recalculation(path, limits=limits)
    computed = calc.calculate()
    result = CheckResult(path=calc.path, notes=list(calc.checked.notes))
    if calc.iterated:
        # Iteration resumes from the stored values, as in Excel, so a converged loop
        # moves by up to about iterateDelta on every recalculation. With iterateDelta 0
        # Excel iterates to the maximum count and stores values that are a fixed point
        # only to rounding: when one round from them moves no cell by more than a
        # millionth, they are that fixed point, compared within ten times that move.
        delta = 10 * calc.checked.calc.iterate_delta
        settled = calc.iteration_first_change if calc.iteration_first_change <= 1e-6 else 0.0
        rtol, atol = max(rtol, delta, 10 * settled), max(atol, delta)
        result.notes.append(
            f"circular references iterated (iterateDelta {calc.checked.calc.iterate_delta:g}); "
            f"numbers compared within {max(delta, 10 * settled):g}"
        )
    from templates.recalc.workbook import gc_paused

    with gc_paused():  # a StaleCell per cell: no full collections over the compiled book
        _compare(calc, computed, result, rtol, atol)
    return result


def _compare(calc: Recalculation, computed: dict[str, Value], result: CheckResult,
             rtol: float, atol: float) -> None:
    for ref in calc.formulas:
        # The value as the file stores it: a date is its serial number (the style only
        # formats it), an empty text result is "" — Excel's own representation.
        stored = calc.constant(ref)
        if ref in calc.volatile:
            result.volatile.append(ref)
            continue
        if ref in calc.degraded:
            result.degraded[ref] = calc.degraded[ref]
            continue
        value = computed.get(ref)
        result.checked += 1
        if isinstance(stored, str) and stored.startswith("#") and (
                value == stored or (stored == "#VALUE!" and value == "#CALC!")):
            continue  # Excel saves #CALC! as #VALUE! in the cell (see agreement.stored_as)
        if not values_match(stored, value, rtol, atol):
            result.stale.append(StaleCell(ref, _shown(stored), value))
