"""Every Excel function fuzzed: whatever a cell holds, the result is a number, text, a boolean,
an Excel error value or an array of those — never an exception, never a hang — and every
#NUM!/#VALUE! we make says why, naming an argument of the function.

Seeded hostile calls (tests/robustness/hostile.py: valid values, hostile cells, small and
ragged ranges, wrong arity): 10,000 per function through ``udfs.call`` (the path of Excel and
of the Python API), 1,000 through the ``formulas`` adapter and 500 through the batch engine's
vectorised form. A failure prints the seed-reproducible call. A hang is caught by an interval
timer per function; a call over 10 s fails the test.
"""

import contextlib
import math
import signal
import time

import numpy as np
import pytest

import udfs
from tests.robustness import hostile
from udfs import call
from udfs.excel_errors import BY_TEXT, ExcelError
from udfs.formulas_adapter import formulas_functions
from udfs.vectorised import vectorised_functions

PER_FUNCTION = 10_000
VIA_FORMULAS = 1_000
VIA_VECTORISED = 500
SLOW_CALL_S = 10.0  # a hostile call of a few cells takes milliseconds: this catches a hang
NAMES = sorted(udfs.FUNCTIONS)


@contextlib.contextmanager
def _no_hang(what, seconds):
    def _stuck(signum, frame):
        raise TimeoutError(f"{what} still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _stuck)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _ok(v, depth=0):
    if isinstance(v, list):
        return depth == 0 and all(isinstance(r, list) and all(_ok(c, 1) for c in r) for r in v)
    if isinstance(v, ExcelError):
        return True
    if isinstance(v, bool | str):
        return True
    return isinstance(v, float) and math.isfinite(v)


@pytest.mark.parametrize("name", NAMES)
def test_fuzz_catalog(name):
    tried, slowest, wrong = 0, (0.0, None), []
    with _no_hang(name, 240):
        for i, (n, args) in enumerate(hostile.calls(name, PER_FUNCTION)):
            t0 = time.perf_counter()
            out = call(n, *args)
            dt = time.perf_counter() - t0
            if dt > slowest[0]:
                slowest = (dt, (i, args))
            assert _ok(out), f"call {i}: {n}{tuple(args)!r} → {out!r}"
            wrong += [f"call {i}: {n}{tuple(args)!r}: {w}" for w in
                      hostile.bad_reasons(n, args, out)]
            tried += 1
    assert tried >= 10_000
    assert not wrong, "\n".join(wrong[:10])
    assert slowest[0] <= SLOW_CALL_S, f"slowest call took {slowest[0]:.2f} s: {slowest[1]}"


def _formulas_cell(value):
    """Error texts as formulas' XlError values, blanks as its EMPTY token."""
    import schedula as sh
    from formulas.tokens.operand import Error

    if value is None:
        return sh.EMPTY
    if isinstance(value, str) and value in BY_TEXT:
        return Error.errors.get(value, value)  # formulas has no #SPILL!, #CALC!…: text
    return value


def _as_formulas_arg(cell):
    """A fuzzed cell as formulas passes it: a 1×1 array, or a 2-D array for a range."""
    if isinstance(cell, list):
        rows = [r if isinstance(r, list) else [r] for r in cell] or [[None]]
        width = min(len(r) for r in rows) or 1  # formulas' ranges are rectangular
        arr = np.empty((len(rows), width), dtype=object)
        for i, r in enumerate(rows):
            for j in range(width):
                arr[i, j] = _formulas_cell(r[j] if j < len(r) else None)
        return arr
    arr = np.empty((1, 1), dtype=object)
    arr[0, 0] = _formulas_cell(cell)
    return arr


@pytest.mark.parametrize("name", NAMES)
def test_fuzz_formulas_adapter(name):
    from formulas.tokens.operand import XlError

    f = formulas_functions()[name]
    with _no_hang(name, 120):
        for i, (_, args) in enumerate(hostile.calls(name, VIA_FORMULAS, seed=16)):
            out = f(*[_as_formulas_arg(a) for a in args])
            assert isinstance(out, XlError | float | str | bool | np.ndarray), \
                f"call {i}: {args!r} → {out!r}"


def _scenario_arg(cell):
    """A fuzzed cell as the batch engine passes it: a scalar, or 3 scenarios in a 1-D array."""
    if isinstance(cell, list):
        flat = [c for r in cell for c in (r if isinstance(r, list) else [r])][:3]
        arr = np.empty(3, dtype=object)
        arr[:] = (flat + [None] * 3)[:3]
        return arr
    return cell


@pytest.mark.parametrize("name", NAMES)
def test_fuzz_vectorised(name):
    f = vectorised_functions()[name]
    with _no_hang(name, 120):
        for i, (_, args) in enumerate(hostile.calls(name, VIA_VECTORISED, seed=17)):
            args = args[:len(udfs.FUNCTIONS[name].args)]
            out = f(*[_scenario_arg(a) for a in args])
            assert isinstance(out, np.ndarray) and out.ndim == 1, f"call {i}: {args!r}"
            assert all(isinstance(c, float | str | bool | list) for c in out), \
                f"call {i}: {args!r} → {out!r}"
