"""Small helpers that let every engine function take scalars or numpy arrays alike."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
#: A number or an array of scenarios; results broadcast like numpy.
ArrayLike = float | int | npt.ArrayLike


def as_float(value: Any, argument: str) -> FloatArray:
    """Convert to a float array, naming the argument when that fails."""
    from engine.errors import InputError

    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(argument, "must be a number or an array of numbers", value) from None
    return arr


def check(
    value: Any, argument: str, *, low: float | None = 0.0, high: float | None = None,
    low_open: bool = False, allow_inf: bool = False,
) -> FloatArray:
    """Float array with every element in [low, high] (or (low, high]); else InputError."""
    from engine.errors import InputError

    arr = as_float(value, argument)
    bad = np.isnan(arr) | (np.isinf(arr) if not allow_inf else False)
    if bad.any():
        raise InputError(argument, "must be a finite number", value, where=bad)
    if low is not None:
        bad = arr <= low if low_open else arr < low
        if bad.any():
            rule = f"must be {'>' if low_open else '>='} {low:g}"
            raise InputError(argument, rule, _first(arr, bad), where=bad)
    if high is not None and (arr > high).any():
        raise InputError(argument, f"must be <= {high:g}", _first(arr, arr > high),
                         where=arr > high)
    return arr


def _first(arr: FloatArray, mask: Any) -> float:
    return float(np.asarray(arr)[np.asarray(mask)].flat[0]) if np.ndim(arr) else float(arr)


def out(value: Any) -> Any:
    """Return a Python float for 0-d results, the array otherwise."""
    arr = np.asarray(value)
    return arr.item() if arr.ndim == 0 else arr


def format_fixed(value: Any, digits: int, grouping: bool = True) -> Any:
    """``format(v, ",.{digits}f")`` (``".{digits}f"`` without ``grouping``) for every element
    of an array, character for character as Python writes it, formatting each distinct text
    once (a column of 10^6 volumes rounded to 0.1M has ~1,000).

    Parameters
    ----------
    value : numbers (any shape).
    digits : decimal places, 0–6.
    grouping : thousands separators (",").

    Returns
    -------
    A numpy object array of ``str`` of the same shape.

    Notes
    -----
    Python rounds the exact binary value half to even. ``rint(v × 10^digits)`` gives the same
    integer except when the product lies within a few ulps of a half (the product itself is
    rounded): those elements, negatives, -0.0, non-finite and huge values are formatted by
    Python one by one, so the result is always Python's.

    Examples
    --------
    >>> format_fixed(np.array([0.25, 0.35, 1234567.891, 2.5, -0.0]), 1).tolist()
    ['0.2', '0.3', '1,234,567.9', '2.5', '-0.0']
    >>> [format(v, ",.1f") for v in (0.25, 0.35, 1234567.891, 2.5, -0.0)]
    ['0.2', '0.3', '1,234,567.9', '2.5', '-0.0']
    """
    x = np.asarray(value, dtype=np.float64)
    shape = x.shape
    x = x.reshape(-1)
    scale = 10 ** digits
    with np.errstate(all="ignore"):
        w = x * float(scale)
        near_half = np.abs(np.abs(w - np.floor(w)) - 0.5) <= 8 * np.spacing(np.abs(w))
        slow = ~np.isfinite(w) | (w >= 2.0 ** 52) | np.signbit(x) | near_half
        k = np.rint(np.where(slow, 0.0, w)).astype(np.int64)
    distinct, where = np.unique(k, return_inverse=True)
    sep = "," if grouping else ""
    texts = np.array([f"{i // scale:{sep}}.{i % scale:0{digits}d}" if digits else
                      f"{i:{sep}}" for i in distinct.tolist()], dtype=object)
    text = texts[where.reshape(-1)]
    if slow.any():
        spec = f"{sep}.{digits}f"
        text[slow] = [format(v, spec) for v in x[slow].tolist()]
    return text.reshape(shape)
