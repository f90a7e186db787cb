"""A formula the same in relative terms is compiled once for all its cells (issue 15,
item 3): filled-down and filled-right ranges, Excel's shared formulas and text repeated
cell by cell. These tests check that the sharing happens and that every cell still reads
its own row and column. Expected values are hand arithmetic, shown beside each."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from templates.recalc.reader import read_book
from templates.recalc.values import REF
from templates.recalc.workbook import Workbook

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _book(tmp_path: Path, fill: dict[str, object], sheets: tuple[str, ...] = ("S",)) -> Workbook:
    """openpyxl writes every formula in full, as most tools do (no shared formulas)."""
    wb = openpyxl.Workbook()
    wb.active.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name)
    for ref, v in fill.items():
        sheet, cell = ref.split("!") if "!" in ref else (sheets[0], ref)
        wb[sheet][cell] = v
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return Workbook(read_book(str(path)))


def _formulas(book: Workbook, col: int) -> set[int]:
    return {id(c.formula) for k, c in book.cells.items() if k[2] == col}


def test_a_filled_down_column_is_one_compiled_formula(tmp_path: Path) -> None:
    fill: dict[str, object] = {f"A{r}": float(r) for r in range(1, 201)}
    fill.update({f"B{r}": f"=A{r}*2+ROW()" for r in range(1, 201)})
    book = _book(tmp_path, fill)
    assert len(_formulas(book, 2)) == 1
    values = book.calculate()
    # B{r} = A{r}*2 + ROW() = 2r + r = 3r
    assert all(values[("S", r, 2)] == 3.0 * r for r in range(1, 201))


def test_a_filled_right_row_with_mixed_references(tmp_path: Path) -> None:
    """B$1 keeps its row, $A2 its column: C2:F5 = (row 1's value) * (column A's value)."""
    fill: dict[str, object] = {f"{c}1": float(i) for i, c in enumerate("BCDEF", 1)}
    fill.update({f"A{r}": float(10 * r) for r in range(2, 6)})
    fill.update({f"{c}{r}": f"={c}$1*$A{r}" for c in "BCDEF" for r in range(2, 6)})
    book = _book(tmp_path, fill)
    assert len({id(c.formula) for c in book.cells.values()}) == 1
    values = book.calculate()
    # column B..F carries 1..5 in row 1; A{r} = 10r → cell = i * 10r
    for i, c in enumerate("BCDEF", 1):
        for r in range(2, 6):
            assert values[("S", r, i + 1)] == float(i * 10 * r), (c, r)


def test_position_dependent_functions_see_their_own_cell(tmp_path: Path) -> None:
    fill: dict[str, object] = {f"A{r}": float(r * r) for r in range(1, 31)}
    for r in range(1, 31):
        fill[f"B{r}"] = "=COLUMN()*100+ROW()"
        fill[f"C{r}"] = '=INDIRECT("A"&ROW())'
        fill[f"D{r}"] = f"=OFFSET(A{r},0,0)+1"
        fill[f"E{r}"] = '=INDIRECT("RC[-4]",FALSE)'
    book = _book(tmp_path, fill)
    assert all(len(_formulas(book, col)) == 1 for col in (2, 3, 4, 5))
    values = book.calculate()
    for r in range(1, 31):
        assert values[("S", r, 2)] == 200.0 + r  # COLUMN() = 2
        assert values[("S", r, 3)] == float(r * r)  # A{r}
        assert values[("S", r, 4)] == float(r * r + 1)
        assert values[("S", r, 5)] == float(r * r)  # R1C1: same row, 4 columns left


def test_a_chain_through_one_formula_evaluated_from_its_end(tmp_path: Path) -> None:
    """A{r} = LET(x, A{r-1}, x+1): reading the last cell first evaluates the whole chain
    nested inside one compiled formula (each level must see its own row and its own
    LET binding). A1 = 1 → A{r} = r."""
    fill: dict[str, object] = {"A1": 1.0}
    fill.update({f"A{r}": f"=LET(x,A{r - 1},x+1)" for r in range(2, 101)})
    book = _book(tmp_path, fill)
    assert len(_formulas(book, 1)) == 1
    # cell_value outside calculate() recurses under Python's default limit: 100 deep
    assert book.cell_value("S", 100, 1) == 100.0
    assert book.cell_value("S", 50, 1) == 50.0


def test_the_same_text_on_two_sheets_reads_each_sheet(tmp_path: Path) -> None:
    book = _book(tmp_path, {"S!A1": 2.0, "T!A1": 5.0, "S!B1": "=A1*3", "T!B1": "=A1*3"},
                 sheets=("S", "T"))
    values = book.calculate()
    assert values[("S", 1, 2)] == 6.0 and values[("T", 1, 2)] == 15.0  # 2*3, 5*3


def _write_sheet(path: Path, rows_xml: str) -> Path:
    """One sheet as Excel writes it (shared formulas need raw SpreadsheetML)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"><Default Extension="rels"'
                    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    '<Default Extension="xml" ContentType="application/xml"/><Override '
                    'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats'
                    '-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
                    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
                    'schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                    f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                    '</Relationships>')
        zf.writestr("xl/workbook.xml",
                    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
                    f'xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
                    '</sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
                    'schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                    f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                    '</Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml",
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                    f'<sheetData>{rows_xml}</sheetData></worksheet>')
    return path


