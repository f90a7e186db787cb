"""Per-scenario cell values with Excel types and per-element error codes.

Representation
--------------
A cell's value over ``n`` scenarios is a :class:`V`:

* ``d`` — a 1-D numpy array of length 1 (same in every scenario; broadcasts) or ``n``.
  dtype ``float64`` for numbers, ``bool`` for logicals, ``object`` for text or for a cell
  whose type differs between scenarios (elements are ``float``, ``bool`` or ``str``).
* ``e`` — ``None`` (no errors anywhere) or an ``int8`` array broadcastable with ``d``:
  ``0`` no error, otherwise an Excel error code (:data:`ERROR_NAMES`). Where ``e != 0``
  the element of ``d`` is meaningless (usually NaN).
* ``blank`` — ``True`` only for an empty, never-written cell (``SUM``/``COUNT`` skip it,
  arithmetic reads it as 0).

A range is an :class:`R`: a 2-D list of :class:`V` cells.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from udfs.excel_errors import ALL as _ALL_ERRORS

ERR_NULL, ERR_DIV0, ERR_VALUE, ERR_REF, ERR_NAME, ERR_NUM, ERR_NA = range(1, 8)
#: Code → text, in the order of the one list of Excel errors (udfs.excel_errors.ALL).
ERROR_NAMES = {i: str(err) for i, err in enumerate(_ALL_ERRORS, 1)}
ERROR_CODES = {v: k for k, v in ERROR_NAMES.items()}

_FLOAT = np.dtype(np.float64)
_BOOL = np.dtype(bool)
_OBJ = np.dtype(object)


class V:
    """One cell's value over all scenarios (see module docstring)."""

    __slots__ = ("blank", "d", "e")

    def __init__(self, d: np.ndarray, e: np.ndarray | None = None, blank: bool = False) -> None:
        self.d = d
        self.e = e
        self.blank = blank

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"V(d={self.d!r}, e={self.e!r}{', blank' if self.blank else ''})"

    def __len__(self) -> int:
        n = len(self.d)
        return max(n, len(self.e)) if self.e is not None else n

    def item(self, i: int = 0) -> object:
        """Return scenario ``i`` as a Python value (error values as their ``#NAME`` text)."""
        if self.e is not None:
            code = int(self.e[i if len(self.e) > 1 else 0])
            if code:
                return ERROR_NAMES[code]
        if self.blank:
            return None
        x = self.d[i if len(self.d) > 1 else 0]
        if isinstance(x, np.bool_ | bool):
            return bool(x)
        if isinstance(x, np.floating | float | int):
            return float(x) + 0.0  # + 0.0 turns -0.0 into 0.0: Excel has no -0
        return x

    def full(self, n: int) -> V:
        """Return a copy broadcast to ``n`` scenarios (arrays of length ``n``)."""
        d = np.broadcast_to(self.d, (n,)).copy() if len(self.d) != n else self.d
        e = self.e
        if e is not None and len(e) != n:
            e = np.broadcast_to(e, (n,)).copy()
        return V(d, e)


class R:
    """A rectangular range of cells: ``cells[row][col]`` is a :class:`V`."""

    __slots__ = ("cells", "cols", "rows")

    def __init__(self, cells: list[list[V]]) -> None:
        self.cells = cells
        self.rows = len(cells)
        self.cols = len(cells[0]) if cells else 0

    def flat(self) -> Iterator[V]:
        """Yield the cells row by row."""
        for row in self.cells:
            yield from row


BLANK = V(np.zeros(1), None, blank=True)


_INTERNED: dict[tuple[type, object], V] = {}


def const(x: object) -> V:
    """Return the :class:`V` of one Python constant (number, bool, str, None, error text).

    Numbers and logicals are interned (one shared, never-mutated ``V`` per value) so equal
    constants in different formulas are the same object, which lets the evaluator reuse a
    function result computed from the same arguments.
    """
    if x is None:
        return BLANK
    if isinstance(x, bool | np.bool_):
        key = (bool, bool(x))
        hit = _INTERNED.get(key)
        if hit is None:
            hit = _INTERNED[key] = V(np.array([bool(x)]))
        return hit
    if isinstance(x, int | float | np.integer | np.floating):
        key = (float, float(x))
        hit = _INTERNED.get(key)
        if hit is None:
            hit = V(np.array([float(x)]))
            if len(_INTERNED) < 100_000:
                _INTERNED[key] = hit
        return hit
    if isinstance(x, str) and x in ERROR_CODES:
        return error(ERROR_CODES[x])
    if hasattr(x, "isoformat"):  # datetime from openpyxl → Excel serial day number
        return V(np.array([_excel_serial(x)]))
    return V(np.array([str(x)], dtype=object))


def _excel_serial(x: object) -> float:
    import datetime as _dt

    base = _dt.datetime(1899, 12, 30)
    if isinstance(x, _dt.datetime):
        return (x - base).total_seconds() / 86400.0
    if isinstance(x, _dt.date):
        return float((x - base.date()).days)
    return float("nan")


def error(code: int, n: int = 1) -> V:
    """Return the error ``code`` in ``n`` scenarios."""
    return V(np.full(n, np.nan), np.full(n, code, dtype=np.int8))


def merge_err(*es: np.ndarray | None) -> np.ndarray | None:
    """Combine error arrays: per element, the leftmost non-zero code wins (Excel order)."""
    out = None
    for e in es:
        if e is None:
            continue
        out = e if out is None else np.where(out != 0, out, e).astype(np.int8)
    return out


