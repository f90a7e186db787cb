"""Test workbooks built with openpyxl: every supported function, and a realistic TCO model."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

# Input cells of the function book that randomised scenarios vary, with (low, high).
FUNCTION_INPUTS = {
    "Inputs!B1": (-5.0, 20.0),
    "Inputs!B2": (-3.0, 3.0),
    "Inputs!B3": (0.0, 0.2),
    "Inputs!B4": (1.0, 6.0),
    "Inputs!B5": (-2.0, 2.0),
}

# Formulas of the function book, one per row of sheet Calc (column B).
FUNCTION_FORMULAS = [
    "=x+y", "=x-y", "=x*y", "=x/y", "=x^2", "=y^0.5", "=-x^2", "=x%", '=x&"|"&y',
    '="n="&Inputs!B6', "=x=y", "=x<>y", "=x<y", "=x>=y", '="abc"="ABC"', '="a"<"b"',
    "=IF(x>y,x,y)", '=IF(y>0,"pos")', "=IF(y>0,,1)", "=IFERROR(x/y,-1)", "=IFERROR(1/0,\"z\")",
    "=_xlfn.IFS(y>1,1,y>0,2,y>-1,3)", "=AND(x>0,y>0)", "=OR(x>0,y>0)", "=NOT(y>0)",
    "=AND(Tables!D2:D4)", "=OR(Tables!D2:D4,FALSE)",
    "=SUM(Tables!A2:A6)", "=SUM(x,y,Tables!A2:A6)", "=SUM(Inputs!B1:B6)", "=MIN(Tables!B2:B6,y)",
    "=MAX(Tables!B2:B6,x)", "=AVERAGE(Tables!A2:A6,x)", "=AVERAGE(Inputs!B1:B6)",
    "=SUMPRODUCT(Tables!A2:A6,Tables!B2:B6)", "=SUMPRODUCT(Tables!A2:A6*x)",
    "=COUNT(Inputs!B1:B7)", "=COUNT(x,y,\"t\")",
    "=ROUND(x*1.005,2)", "=ROUND(2.675,2)", "=ROUND(-2.5,0)", "=ROUND(x*1234.5678,-2)",
    "=ROUNDUP(x/3,1)", "=ROUNDDOWN(x/3,1)", "=ROUNDUP(-x/7,0)", "=ROUNDDOWN(1234.5678,-2)",
    "=INT(y)", "=INT(-2.5)", "=ABS(y)", "=MOD(x,3)", "=MOD(-7,y)", "=SQRT(y)", "=LN(x)", "=EXP(y)",
    "=POWER(x,y)", "=POWER(y,0.5)",
    "=INDEX(Tables!A2:C6,rate_row,2)", "=INDEX(Tables!C2:C6,rate_row)", "=INDEX(Tables!A2:A6,7)",
    "=SUM(INDEX(Tables!A2:C6,0,2))",
    "=MATCH(x,Tables!A2:A6)", "=MATCH(x,Tables!A2:A6,0)", '=MATCH("gpu-b",Tables!C2:C6,0)',
    "=MATCH(y,Tables!E2:E6,-1)",
    "=_xlfn.XLOOKUP(rate_row,Tables!A2:A6,Tables!B2:B6)",
    '=_xlfn.XLOOKUP(x,Tables!A2:A6,Tables!C2:C6,"none")',
    "=_xlfn.XLOOKUP(x,Tables!A2:A6,Tables!B2:B6,-99,-1)",
    "=_xlfn.XLOOKUP(x,Tables!A2:A6,Tables!B2:B6,-99,1)",
    "=VLOOKUP(x,Tables!A2:C6,2)", "=VLOOKUP(rate_row,Tables!A2:C6,3,FALSE)",
    '=VLOOKUP("GPU-C",Tables!C2:C6,1,FALSE)',
    "=HLOOKUP(2,Tables!G2:J3,2,FALSE)", "=HLOOKUP(x,Tables!G2:J3,2)",
    "=NPV(disc,Tables!A2:A6)", "=NPV(disc,x,y,100)", "=PMT(disc/12,36,10000)", "=PMT(0,x,1000)",
    "=PMT(disc,x,-5000,100,1)", "=PV(disc,10,-100)", "=PV(0,5,-100,10)", "=FV(disc,10,-100)",
    "=FV(disc,x,-100,-1000,1)",
    "=CEILING(x,2)", "=CEILING(x*1.37,0.5)", "=CEILING(-2.5,-1)", "=_xlfn.CEILING.MATH(y)",
    "=_xlfn.CEILING.MATH(-2.5)", "=_xlfn.CEILING.MATH(-2.5,1,1)", "=_xlfn.CEILING.MATH(x*0.7,3)",
    "=FLOOR(x,2)", "=FLOOR(x*1.37,0.25)", "=FLOOR(-2.5,-1)",
    "=MAX(Inputs!B1:B6,Tables!A2:B6)", "=MIN(Inputs!B1:B2,Tables!B2:B6)",
    "=Inputs!B8", "=Inputs!B8+1", '=Inputs!B6&""', "=x/0", "=SQRT(-1)", "=LN(0)",
    "=IFERROR(SQRT(y),NA())", "=B1+B2*B3", "=SUM(B1:B5)", "=#N/A", "=NA()+1",
    "=IF(x>5,B2,B4)", "=x*100", '=IF(y>0,"up",y)&"!"',
    # Appended (row numbers above are used by tests): conditional aggregates and more.
    '=SUMIF(Tables!A2:A6,">3")', '=SUMIF(Tables!C2:C6,"gpu*",Tables!B2:B6)',
    "=SUMIF(Tables!A2:A6,rate_row,Tables!B2:B6)", '=COUNTIF(Tables!C2:C6,"GPU-B")',
    '=COUNTIF(Tables!A2:A6,"<="&x)', '=COUNTIFS(Tables!A2:A6,">1",Tables!B2:B6,"<3")',
    '=AVERAGEIF(Tables!A2:A6,">=3",Tables!B2:B6)', '=AVERAGEIFS(Tables!B2:B6,Tables!A2:A6,">"&y)',
    '=_xlfn.MAXIFS(Tables!B2:B6,Tables!A2:A6,"<"&x)',
    '=_xlfn.MINIFS(Tables!B2:B6,Tables!A2:A6,">"&y)', "=MEDIAN(Tables!A2:A6,x)",
    "=MEDIAN(Tables!A2:A5)", "=LOG(x)", "=LOG(x,2)", "=ISBLANK(Inputs!B8)",
    "=ISBLANK(Inputs!B1)", '=SUMIF(Tables!C2:C6,"gpu-?",Tables!A2:A6)',
    "=PRODUCT(Tables!A2:A4,x)", "=TRUNC(x*1.2345,2)", "=TRUNC(-y)", "=LARGE(Tables!B2:B6,2)",
    "=SMALL(Tables!A2:B6,INT(rate_row))", "=NPER(disc/12,-200,5000)", "=NPER(0,-100,x*100)",
    '=CONCAT("n=",x,Tables!C2:C3)', '=CONCATENATE("a",y,TRUE)', "=LEN(Tables!C2&x)",
    "=UPPER(Tables!C2)", '=LOWER("AbC")', '=TRIM("  a   b ")', "=ISTEXT(Tables!C2)",
    "=ISTEXT(x)", "=ISNA(MATCH(x,Tables!A2:A6,0))", "=ISERR(1/y)", "=ISLOGICAL(x>1)",
    "=N(x)", "=N(TRUE)", '=N("t")', '=VALUE("12.5")', "=VALUE(Inputs!B6)", "=ROWS(Tables!A2:C6)",
    "=COLUMNS(Tables!A2:C6)", '=SWITCH(rate_row,1,"one",3,"three","other")',
    "=SWITCH(INT(y),0,10,1,20)",
]


def build_function_book(path: str | Path) -> Path:
    """Write a workbook using every vectorised function (plus defined names, cross-sheet
    ranges, blanks, text, logicals and error values) and return its path."""
    wb = openpyxl.Workbook()
    ins = wb.active
    ins.title = "Inputs"
    ins["A1"], ins["B1"] = "x", 7.5
    ins["A2"], ins["B2"] = "y", 1.5
    ins["A3"], ins["B3"] = "rate", 0.05
    ins["A4"], ins["B4"] = "row", 3
    ins["A5"], ins["B5"] = "z", -0.5
    ins["A6"], ins["B6"] = "label", "txt"
    ins["B7"] = True
    # B8 left blank on purpose: references to empty cells read 0.
    t = wb.create_sheet("Tables")
    t.append(["n", "price", "gpu", "flag", "desc"])
    for row in [(1, 2.5, "gpu-a", True, 3), (3, 1.25, "gpu-b", True, 1.5), (5, 4.0, "GPU-C", 1, 0),
                (8, 0.5, "gpu-d", None, -1), (13, 3.0, "gpu-e", None, -2)]:
        t.append(list(row))
    for j, (k, v) in enumerate([(1, 10), (2, 20), (4, 40), (8, 80)]):
        t.cell(2, 7 + j, k)
        t.cell(3, 7 + j, v)
    c = wb.create_sheet("Calc")
    for i, f in enumerate(FUNCTION_FORMULAS, start=1):
        c.cell(i, 1, f[1:])  # the formula as a label (text, not a formula)
        c.cell(i, 2, f)
    for name, ref in [("x", "Inputs!$B$1"), ("y", "Inputs!$B$2"), ("disc", "Inputs!$B$3"),
                      ("rate_row", "Inputs!$B$4")]:
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.save(path)
    return Path(path)


# Inputs of the TCO book (defined names) with (low, high) for randomised scenarios.
TCO_INPUTS = {
    "requests_per_day": (1e3, 5e6),
    "tokens_in": (100, 8000),
    "tokens_out": (50, 2000),
    "price_in": (0.1, 15.0),
    "price_out": (0.4, 60.0),
    "growth": (0.0, 0.1),
    "gpu_tps": (500, 5000),
    "gpu_hourly": (0.8, 6.0),
    "engineers": (0.5, 4.0),
    "discount": (0.0, 0.2),
}


def build_tco_book(path: str | Path, months: int = 36) -> Path:
    """A realistic API-vs-self-host TCO model: inputs, a GPU table, a monthly projection
    over ``months`` rows, NPV, breakeven and a summary (~12 formulas per month)."""
    wb = openpyxl.Workbook()
    ins = wb.active
    ins.title = "Inputs"
    rows = [
        ("requests_per_day", 20000), ("tokens_in", 1500), ("tokens_out", 400),
        ("price_in", 2.5), ("price_out", 10.0), ("growth", 0.03), ("gpu_tps", 1800),
        ("gpu_hourly", 2.4), ("engineers", 1.5), ("fte_monthly", 15000), ("discount", 0.1),
        ("gpu_name", "H100"), ("min_gpus", 2), ("util_target", 0.6), ("peak_ratio", 2.0),
    ]
    for i, (name, val) in enumerate(rows, start=1):
        ins.cell(i, 1, name)
        ins.cell(i, 2, val)
        wb.defined_names[name] = DefinedName(name, attr_text=f"Inputs!$B${i}")
    g = wb.create_sheet("GPUs")
    g.append(["gpu", "memory_gb", "hourly", "tps_factor"])
    for r in [("A100", 80, 1.8, 0.55), ("H100", 80, 2.4, 1.0), ("H200", 141, 3.5, 1.4),
              ("L40S", 48, 1.0, 0.35)]:
        g.append(list(r))
    p = wb.create_sheet("Projection")
    p.append(["month", "tokens", "api_cost", "gpus", "gpu_cost", "people", "selfhost",
              "saving", "cum_api", "cum_self", "cum_saving", "ahead", "rounded"])
    for m in range(1, months + 1):
        r = m + 1
        p.cell(r, 1, m)
        p.cell(r, 2, f"=requests_per_day*(tokens_in+tokens_out)*30*(1+growth)^(A{r}-1)")
        p.cell(r, 3, f"=requests_per_day*30*(1+growth)^(A{r}-1)*(tokens_in*price_in"
                     f"+tokens_out*price_out)/1000000")
        p.cell(r, 4, f"=MAX(min_gpus,ROUNDUP(B{r}/30/86400*peak_ratio/(gpu_tps*"
                     f"INDEX(GPUs!$D$2:$D$5,MATCH(gpu_name,GPUs!$A$2:$A$5,0))*util_target),0))")
        p.cell(r, 5, f"=D{r}*gpu_hourly*730")
        p.cell(r, 6, "=engineers*fte_monthly")
        p.cell(r, 7, f"=E{r}+F{r}")
        p.cell(r, 8, f"=C{r}-G{r}")
        p.cell(r, 9, f"=C{r}" if m == 1 else f"=I{r - 1}+C{r}")
        p.cell(r, 10, f"=G{r}" if m == 1 else f"=J{r - 1}+G{r}")
        p.cell(r, 11, f"=I{r}-J{r}")
        p.cell(r, 12, f'=IF(K{r}>0,"self-host","api")')
        p.cell(r, 13, f"=ROUND(H{r},2)")
    last = months + 1
    s = wb.create_sheet("Summary")
    summary = [
        ("total_api", f"=SUM(Projection!C2:C{last})"),
        ("total_selfhost", f"=SUM(Projection!G2:G{last})"),
        ("npv_saving", f"=NPV(discount/12,Projection!H2:H{last})"),
        ("out_api_monthly", f"=AVERAGE(Projection!C2:C{last})"),
        ("out_selfhost_monthly", f"=AVERAGE(Projection!G2:G{last})"),
        ("payback_month", f"=IFERROR(MATCH(TRUE,INDEX(Projection!K2:K{last}>0,0),0),\"never\")"),
        ("max_gpus", f"=MAX(Projection!D2:D{last})"),
        ("first_ahead", f'=IFERROR(MATCH("self-host",Projection!L2:L{last},0),0)'),
        ("cheaper", '=IF(out_selfhost_monthly<out_api_monthly,"self-host","api")'),
        ("ratio", "=IFERROR(out_selfhost_monthly/out_api_monthly,-1)"),
    ]
    for i, (name, f) in enumerate(summary, start=1):
        s.cell(i, 1, name)
        s.cell(i, 2, f)
        wb.defined_names[name] = DefinedName(name, attr_text=f"Summary!$B${i}")
    wb.save(path)
    return Path(path)
