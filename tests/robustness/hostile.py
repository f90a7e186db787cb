"""Seeded hostile calls of the Excel functions, shared by the fuzz and the reason tests.

:func:`calls` yields ``(name, args)`` for one function: each argument is, by turns, a value
its documentation allows (so calls reach the engine), a hostile cell (text where a number
belongs, NaN, ±inf, huge or tiny numbers, integers beyond a double, error values, blanks,
booleans, unknown names, control characters), or a small range of those (sometimes ragged or
empty); some calls have too many or too few arguments. Only the standard library's seeded
``random`` is used, so a failing call is reproduced from its seed and index.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import udfs
from udfs.excel_errors import BY_TEXT

NAMES = ["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro", "Llama-3.1-8B", "Llama-3.3-70B",
         "Mistral-7B", "H100-SXM", "A100-80GB", "L40S", "fp8", "bf16", "int4", "rent", "buy",
         "lora", "full", "api", "hybrid", "selfhost", "output", "input", "openai", "anthropic",
         "no-such-thing", "", " ", "TRUE", "FALSE", "1e6", "-1", "nan", "inf", "1,000",
         "gpt-4o\x00", "\u202egpt", "a" * 300, "LLM_API_COST", "llm_api_cost"]
NUMBERS = [0.0, -0.0, -1.0, 1.0, 0.5, 0.999999, 1.000001, 2.0, 36.0, 600.0, 601.0, 1e6, 1e12,
           1e15, 1e300, 1e308, -1e308, 1.7976931348623157e308, float("nan"), float("inf"),
           float("-inf"), 5e-324, -5e-324, 2.2250738585072014e-308, 3, 10**20, -(10**20),
           10**400, True, False]
ERRORS = list(BY_TEXT)


def _valid(rng: random.Random, a: udfs.Arg) -> Any:
    """A value the argument's documentation allows."""
    if a.kind == "number":
        lo = a.low if a.low is not None else -1e6
        hi = a.high if a.high is not None else max(lo, 0.0) + rng.choice([1.0, 1e3, 1e6, 1e9])
        x = rng.uniform(lo, hi)
        if a.low_open and x == lo:
            x = hi
        return rng.choice([x, round(x), lo if not a.low_open else hi, hi])
    if a.kind == "bool":
        return rng.choice([True, False, 0, 1])
    if a.choices:
        return rng.choice(a.choices)
    return rng.choice(NAMES[:20])


def _hostile(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(NUMBERS)
    if pick < 0.55:
        return rng.choice(NAMES)
    if pick < 0.7:
        return rng.choice(ERRORS)
    if pick < 0.8:
        return rng.choice([None, ""])
    if pick < 0.9:
        return rng.uniform(-1e9, 1e9)
    return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(0, 12)))


def _cell(rng: random.Random, a: udfs.Arg | None) -> Any:
    return _valid(rng, a) if a is not None and rng.random() < 0.75 else _hostile(rng)


def _range(rng: random.Random, a: udfs.Arg | None) -> Any:
    rows, cols = rng.randrange(1, 4), rng.randrange(1, 4)
    grid = [[_cell(rng, a) for _ in range(cols)] for _ in range(rows)]
    shape = rng.random()
    if shape < 0.1:
        return []  # an empty range
    if shape < 0.2 and rows > 1:
        grid[-1] = grid[-1][:-1] or [None, None]  # ragged rows
    if shape < 0.3:
        return [row[0] for row in grid]  # a 1-D list
    return grid


def calls(name: str, n: int, seed: int = 15) -> Iterator[tuple[str, list[Any]]]:
    """``n`` seeded calls of function ``name``: (name, args)."""
    fn = udfs.FUNCTIONS[name]
    rng = random.Random(f"{seed}:{name}")
    for _ in range(n):
        arity = len(fn.args)
        r = rng.random()
        if r < 0.05:
            k = arity + rng.randrange(1, 3)  # too many arguments
        elif r < 0.15:
            k = rng.randrange(0, arity + 1)  # too few: blanks take the defaults
        else:
            k = arity if rng.random() < 0.5 else rng.randrange(0, arity + 1)
        args = []
        for i in range(k):
            a = fn.args[i] if i < arity else None
            args.append(_range(rng, a) if rng.random() < 0.12 else _cell(rng, a))
        yield name, args


def _flat(v: Any) -> list[Any]:
    if isinstance(v, list | tuple):
        return [c for x in v for c in _flat(x)]
    return [v]


def bad_reasons(name: str, args: list[Any], out: Any) -> list[str]:
    """What is wrong with the reasons of the #NUM!/#VALUE! cells of ``out`` (empty: nothing).

    Each must name an argument of the function's signature and must not show a numpy repr.
    Calls with an error value among their cells are skipped (an error passed in carries no
    reason of ours).
    """
    import re

    from udfs.excel_errors import ExcelError

    fn = udfs.FUNCTIONS[name]
    if any(isinstance(c, str) and c in BY_TEXT for c in _flat(args)):
        return []
    names = {a.name for a in fn.args}
    wrong = []
    for c in _flat(out):
        if not isinstance(c, ExcelError) or c not in ("#NUM!", "#VALUE!"):
            continue
        reason = c.reason
        words = set(re.findall(r"[a-z_0-9]+", reason))
        if not reason or not words & names:
            wrong.append(f"{c} reason names no argument of {name}: {reason!r}")
        if "array(" in reason or "np." in reason or "dtype" in reason:
            wrong.append(f"{c} reason shows a numpy repr: {reason!r}")
    return wrong
