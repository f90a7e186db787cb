"""Arguments as the Analysis ToolPak functions read them (EDATE, YEARFRAC, XNPV, CUMIPMT …).

The functions that began in Excel's Analysis ToolPak add-in still take their numeric
arguments the add-in's way, unlike the built-in functions:

* a logical is ``#VALUE!`` (``EDATE(TRUE,1)``, ``YEARFRAC(TRUE,345)``), where PMT would
  read TRUE as 1;
* a multi-cell range where one number is expected is ``#VALUE!`` even in an array formula
  (``{=EDATE(A1:A3,1)}``), while an array (``{1,2,3}``, ``+A1:A3``) is taken element by
  element, as for any scalar argument;
* text is read as a number or a date (``"2"``, ``"2024-01-31"``), an empty cell is 0.

Functions that read an argument themselves (HEX2DEC's text-or-number, IMSUM's complex
numbers) declare it ``v``: the scalar as it is, with the same range refusal and lifting.

:func:`atp` declares such a function's arguments; register it with ``any`` kinds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from templates.recalc.registry import normalise
from templates.recalc.values import (
    DIV0,
    NUM,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    parse_number,
)

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["atp", "atp_number"]


def atp_number(v: Any) -> float:
    """A scalar read as an Analysis ToolPak number: errors are the result, a logical is
    ``#VALUE!``, text must read as a number or date, an empty cell is 0."""
    t = type(v)
    if t is float:
        return v
    if v is None:
        return 0.0
    if t is ExcelError:
        raise XLFail(v)
    if t is bool:
        raise XLFail(VALUE, "this function takes no logical values")
    if t is int:
        return float(v)
    if t is str:
        x = parse_number(v)
        if x is None:
            raise XLFail(VALUE, f"text {v!r} is not a number")
        return x
    raise XLFail(VALUE)


_SHAPED = (Ref, MultiRef, Array)


def _one(a: Any) -> Any:
    """An ``n`` argument as a scalar or an Array to lift (a multi-cell range is refused)."""
    if isinstance(a, Ref):
        if not a.is_cell:
            raise XLFail(VALUE, "a range where one number is expected")
        return a.value()
    if isinstance(a, MultiRef):
        raise XLFail(VALUE)
    if isinstance(a, Array) and a.nrows == 1 and a.ncols == 1:
        return a.rows[0][0]
    return a


def _run(fn: Callable[..., Any], args: list[Any]) -> Any:
    try:
        return normalise(fn(*args))
    except XLFail as exc:
        return exc.error
    except ZeroDivisionError:
        return DIV0
    except (OverflowError, ValueError):
        return NUM


def atp(
    kinds: str,
    *,
    order: tuple[int, ...] = (),
    check: dict[int, Callable[[float], None]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a function whose arguments are ``kinds``, comma-separated: ``n`` an
    Analysis ToolPak number (:func:`atp_number`), ``v`` a scalar as it is (errors are the
    result; a multi-cell range is ``#VALUE!``, an array lifts as for ``n``), ``raw`` passed
    as evaluated (cash-flow ranges, holiday lists, text). The last kind repeats for
    further arguments.

    ``order`` lists argument positions read before the others, ``check`` validates an
    argument as soon as it is read (raising :class:`XLFail`): together they give the
    error Excel reports when several arguments are wrong.
    """
    ks = [k.strip() for k in kinds.split(",")]
    checks = check or {}

    def num(i: int, v: Any) -> Any:
        if (ks[i] if i < len(ks) else ks[-1]) == "v":
            if type(v) is ExcelError:
                raise XLFail(v)
            x = v
        else:
            x = atp_number(v)
        if i in checks:
            checks[i](x)
        return x

    #: per argument count: (position, kind) in reading order, "raw" ones left out
    plans: dict[int, tuple[tuple[int, str], ...]] = {}

    def plan(n: int) -> tuple[tuple[int, str], ...]:
        seq = [i for i in order if i < n]
        seq += [i for i in range(n) if i not in seq]
        out = tuple((i, ks[i] if i < len(ks) else ks[-1]) for i in seq)
        plans[n] = tuple((i, k) for i, k in out if k != "raw")
        return plans[n]

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any) -> Any:
            vals: list[Any] = list(args)
            lifted: list[int] = []
            steps = plans.get(len(args))
            if steps is None:
                steps = plan(len(args))
            for i, k in steps:
                a = args[i]
                if type(a) is float and k == "n":  # a number: what atp_number returns as is
                    if i in checks:
                        checks[i](a)
                    continue
                if isinstance(a, _SHAPED):
                    a = _one(a)
                    if isinstance(a, Array):
                        lifted.append(i)
                        vals[i] = a
                        continue
                vals[i] = num(i, a)
            if not lifted:
                return fn(*vals)
            nr = max(vals[i].nrows for i in lifted)
            nc = max(vals[i].ncols for i in lifted)
            out = []
            for r in range(nr):
                row = []
                for c in range(nc):
                    el = list(vals)
                    bad = None
                    for i in lifted:
                        try:
                            el[i] = num(i, vals[i].get(r, c))
                        except XLFail as exc:
                            bad = exc.error
                            break
                    row.append(bad if bad is not None else _run(fn, el))
                out.append(row)
            return Array(out)

        return wrapper

    return deco
