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
