"""Every Excel function fuzzed: whatever a cell holds, the result is a number, text, a boolean,
an Excel error value or an array of those — never an exception, never a hang.

A hang is caught twice: hypothesis' per-example deadline (a slow call fails the test) and an
interval timer that interrupts a call stuck for 10 s (the deadline alone only measures a call
once it has returned).
"""

import contextlib
import math
import signal
from datetime import timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import udfs
from udfs import call
from udfs.excel_errors import BY_TEXT, ExcelError
from udfs.formulas_adapter import formulas_functions
from udfs.vectorised import vectorised_functions

NAMES = ["gpt-4o", "claude-sonnet-4-5", "Llama-3.1-8B", "H100-SXM", "A100-80GB", "fp8", "rent",
         "buy", "lora", "api", "hybrid", "output", "no-such-thing", "", " ", "TRUE", "1e6"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NAMES),
    st.text(max_size=12),
    st.sampled_from(list(BY_TEXT)),
    st.sampled_from([0.0, -0.0, -1.0, 1.0, 0.5, 2.0, 36.0, 1e6, 1e12, 1e300, -1e300,
                     float("nan"), float("inf"), float("-inf"), 5e-324]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**20, max_value=10**20),
)
ranges = st.one_of(
    st.lists(st.lists(scalars, min_size=1, max_size=3), min_size=1, max_size=3),  # maybe ragged
    st.lists(scalars, min_size=0, max_size=3),
)
cells = st.one_of(scalars, scalars, scalars, ranges)

TRIED = {"calls": 0}
DEADLINE = timedelta(seconds=3)


@contextlib.contextmanager
def _no_hang(what, seconds=10.0):
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


@settings(max_examples=1500, deadline=DEADLINE, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(udfs.FUNCTIONS)), st.lists(cells, max_size=14))
def _fuzz_catalog(name, args):
    with _no_hang(name):
        out = call(name, *args)
    assert _ok(out), f"{name}{tuple(args)!r} → {out!r}"
    TRIED["calls"] += 1


def _formulas_cell(value):
    """Error texts as formulas' XlError values, blanks as its EMPTY token."""
    import schedula as sh
    from formulas.tokens.operand import Error

    if value is None:
        return sh.EMPTY
    if isinstance(value, str) and value in BY_TEXT:
        return Error.errors[value]
    return value


def _as_formulas_arg(cell):
    """A fuzzed cell as formulas passes it: a 1×1 array, or a 2-D array for a range."""
    if isinstance(cell, list):
        rows = [r if isinstance(r, list) else [r] for r in cell] or [[None]]
        width = min(len(r) for r in rows)  # formulas' ranges are rectangular
        arr = np.empty((len(rows), width), dtype=object)
        for i, r in enumerate(rows):
            for j in range(width):
                arr[i, j] = _formulas_cell(r[j])
        return arr
    arr = np.empty((1, 1), dtype=object)
    arr[0, 0] = _formulas_cell(cell)
    return arr


@settings(max_examples=400, deadline=DEADLINE, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(udfs.FUNCTIONS)), st.lists(cells, max_size=10))
def _fuzz_formulas_adapter(name, args):
    from formulas.tokens.operand import XlError

    with _no_hang(name):
        out = formulas_functions()[name](*[_as_formulas_arg(a) for a in args])
    assert isinstance(out, XlError | float | str | bool | np.ndarray), repr(out)
    TRIED["calls"] += 1


def _scenario_arg(cell):
    """A fuzzed cell as the batch engine passes it: a scalar, or 3 scenarios in a 1-D array."""
    if isinstance(cell, list):
        flat = [c for r in cell for c in (r if isinstance(r, list) else [r])][:3]
        arr = np.empty(3, dtype=object)
        arr[:] = (flat + [None] * 3)[:3]
        return arr
    return cell


@settings(max_examples=200, deadline=DEADLINE, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(udfs.FUNCTIONS)), st.lists(cells, max_size=10))
def _fuzz_vectorised(name, args):
    with _no_hang(name):
        out = vectorised_functions()[name](*[_scenario_arg(a) for a in args])
    assert isinstance(out, np.ndarray) and out.ndim == 1
    assert all(isinstance(c, float | str | bool | list) for c in out), repr(out)
    TRIED["calls"] += 1


def test_fuzz_every_function_and_report_the_count(capsys):
    TRIED["calls"] = 0
    _fuzz_catalog()
    _fuzz_formulas_adapter()
    _fuzz_vectorised()
    with capsys.disabled():
        print(f"\nfuzz: {TRIED['calls']} calls over {len(udfs.FUNCTIONS)} functions, "
              "every result a cell value")
    # 1,500 catalog + 400 formulas-adapter + 200 vectorised (batch) examples
    assert TRIED["calls"] >= 2100
