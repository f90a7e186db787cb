"""The Excel function catalog: every LLM_* function defined once, with Excel semantics.

A function is an :class:`ExcelFunction`: its Excel name, a one-line description, a doc per
argument (with its unit), optional arguments last with their defaults, and an implementation
that takes plain Python scalars. :func:`call` gives every function the same Excel behaviour,
whatever the host (xlwings, ``formulas``, plain Python):

- blanks (``None``, ``""``) take the argument's default; a blank required number is 0, as
  in Excel;
- an Excel error value in any argument is returned as is (the first, left to right);
- a range (a list of rows, or a numpy array) in a scalar argument gives an array of results
  of the same shape, element by element, as Excel's own functions do; ranges broadcast
  like Excel's arrays (a 1×1 range is a scalar; a column against a row gives a grid);
- text where a number belongs → ``#VALUE!``; a number out of its range, NaN or ±inf →
  ``#NUM!``; an unknown model or GPU → ``#N/A``; every error carries its reason, which
  ``=LLM_WHY("NAME", args…)`` shows in a cell.

No exception escapes :func:`call`.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.errors import InputError, UnknownNameError
from udfs.excel_errors import NA, NUM, VALUE, ExcelError, as_error

CATEGORY = "LLM TCO"

#: Argument kinds and what each accepts.
KINDS = ("number", "text", "bool", "any")


@dataclasses.dataclass(frozen=True)
class Arg:
    """One argument of an Excel function.

    ``default`` is used when the cell is blank; ``REQUIRED`` marks an argument without one.
    ``low``/``high`` bound numbers (``low_open``: strictly above ``low``).
    """

    name: str
    doc: str
    kind: str = "number"
    default: Any = None
    required: bool = False
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None
    table: bool = False  # takes a whole range (not broadcast element by element)


@dataclasses.dataclass(frozen=True)
class ExcelFunction:
    """An Excel function of the catalog."""

    name: str
    description: str
    args: tuple[Arg, ...]
    impl: Callable[..., Any]
    returns: str  # what the result is, with its unit
    spills: bool = False  # returns a table with a header row
    examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        seen_optional = False
        for a in self.args:
            if a.kind not in KINDS:
                raise ValueError(f"{self.name}.{a.name}: kind must be one of {KINDS}")
            if a.required and seen_optional:
                raise ValueError(f"{self.name}: required {a.name} after an optional argument")
            seen_optional |= not a.required


#: Every function, by Excel name, in the order of the reference.
FUNCTIONS: dict[str, ExcelFunction] = {}


def define(fn: ExcelFunction) -> ExcelFunction:
    """Add a function to the catalog (names are unique and upper case)."""
    if fn.name != fn.name.upper() or fn.name in FUNCTIONS:
        raise ValueError(f"bad or duplicate Excel function name {fn.name!r}")
    # Fail at import, not in a user's cell, when the docs and the implementation disagree.
    inspect.signature(fn.impl).bind(**{a.name: None for a in fn.args})
    FUNCTIONS[fn.name] = fn
    return fn


class _CellError(Exception):
    """Internal: an argument or result that maps to an Excel error."""

    def __init__(self, error: ExcelError, reason: str) -> None:
        super().__init__(reason)
        self.error = error.because(reason)


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v == "")


def _coerce(arg: Arg, value: Any) -> Any:
    """One scalar cell value → the Python value the implementation takes (or _CellError)."""
    if _is_blank(value):
        if arg.required:
            if arg.kind == "number":
                value = 0.0  # Excel reads a blank cell as 0 in a number argument
            elif arg.kind == "bool":
                value = False
            else:
                raise _CellError(VALUE, f"{arg.name} is required; the cell is blank")
        else:
            return arg.default
    if arg.kind == "any":
        return value
    if arg.kind == "number":
        if isinstance(value, bool | np.bool_):
            x = float(value)  # TRUE is 1 in a number argument given directly
        elif isinstance(value, int | float | np.integer | np.floating):
            x = float(value)
        elif isinstance(value, str):
            try:  # Excel converts text that reads as a number ("12", "1e6")
                x = float(value.strip().replace(",", ""))
            except ValueError:
                reason = f"{arg.name} must be a number; got text {value!r}"
                raise _CellError(VALUE, reason) from None
        else:
            raise _CellError(VALUE, f"{arg.name} must be a number; got {type(value).__name__}")
        if not math.isfinite(x):
            raise _CellError(NUM, f"{arg.name} must be a finite number; got {x}")
        if arg.low is not None and (x <= arg.low if arg.low_open else x < arg.low):
            raise _CellError(NUM, f"{arg.name} must be {'>' if arg.low_open else '>='} "
                             f"{arg.low:g}; got {x:g}")
        if arg.high is not None and x > arg.high:
            raise _CellError(NUM, f"{arg.name} must be <= {arg.high:g}; got {x:g}")
        return x
    if arg.kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | float | np.integer | np.floating):
            if not math.isfinite(float(value)):
                raise _CellError(NUM, f"{arg.name} must be TRUE or FALSE; got {value}")
            return float(value) != 0.0
        if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE"
        raise _CellError(VALUE, f"{arg.name} must be TRUE or FALSE; got {value!r}")
    # text
    if isinstance(value, bool | np.bool_):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float | np.floating) and float(value).is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if arg.choices is not None:
        low = text.strip().lower()
        for c in arg.choices:
            if c.lower() == low:
                return c
        raise _CellError(VALUE, f"{arg.name} must be one of {', '.join(arg.choices)}; got {text!r}")
    return text.strip()


def _grid(value: Any) -> np.ndarray | None:
    """A range as a 2-D object array, or None for a scalar (a 1×1 range is a scalar)."""
    if isinstance(value, np.ndarray):
        arr = value.astype(object)
    elif isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            arr = np.empty((len(value), len(value[0])), dtype=object)
            for i, row in enumerate(value):
                if len(row) != arr.shape[1]:
                    raise _CellError(VALUE, "a range argument has rows of different lengths")
                for j, cell in enumerate(row):
                    arr[i, j] = cell
        else:
            arr = np.empty((len(value), 1), dtype=object)  # a 1-D list is a column
            for i, cell in enumerate(value):
                arr[i, 0] = cell
    else:
        return None
    if arr.ndim == 0:
        return None
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim > 2 or arr.size == 0:
        raise _CellError(VALUE, "a range argument must be a non-empty 1- or 2-D range")
    return None if arr.size == 1 else arr


def _scalar_of(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.reshape(-1)[0] if value.size else None
    if isinstance(value, list | tuple):
        first = value[0] if value else None
        return first[0] if isinstance(first, list | tuple) and first else first
    return value


def _engine_error(exc: Exception) -> ExcelError:
    if isinstance(exc, UnknownNameError):
        return NA.because(str(exc))
    if isinstance(exc, InputError):
        v = exc.value
        numeric = isinstance(v, int | float | np.ndarray | np.number) and not isinstance(v, bool)
        return (NUM if numeric else VALUE).because(str(exc))
    return VALUE.because(f"{type(exc).__name__}: {exc}")


def _result(fn: ExcelFunction, value: Any) -> Any:
    """A finished implementation result → a cell value (or table) Excel accepts."""
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        if math.isnan(x):
            return NUM.because(f"{fn.name} has no numeric answer here (NaN)")
        if math.isinf(x):
            return NUM.because(f"{fn.name}: no finite answer (the cost never breaks even)")
        return x
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # a table: rows of cells
        return [[_result(fn, c) if not isinstance(c, str) else c for c in row] for row in value]
    return VALUE.because(f"{fn.name} returned an unsupported {type(value).__name__}")


def _call_scalar(fn: ExcelFunction, values: Sequence[Any]) -> Any:
    try:
        kwargs = {a.name: _coerce(a, v) for a, v in zip(fn.args, values, strict=True)}
        return _result(fn, fn.impl(**kwargs))
    except _CellError as f:
        return f.error
    except (InputError, LookupError, ValueError, TypeError, ArithmeticError) as exc:
        return _engine_error(exc)
    except Exception as exc:  # a cell must never show a traceback
        return VALUE.because(f"internal error in {fn.name}: {type(exc).__name__}: {exc}")


def call(name: str, *values: Any) -> Any:
    """Call a catalog function with Excel semantics (see the module docstring).

    Parameters
    ----------
    name : Excel name (``"LLM_API_COST"``).
    *values : cell values: numbers, text, booleans, ``None`` for blanks, Excel errors (as
        :class:`ExcelError` or their text), or ranges (lists of rows / numpy arrays).

    Returns
    -------
    A number, text, boolean, :class:`ExcelError`, or a list of rows (an array or a table).

    Examples
    --------
    >>> call("LLM_API_COST", "gpt-4o", 112.5e6, 37.5e6)
    656.25
    >>> call("LLM_API_COST", "gpt-4o", [[1e6], [2e6]], 0)
    [[2.5], [5.0]]
    >>> call("LLM_API_COST", "gpt-4o", "lots", 0)
    ExcelError('#VALUE!')
    """
    fn = FUNCTIONS.get(str(name).strip().upper())
    if fn is None:
        return NA.because(f"{name!r} is not an llm-tco function")
    vals = list(values)
    if len(vals) > len(fn.args):
        return VALUE.because(f"{fn.name} takes at most {len(fn.args)} arguments; "
                             f"got {len(vals)}")
    vals += [None] * (len(fn.args) - len(vals))
    try:
        grids: list[np.ndarray | None] = []
        for a, v in zip(fn.args, vals, strict=True):
            if a.table:
                grids.append(None)
                continue
            g = _grid(v)
            grids.append(g)
            if g is None:
                vals[fn.args.index(a)] = _scalar_of(v)
        arrays = [(i, g) for i, g in enumerate(grids) if g is not None]
        # The first error among scalar arguments wins, as in Excel; with a range argument
        # it fills every element instead (=A1:A3+NA() is a column of #N/A), below.
        if not arrays or fn.spills:
            for a, v, g in zip(fn.args, vals, grids, strict=True):
                if g is None and not a.table and (err := as_error(v)) is not None:
                    return err
        if not arrays:
            return _call_scalar(fn, vals)
        if fn.spills:
            return VALUE.because(f"{fn.name} returns a table; give it single cells, not ranges")
        try:
            shape = np.broadcast_shapes(*(g.shape for _, g in arrays))
        except ValueError:
            return VALUE.because(f"{fn.name}: ranges of shapes "
                                 f"{[g.shape for _, g in arrays]} do not broadcast")
        if int(np.prod(shape)) > 1_000_000:
            return NUM.because(f"{fn.name}: more than 1,000,000 results requested")
        b = {i: np.broadcast_to(g, shape) for i, g in arrays}
        out = []
        for r in range(shape[0]):
            row = []
            for c in range(shape[1]):
                cell = [b[i][r, c] if i in b else v for i, v in enumerate(vals)]
                err = next((e for e in map(as_error, cell) if e is not None), None)
                res = err if err is not None else _call_scalar(fn, cell)
                if isinstance(res, list):  # a table in one element: Excel can't nest arrays
                    res = VALUE.because(f"{fn.name} gives a table here; a range argument "
                                        "needs a single-value result (fill in the field)")
                row.append(res)
            out.append(row)
        return out
    except _CellError as f:
        return f.error
    except Exception as exc:  # never a traceback in a cell
        return VALUE.because(f"internal error in {fn.name}: {type(exc).__name__}: {exc}")


def why(name: str, *values: Any) -> str:
    """The reason ``call(name, *values)`` gives an Excel error ("" when it gives none).

    Examples
    --------
    >>> why("LLM_API_COST", "gpt-4o", -1, 0)
    'input_tokens must be >= 0; got -1'
    """
    res = call(name, *values)
    found = [res] if not isinstance(res, list) else [c for row in res for c in row]
    for c in found:
        if isinstance(c, ExcelError):
            return c.reason or f"{c}"
    return ""