def add_err(e: np.ndarray | None, cond: np.ndarray | bool, code: int) -> np.ndarray | None:
    """Return ``e`` with ``code`` set where ``cond`` holds and no earlier error exists."""
    cond = np.asarray(cond)
    if not cond.any():
        return e
    new = np.where(cond, np.int8(code), np.int8(0)).astype(np.int8)
    return new if e is None else np.where(e != 0, e, new).astype(np.int8)


def num_result(d: np.ndarray, e: np.ndarray | None) -> V:
    """Wrap a float result: non-finite numbers become ``#NUM!`` (Excel has no inf/NaN)."""
    d = np.asarray(d, dtype=float)
    bad = ~np.isfinite(d)
    if bad.any():
        if e is not None:
            bad &= np.broadcast_to(e == 0, bad.shape) if e.shape != bad.shape else e == 0
        e = add_err(e, bad, ERR_NUM)
    return V(d, e)


def parse_number(s: str) -> float | None:
    """Excel's text-to-number coercion for arithmetic (``"3"+1`` is 4): None if not a number."""
    t = s.strip()
    if not t:
        return None
    pct = t.endswith("%")
    if pct:
        t = t[:-1]
    try:
        x = float(t.replace(",", ""))
    except ValueError:
        return None
    if math.isnan(x) or math.isinf(x):
        return None
    return x / 100.0 if pct else x


def to_num(v: V) -> tuple[np.ndarray, np.ndarray | None]:
    """Coerce to numbers for arithmetic: (float array, error array or None).

    Logicals are 0/1, blank is 0, numeric text is parsed, other text is ``#VALUE!``.
    """
    d = v.d
    if d.dtype == _FLOAT:
        return d, v.e
    if d.dtype == _BOOL:
        return d.astype(float), v.e
    out = np.empty(len(d))
    bad = np.zeros(len(d), dtype=bool)
    for i, x in enumerate(d):
        if isinstance(x, str):
            y = parse_number(x)
            if y is None:
                bad[i] = True
                out[i] = np.nan
            else:
                out[i] = y
        elif x is None:
            out[i] = 0.0
        else:
            out[i] = float(x)
    return out, add_err(v.e, bad, ERR_VALUE)


def to_bool(v: V) -> tuple[np.ndarray, np.ndarray | None]:
    """Coerce to logicals (IF/AND/OR/NOT): numbers ≠ 0 are TRUE; text other than
    ``"TRUE"``/``"FALSE"`` is ``#VALUE!``."""
    d = v.d
    if d.dtype == _BOOL:
        return d, v.e
    if d.dtype == _FLOAT:
        return d != 0, v.e
    out = np.zeros(len(d), dtype=bool)
    bad = np.zeros(len(d), dtype=bool)
    for i, x in enumerate(d):
        if isinstance(x, str):
            u = x.upper()
            if u in ("TRUE", "FALSE"):
                out[i] = u == "TRUE"
            else:
                bad[i] = True
        elif x is not None:
            out[i] = bool(x)
    return out, add_err(v.e, bad, ERR_VALUE)


def num_text(x: float) -> str:
    """Excel's General-format text of a number (used by ``&``): 15 significant digits."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = f"{x:.15g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}E{exp[0]}{exp[1:].lstrip('0').rjust(2, '0')}"
    return s


def _text_of(x: object) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, bool | np.bool_):
        return "TRUE" if x else "FALSE"
    if x is None:
        return ""
    return num_text(float(x))


def to_text(v: V) -> tuple[np.ndarray, np.ndarray | None]:
    """Coerce to text for ``&``: (object array of str, error array or None)."""
    if v.blank:
        return np.array([""], dtype=object), None
    d = v.d
    out = np.empty(len(d), dtype=object)
    for i, x in enumerate(d):
        out[i] = _text_of(x)
    return out, v.e


def select(cond: np.ndarray, a: V, b: V) -> V:
    """Per-scenario choice: ``a`` where ``cond`` else ``b`` (values and errors together)."""
    ad, bd = a.d, b.d
    if a.blank:
        ad = np.zeros(1)
    if b.blank:
        bd = np.zeros(1)
    if ad.dtype != bd.dtype:
        # Different Excel types per scenario: keep each element's own type.
        ad, bd = _as_obj(ad), _as_obj(bd)
    d = np.where(cond, ad, bd)
    if a.e is None and b.e is None:
        e = None
    else:
        ae = a.e if a.e is not None else np.zeros(1, dtype=np.int8)
        be = b.e if b.e is not None else np.zeros(1, dtype=np.int8)
        e = np.where(cond, ae, be).astype(np.int8)
        if not e.any():
            e = None
    return V(np.atleast_1d(d), e)


def _as_obj(d: np.ndarray) -> np.ndarray:
    if d.dtype == _OBJ:
        return d
    out = np.empty(len(d), dtype=object)
    if d.dtype == _BOOL:
        out[:] = [bool(x) for x in d]
    else:
        out[:] = [float(x) for x in d]
    return out


def from_python(x: object) -> V:
    """Return the :class:`V` of a Python/`formulas` scalar result (``XlError`` → code)."""
    name = type(x).__name__
    if name == "XlError" or (isinstance(x, Exception) and str(x) in ERROR_CODES):
        return error(ERROR_CODES.get(str(x), ERR_VALUE))
    if isinstance(x, np.ndarray):
        return from_python(x.reshape(-1)[0] if x.size else None)
    if name == "_Empty" or repr(x) == "empty":
        return const(0.0)
    return const(x)
