"""Randomly generated formulas (fixed seed): the plan agrees with the engine cell for cell.

The generator was written against ``formulas``; the exclusions it still makes are where
``formulas`` is not Excel (kept: they cost nothing)."""

from __future__ import annotations

import random
import warnings

import numpy as np
import openpyxl
import pytest

from templates.recalc.batch import compile_workbook

from .reference import EngineReference
from .test_equality import same

# No numeric text ("3") inside aggregates: formulas parses it in SUM but errors in MAX and
# AVERAGE; numeric text in arithmetic is covered by test_equality.
LEAVES = ["x", "y", "z", "0", "1", "2.5", "-3", '"a"', "TRUE", "FALSE", "S!E1", "S!A1:A3"]
# No ^ or POWER: 0^0 is #NUM! in Excel (and here) but 1 in formulas; see test_engine.
BINARY = ["+", "-", "*", "/", "=", "<", ">=", "<>"]
FUNCS = {"IF": 3, "IFERROR": 2, "ROUND": 2, "ABS": 1, "SQRT": 1, "MOD": 2, "INT": 1,
         "MAX": 2, "MIN": 2, "SUM": 2, "AND": 2, "OR": 2, "NOT": 1, "LN": 1, "AVERAGE": 2,
         "ROUNDUP": 2, "ROUNDDOWN": 2, "COUNT": 2, "SUMPRODUCT": 1}


def _expr(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        leaf = rng.choice(LEAVES)
        return leaf if leaf != "S!A1:A3" else "x"  # ranges only inside aggregates
    if rng.random() < 0.5:
        op = rng.choice(BINARY)
        a, b = _expr(rng, depth - 1), _expr(rng, depth - 1)
        if op in ("=", "<", ">=", "<>"):
            # A blank cell compared with a logical: Excel reads the blank as FALSE (as we
            # do); formulas does not. Keep blanks out of comparisons.
            a, b = ("0" if t == "S!E1" else t for t in (a, b))
        return f"({a}{op}{b})"
    name = rng.choice(list(FUNCS))
    args = []
    for _ in range(FUNCS[name]):
        if name in ("SUM", "MAX", "MIN", "AVERAGE", "COUNT", "SUMPRODUCT", "AND", "OR") \
                and rng.random() < 0.3:
            args.append("S!A1:A3")
        else:
            args.append(_expr(rng, depth - 1))
    if name in ("SUM", "MAX", "MIN", "AVERAGE", "COUNT"):
        # formulas counts AND/OR/NOT results in these when their own arguments were scalars
        # and skips them when they were ranges (an artefact); we always skip them.
        args = ["x" if a.startswith(("AND(", "OR(", "NOT(")) else a for a in args]
    if name == "SUMPRODUCT":
        args = ["S!A1:A3"]  # on scalars formulas and Excel disagree; real use is on ranges
    if name == "COUNT":
        # Text typed into COUNT: Excel skips or counts it, formulas says #VALUE! (a known
        # difference, see test_equality.KNOWN_DIFFERENCES).
        args = ["y" if a.startswith('"') else a for a in args]
    if name == "MOD":
        # MOD(1, 0.2): Excel's n − d·INT(n/d) gives 0, formulas' Python % gives 0.2.
        args[1] = rng.choice(["2", "3", "-3"])
    if name == "IFERROR" and args[0] == "S!E1":
        # IFERROR of a blank cell: Excel shows 0; the engine passes the blank through
        # (AVERAGE then skips it). An open question for the engine, kept out of the fuzz.
        args[0] = "0"
    if name.startswith("ROUND"):
        args[1] = str(rng.randint(-1, 3))
    return f"{name}({','.join(args)})"


@pytest.fixture(scope="module", params=[20261128, 7, 42])
def fuzz_book(tmp_path_factory, request):
    rng = random.Random(request.param)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"], ws["A3"] = 1.5, "t", True
    ws["B1"], ws["B2"], ws["B3"] = 2.0, -1.0, 0.5  # x, y, z
    # E1 stays blank.
    from openpyxl.workbook.defined_name import DefinedName

    for name, ref in (("x", "S!$B$1"), ("y", "S!$B$2"), ("z", "S!$B$3")):
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    for i in range(1, 201):
        ws.cell(i, 4, "=" + _expr(rng, 4))
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.xlsx"
    wb.save(path)
    return path


def test_random_formulas_match_the_engine(fuzz_book):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = compile_workbook(fuzz_book)
    ref = EngineReference(fuzz_book)
    scen = {"x": np.array([2.0, 0.0, -1.25, 3.0]), "y": np.array([-1.0, 0.5, 0.0, 2.0]),
            "z": np.array([0.5, -2.0, 1.0, 0.0])}
    res = plan.evaluate(scen)
    keys = {n: plan.resolve_ref(n) for n in scen}
    bad = []
    for i in range(4):
        expected = ref.calculate({keys[n]: float(a[i]) for n, a in scen.items()})
        for key, v in res.items():
            ours, theirs = v.item(i), expected.get((key[0].upper(), key[1], key[2]))
            if not same(ours, theirs):
                bad.append(f"scenario {i} {plan.texts[key]}: {ours!r} vs {theirs!r}")
    assert not bad, f"{len(bad)} differ:\n" + "\n".join(bad[:15])
