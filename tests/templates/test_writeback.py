"""templates.recalc.writeback: computed values go into the cached <v> only; all else is kept."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from templates.recalc.check import check
from templates.recalc.errors import WorkbookError
from templates.recalc.writeback import patch_sheet_xml, write_back


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def rich_book(tmp_path: Path) -> Path:
    """Formulas of every result type, styles, a chart, validation, names, comments."""
    path = tmp_path / "rich.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Model"
    ws["A1"], ws["B1"] = "model", "gpt-4o"
    ws["A2"], ws["B2"] = "tokens", 150_000_000
    ws["A3"], ws["B3"] = "price", 5
    ws["B4"] = "=B2/1000000*B3"  # number: 750 by hand
    ws["B5"] = '=IF(B4>500,"expensive","cheap")'  # text
    ws["B6"] = "=B4>1000"  # boolean
    ws["B7"] = "=B4/0"  # error
    ws["B8"] = "=ROUND(B4/7,2)"  # 107.14 by hand (750/7 = 107.142857…)
    ws["B4"].font = Font(bold=True, color="FF0000")
    ws["B4"].number_format = '"$"#,##0.00'
    ws["A1"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["B1"].comment = Comment("Pick a model from the list", "llm-tco")
    dv = DataValidation(type="list", formula1='"gpt-4o,claude-sonnet-4-5"', allow_blank=False)
    ws.add_data_validation(dv)
    dv.add("B1")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=4))
    ws.add_chart(chart, "D2")
    wb.defined_names["out_monthly"] = DefinedName("out_monthly", attr_text="Model!$B$4")
    wb.defined_names["tokens"] = DefinedName("tokens", attr_text="Model!$B$2")
    wb.save(path)
    return path


def test_values_written_and_everything_else_kept(rich_book: Path, tmp_path: Path) -> None:
    before = _sha(rich_book)
    out = tmp_path / "out.xlsx"
    write_back(rich_book, out)
    assert _sha(rich_book) == before  # input untouched

    values = openpyxl.load_workbook(out, data_only=True)["Model"]
    assert [values[f"B{r}"].value for r in range(4, 9)] == [
        750, "expensive", False, "#DIV/0!", 107.14
    ]

    wb = openpyxl.load_workbook(out)
    ws = wb["Model"]
    assert ws["B4"].value == "=B2/1000000*B3"  # formulas kept
    assert ws["B4"].font.bold and ws["B4"].number_format == '"$"#,##0.00'
    assert ws["B1"].comment.text == "Pick a model from the list"
    assert ws.data_validations.dataValidation[0].formula1 == '"gpt-4o,claude-sonnet-4-5"'
    assert set(wb.defined_names) == {"out_monthly", "tokens"}

    with zipfile.ZipFile(rich_book) as zin, zipfile.ZipFile(out) as zout:
        assert zin.namelist() == zout.namelist()  # same members, same order
        assert any(n.startswith("xl/charts/") for n in zout.namelist())
        for name in zin.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert zin.read(name) != zout.read(name)
            else:
                assert zin.read(name) == zout.read(name), name


def test_only_cached_values_change_in_the_sheet_xml(rich_book: Path, tmp_path: Path) -> None:
    out = write_back(rich_book, tmp_path / "out.xlsx")
    with zipfile.ZipFile(rich_book) as zin, zipfile.ZipFile(out) as zout:
        old = zin.read("xl/worksheets/sheet1.xml").decode()
        new = zout.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="B4" s="\d+"><f>B2/1000000\*B3</f><v>750</v></c>', new)
    assert '<c r="B5" t="str"><f>IF(B4&gt;500,"expensive","cheap")</f><v>expensive</v></c>' in new
    assert '<c r="B6" t="b"><f>B4&gt;1000</f><v>0</v></c>' in new
    assert '<c r="B7" t="e"><f>B4/0</f><v>#DIV/0!</v></c>' in new
    # Outside the formula cells the part is unchanged.
    strip = re.compile(r'<c r="B[4-8]".*?</c>')
    assert strip.sub("", old) == strip.sub("", new)


def test_written_copy_checks_fresh_and_original_does_not(rich_book: Path, tmp_path: Path) -> None:
    assert not check(rich_book).ok  # openpyxl stores no cached values
    out = write_back(rich_book, tmp_path / "out.xlsx")
    assert check(out).ok


def test_inputs_are_written_too(rich_book: Path, tmp_path: Path) -> None:
    out = write_back(rich_book, tmp_path / "out.xlsx", inputs={"tokens": 300e6, "Model!B1": "x"})
    ws = openpyxl.load_workbook(out, data_only=True)["Model"]
    assert ws["B2"].value == 300_000_000 and ws["B4"].value == 1500 and ws["B1"].value == "x"
    assert check(out).ok


def test_in_place_replaces_atomically(rich_book: Path) -> None:
    before = _sha(rich_book)
    write_back(rich_book, in_place=True)
    assert _sha(rich_book) != before
    assert check(rich_book).ok
    assert [p.name for p in rich_book.parent.iterdir()] == [rich_book.name]  # no temp left


def test_refuses_to_overwrite_input_without_in_place(rich_book: Path) -> None:
    with pytest.raises(WorkbookError, match="in_place"):
        write_back(rich_book, rich_book)


def test_input_into_empty_cell_is_refused(rich_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    with pytest.raises(WorkbookError) as info:
        write_back(rich_book, out, inputs={"Model!Z99": 1})
    assert info.value.cell == "Model!Z99" and not out.exists()


def test_patch_keeps_namespace_prefixes_and_shared_formulas() -> None:
    xml = (
        b'<x:c r="A1"><x:f t="shared" ref="A1:A2" si="0">B1*2</x:f><x:v>1</x:v></x:c>'
        b'<x:c r="A2"><x:f t="shared" si="0"/></x:c><x:col min="1"/>'
    )
    new, done = patch_sheet_xml(xml, {"A1": 4.0, "A2": "#N/A"})
    assert done == {"A1", "A2"}
    assert new == (
        b'<x:c r="A1"><x:f t="shared" ref="A1:A2" si="0">B1*2</x:f><x:v>4</x:v></x:c>'
        b'<x:c r="A2" t="e"><x:f t="shared" si="0"/><x:v>#N/A</x:v></x:c><x:col min="1"/>'
    )


def test_input_over_a_formula_is_refused(rich_book: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="over a formula cell") as info:
        write_back(rich_book, tmp_path / "out.xlsx", inputs={"out_monthly": 1})
    assert info.value.cell == "Model!B4"


def test_shared_formulas_as_excel_writes_them(tmp_path: Path) -> None:
    """Excel stores a filled-down formula once (t="shared") and references it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 4):
        ws[f"A{r}"], ws[f"B{r}"] = r, f"=A{r}*2"
    src = tmp_path / "plain.xlsx"
    wb.save(src)
    shared = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(shared, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    data.replace(b"<f>A1*2</f>", b'<f t="shared" ref="B1:B3" si="0">A1*2</f>')
                    .replace(b"<f>A2*2</f>", b'<f t="shared" si="0"/>')
                    .replace(b"<f>A3*2</f>", b'<f t="shared" si="0"/>')
                )
            zo.writestr(info, data)
    out = write_back(shared, tmp_path / "out.xlsx")
    with zipfile.ZipFile(out) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    assert b'<c r="B3"><f t="shared" si="0"/><v>6</v></c>' in xml  # 3*2 by hand
    assert check(out).ok