def test_shared_formula_children_moved_off_the_sheet_are_ref_errors(tmp_path: Path) -> None:
    """XFC1 = XFD1+1 shared over XFC1:XFD1: the child in XFD1 reads one column past the
    last (XFE1), which Excel shows as #REF!; XFD1 itself holds 4 → XFC1 = 5."""
    xml = ('<row r="1"><c r="XFC1"><f t="shared" ref="XFC1:XFD1" si="0">XFD1+1</f></c>'
           '<c r="XFD1"><f t="shared" si="0"/><v>4</v></c></row>')
    book = Workbook(read_book(str(_write_sheet(tmp_path / "edge.xlsx", xml))))
    values = book.calculate()
    assert values[("S", 1, 16384)] is REF
    assert values[("S", 1, 16383)] is REF  # XFC1 = XFD1+1 and XFD1 is #REF!


def test_a_shared_group_is_one_formula_and_each_child_reads_its_row(tmp_path: Path) -> None:
    """A1..A50 = 1..50; B1 = A1*A1 shared down to B50 → B{r} = r²; the sum in C1 = 42925
    (1² + … + 50² = 50·51·101/6)."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}">'
        + ('<f t="shared" ref="B1:B50" si="0">A1*A1</f>' if r == 1 else '<f t="shared" si="0"/>')
        + "</c>" + ('<c r="C1"><f>SUM(B1:B50)</f></c>' if r == 1 else "") + "</row>"
        for r in range(1, 51))
    book = Workbook(read_book(str(_write_sheet(tmp_path / "shared.xlsx", cells))))
    assert len(_formulas(book, 2)) == 1
    values = book.calculate()
    assert all(values[("S", r, 2)] == float(r * r) for r in range(1, 51))
    assert values[("S", 1, 3)] == 42925.0


def test_a_loop_closed_by_a_cell_that_reads_backward_is_found(tmp_path: Path) -> None:
    """A1 = IF(FALSE, A2, 1) reads forward, A2 = A1+1 backward: Excel's check is on the
    references, not the branch IF takes, so this is a circular reference; the file stores
    no values, so the workbook is refused (as Excel would have nothing to show)."""
    import pytest

    from templates.recalc.workbook import CircularReference

    book = _book(tmp_path, {"A1": "=IF(FALSE,A2,1)", "A2": "=A1+1"})
    with pytest.raises(CircularReference) as err:
        book.calculate()
    assert "S!A1" in str(err.value) and "S!A2" in str(err.value)


def test_a_long_chain_reading_forward_is_ordered_without_deep_recursion(
        tmp_path: Path) -> None:
    """A{r} = A{r+1}+1 for r < 20,000 and A20000 = 1: each cell reads the one below, so
    the order pass must put the bottom first. A{r} = 20,001 - r."""
    n = 20_000
    fill: dict[str, object] = {f"A{r}": f"=A{r + 1}+1" for r in range(1, n)}
    fill[f"A{n}"] = 1.0
    book = _book(tmp_path, fill)
    values = book.calculate()
    assert values[("S", 1, 1)] == float(n) and values[("S", n // 2, 1)] == float(n + 1 - n // 2)


def test_the_text_a_form_predicts_keeps_braces_strings_and_fixed_parts() -> None:
    """A cell is matched to the form of the cell above or to the left by the text the
    form predicts for it: array constants' braces, strings that look like references and
    $-fixed parts must come out exactly as written."""
    from templates.recalc.workbook import _RelativeForm

    form = _RelativeForm.of('SUMPRODUCT(B2:C2*{1,2})&"A1"&$D$1&E$1', 2, 1)
    assert form is not None
    assert form.text_at(3, 1) == 'SUMPRODUCT(B3:C3*{1,2})&"A1"&$D$1&E$1'
    assert form.text_at(2, 2) == 'SUMPRODUCT(C2:D2*{1,2})&"A1"&$D$1&F$1'
    only_columns = _RelativeForm.of("B$1+{3}", 5, 1)
    assert only_columns is not None and only_columns.text_at(9, 3) == "D$1+{3}"
    assert _RelativeForm.of("A2", 3, 1).text_at(1, 1) is None  # would read row 0


def test_filled_formulas_with_array_constants_and_lower_case(tmp_path: Path) -> None:
    """B{r} = SUMPRODUCT(A{r}*{1,2}) is A{r}*3; lower-case references are the same cells."""
    fill: dict[str, object] = {f"A{r}": float(r) for r in range(1, 21)}
    fill.update({f"B{r}": f"=SUMPRODUCT(A{r}*{{1,2}})" for r in range(1, 21)})
    fill.update({f"C{r}": f"=a{r}+b{r}" for r in range(1, 21)})
    book = _book(tmp_path, fill)
    assert len(_formulas(book, 2)) == 1
    values = book.calculate()
    assert all(values[("S", r, 2)] == 3.0 * r for r in range(1, 21))  # r*1 + r*2
    assert all(values[("S", r, 3)] == 4.0 * r for r in range(1, 21))  # r + 3r


def test_iterated_loops_in_a_filled_range_each_settle_on_their_own_row(
        tmp_path: Path) -> None:
    """A{r} = B{r}*0.5 + r and B{r} = A{r} for r = 1..40, iteration on: forty loops
    through two compiled formulas, re-evaluated round after round. Fixed point by hand:
    A = A/2 + r → A{r} = 2r; iteration stops within iterateDelta (1e-9) of it
    (LibreOffice 7.4 on the first five rows: 1.99999999906868, 3.99999999906868, …).
    B{r} = A{r} returns a reference, read after the formula: the loop must still be seen
    through it (it was not: B stayed at its first round and A settled on 1.5r)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r in range(1, 41):
        ws[f"A{r}"] = f"=B{r}*0.5+ROW()"
        ws[f"B{r}"] = f"=A{r}"
    wb.calculation.iterate = True
    wb.calculation.iterateCount = 1000
    wb.calculation.iterateDelta = 1e-9
    path = tmp_path / "loops.xlsx"
    wb.save(path)
    book = Workbook(read_book(str(path)))
    assert len(_formulas(book, 1)) == 1 and len(_formulas(book, 2)) == 1
    values = book.calculate()
    assert book.not_converged is None
    for r in range(1, 41):
        assert abs(values[("S", r, 1)] - 2.0 * r) < 1e-6
        assert abs(values[("S", r, 2)] - 2.0 * r) < 1e-6
