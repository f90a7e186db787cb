"""The catalog inside a real ``formulas`` calculation of an openpyxl-built workbook.

Reference values (genai-prices 0.2.3 list prices, gpt-4o $2.50 in / $10 out per 1M tokens):
112.5M in + 37.5M out = 112.5×2.5 + 37.5×10 = 656.25; a blank output cell is 0, so
112.5×2.5 = 281.25; the column 1M, 2M, 4M input tokens costs 2.5, 5, 10 (sum 17.5).
"""

import formulas
import numpy as np
import openpyxl
import pytest
from formulas.functions import wrap_func

from udfs.formulas_adapter import formulas_functions

CELLS = {
    "B1": ('=LLM_API_COST("gpt-4o",A1,A2)', 656.25),
    "B2": ('=LLM_API_COST("gpt-4o",A1,A9)', 281.25),  # A9 is blank
    "B3": ('=SUM(LLM_API_COST("gpt-4o",C1:C3,0))', 17.5),  # a column in, a column out
    "B4": ('=INDEX(LLM_API_COST("gpt-4o",C1:C3,0),2,1)', 5.0),
    "B5": ('=LLM_API_COST("gpt-4o",1/0,A2)', "#DIV/0!"),  # an error in propagates
    "B6": ('=LLM_API_COST("no-such-model",A1,A2)', "#N/A"),
    "B7": ('=LLM_API_COST("gpt-4o",-1,A2)', "#NUM!"),
    "B8": ('=LLM_API_COST("gpt-4o","lots",A2)', "#VALUE!"),
    "B9": ('=LLM_WHY("LLM_API_COST","gpt-4o",-1,A2)', "input_tokens must be >= 0; got -1"),
}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"] = 112.5e6, 37.5e6
    ws["C1"], ws["C2"], ws["C3"] = 1e6, 2e6, 4e6
    for ref, (formula, _) in CELLS.items():
        ws[ref] = formula
    path = tmp_path_factory.mktemp("wb") / "udfs.xlsx"
    wb.save(path)
    return path


def _calculate(path):
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, ranges in solution.items():
        ref = key.split("!")[-1]
        if ref in CELLS:
            value = np.asarray(ranges.value).reshape(-1)[0]
            out[ref] = float(value) if isinstance(value, int | float | np.number) else str(value)
    return out


@pytest.mark.parametrize("wrapped", [False, True], ids=["raw", "wrap_func"])
def test_workbook_calculates_with_our_functions(workbook, monkeypatch, wrapped):
    # Raw: as a user registering formulas_functions() by hand; wrap_func: as templates.recalc.
    table = formulas.get_functions()
    for name, fn in formulas_functions().items():
        monkeypatch.setitem(table, name, wrap_func(fn) if wrapped else fn)
    got = _calculate(workbook)
    for ref, (formula, expected) in CELLS.items():
        assert got[ref] == expected, f"{ref} {formula}"
