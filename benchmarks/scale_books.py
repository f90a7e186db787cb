"""Large workbooks for the scale benchmark and tests, written straight as SpreadsheetML.

openpyxl would take minutes and gigabytes to write a million formula cells; these files
are the XML Excel itself writes for the same cells (one ``<c><f>`` per formula cell, no
cached values, so every cell must be calculated), zipped with the standard library.

- :func:`chain` — ``A1 = 1``, ``A2 = A1+1`` … one column of ``n`` formulas, each reading
  the one above: the deepest dependency chain a workbook can have.
- :func:`grid` — ``rows`` × ``cols`` formula cells of mixed work on sheet ``Grid``, over an
  ``Inputs`` sheet (a column of numbers and a 100-row lookup table): arithmetic on the
  row's input and the cell above, the left neighbour plus the cell above, an exact
  ``VLOOKUP`` and an ``INDEX``/``MATCH`` into the table, and a ``SUM`` of the three cells
  to the left. Each column's formula is the same in relative terms all the way down.

:func:`chain` returns the value Excel gives its last cell (hand arithmetic in the
docstring); :func:`grid_value` computes any grid cell in plain Python, so a run can be
checked, not only timed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from templates.recalc.parser import col_letters

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>'
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"



def _write(path: Path, sheets: list[tuple[str, list[str]]]) -> Path:
    """``sheets``: (name, rows of ``<row>`` XML) → an .xlsx at ``path``."""
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>'
                  for i, (n, _) in enumerate(sheets, 1))
        + '</sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                  f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(i=i) for i in range(1, len(sheets) + 1))))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, (_, rows) in enumerate(sheets, 1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
                for start in range(0, len(rows), 10_000):
                    fh.write("".join(rows[start:start + 10_000]).encode())
                fh.write(b"</sheetData></worksheet>")
    return path


def _f(text: str, r: int, first_row: int, last_row: int, si: int, shared: bool,
       col: str) -> str:
    """A formula element: written out in every cell (openpyxl, most tools), or as Excel
    saves a range filled down: the text once on the first cell with the range it covers
    (``t="shared" ref=…``), the other cells pointing at it by index (ECMA-376 §18.3.1.40).
    """
    if not shared or first_row == last_row:
        return f"<f>{text}</f>"
    if r == first_row:
        return f'<f t="shared" ref="{col}{first_row}:{col}{last_row}" si="{si}">{text}</f>'
    return f'<f t="shared" si="{si}"/>'


def chain(path: Path, n: int, shared: bool = False) -> tuple[Path, str, float]:
    """``A1 = 1`` and ``n`` formulas ``A{r} = A{r-1}+1`` below it (``shared``: stored as
    Excel stores a filled-down range, see :func:`_f`).

    Returns the file, the last cell and its value: ``A{n+1} = 1 + n`` (each formula adds
    one to the value above).
    """
    rows = ['<row r="1"><c r="A1"><v>1</v></c></row>']
    rows += [f'<row r="{r}"><c r="A{r}">{_f(f"A{r - 1}+1", r, 2, n + 1, 0, shared, "A")}'
             f'</c></row>' for r in range(2, n + 2)]
    return _write(path, [("Sheet1", rows)]), f"Sheet1!A{n + 1}", float(n + 1)


def _grid_formula(r: int, c: int) -> str:
    """The formula of grid cell (r, c): the same in relative terms down each column, as a
    sheet filled by dragging is (a reference to the left of column A or above row 1 is
    replaced by the row's input or 0)."""
    left = f"{col_letters(c - 1)}{r}" if c > 1 else f"Inputs!$A{r}"
    up = f"{col_letters(c)}{r - 1}" if r > 1 else "0"
    kind = c % 5
    if kind == 1:
        return f"Inputs!$A{r}*1.5+{up}*0.5"
    if kind == 2:
        return f"{left}+{up}"
    if kind == 3:  # exact VLOOKUP: keys 1..100 in Inputs!C1:C100, squares in D
        return f"VLOOKUP(MOD(ROUND({left},0),100)+1,Inputs!$C$1:$D$100,2,FALSE)+{left}"
    if kind == 4:
        return f"INDEX(Inputs!$D$1:$D$100,MATCH(MOD(ROUND({up},0),100)+1,Inputs!$C$1:$C$100,0))"
    return f"SUM({col_letters(c - 3)}{r}:{left})" if c > 3 else f"SUM(Inputs!$A{r}:$B{r})"


def grid(path: Path, rows: int = 1000, cols: int = 1000,
         shared: bool = False) -> tuple[Path, int]:
    """``rows`` × ``cols`` formula cells on ``Grid`` over an ``Inputs`` sheet.

    ``Inputs!A{r} = r`` for every grid row; ``Inputs!C{k} = k`` and ``Inputs!D{k} = k*k``
    for k = 1..100 (the lookup table). Returns the file and the number of formula cells.
    The formulas cycle through five kinds by column (see the module docstring); with
    ``shared`` each column's rows 2 … ``rows`` are one shared formula, as Excel saves a
    column filled down (row 1 reads no cell above, so its formula differs).
    """
    inputs = []
    for r in range(1, max(rows, 100) + 1):
        cells = f'<c r="A{r}"><v>{r}</v></c>' if r <= rows else ""
        if r <= 100:
            cells += f'<c r="C{r}"><v>{r}</v></c><c r="D{r}"><v>{r * r}</v></c>'
        inputs.append(f'<row r="{r}">{cells}</row>')
    body = []
    for r in range(1, rows + 1):
        first, last = (2, rows) if r > 1 else (1, 1)  # row 1 reads no cell above
        cells = "".join(
            f'<c r="{col_letters(c)}{r}">'
            f'{_f(_grid_formula(r, c), r, first, last, c, shared, col_letters(c))}</c>'
            for c in range(1, cols + 1))
        body.append(f'<row r="{r}">{cells}</row>')
    return _write(path, [("Inputs", inputs), ("Grid", body)]), rows * cols


def grid_value(rows: int, cols: int) -> dict[tuple[int, int], float]:
    """Every grid cell's value, computed in plain Python from the definitions above (the
    reference a recalculation is checked against; Excel's ROUND is half away from zero,
    and no value here is negative)."""
    import math

    def rnd(x: float) -> float:
        return math.floor(x + 0.5)

    v: dict[tuple[int, int], float] = {}
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            left = v[(r, c - 1)] if c > 1 else float(r)
            up = v.get((r - 1, c), 0.0)
            kind = c % 5
            if kind == 1:
                x = r * 1.5 + up * 0.5
            elif kind == 2:
                x = left + up
            elif kind == 3:
                k = rnd(left) % 100 + 1
                x = k * k + left
            elif kind == 4:
                k = rnd(up) % 100 + 1
                x = float(k * k)
            else:
                x = v[(r, c - 3)] + v[(r, c - 2)] + left if c > 3 else float(r)
            v[(r, c)] = x
    return v
