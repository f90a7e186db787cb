"""templates.recalc.check and the ``llm-tco recalc`` / ``llm-tco check`` commands."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import typer
from openpyxl.workbook.defined_name import DefinedName
from typer.testing import CliRunner

from addin.commands.recalc import register
from templates.recalc import recalc
from templates.recalc.check import check
from templates.recalc.libreoffice import libreoffice_recalculate
from templates.recalc.testing import assert_cells, assert_workbook_fresh, workbook_fixture
from templates.recalc.writeback import patch_sheet_xml, write_back
from tests.templates.lo import soffice


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run_cli(*args: str):
    return CliRunner().invoke(_app(), [str(a) for a in args])


def _build(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    ws["A1"], ws["B1"] = "tokens per month", 150_000_000
    ws["A2"], ws["B2"] = "usd per million", 5
    ws["B3"] = "=B1/1000000*B2"  # 750 by hand
    ws["B4"] = "=B3*12"  # 9000 by hand
    ws["B5"] = "=ROUND(B3/7,2)"  # 107.14 by hand
    ws["B6"] = '=IF(B3>100,"big","small")'
    wb.defined_names["out_monthly"] = DefinedName("out_monthly", attr_text="Inputs!$B$3")
    wb.defined_names["out_yearly"] = DefinedName("out_yearly", attr_text="Inputs!$B$4")
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return _build(tmp_path / "book.xlsx")


@pytest.fixture
def fresh(book: Path, tmp_path: Path) -> Path:
    return Path(write_back(book, tmp_path / "fresh.xlsx"))


def _make_stale(fresh: Path, out: Path) -> Path:
    """Deliberately stale: B4's cached value says 1 although the formula gives 9000."""
    with zipfile.ZipFile(fresh) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = patch_sheet_xml(data, {"B4": 1.0})[0]
            zout.writestr(info, data, compress_type=info.compress_type)
    return out


def test_check_fresh_and_stale(fresh: Path, tmp_path: Path) -> None:
    assert check(fresh).ok and check(fresh).checked == 4
    stale = check(_make_stale(fresh, tmp_path / "stale.xlsx"))
    assert [(s.ref, s.stored, s.computed) for s in stale.stale] == [("Inputs!B4", 1, 9000.0)]


def test_cli_check_exit_codes(book: Path, fresh: Path, tmp_path: Path) -> None:
    ok = run_cli("check", fresh)
    assert ok.exit_code == 0 and "4 formula cells, all fresh" in ok.stdout
    stale = run_cli("check", _make_stale(fresh, tmp_path / "stale.xlsx"))
    assert stale.exit_code == 1
    assert "Inputs!B4: stored 1, computed 9000.0" in stale.stdout
    never_calculated = run_cli("check", book)  # openpyxl saves no cached values
    assert never_calculated.exit_code == 1 and "(no stored value)" in never_calculated.stdout
    missing = run_cli("check", tmp_path / "nope.xlsx")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == f"llm-tco: error: {tmp_path / 'nope.xlsx'}: file not found"


def test_cli_recalc_formats(book: Path) -> None:
    out = run_cli("recalc", book, "--format", "json")
    assert out.exit_code == 0
    assert json.loads(out.stdout) == {"Inputs!B3": 750.0, "Inputs!B4": 9000.0}
    out = run_cli("recalc", book, "--set", "inputs!B1=3e8", "--cells", "out_yearly",
                  "--cells", "Inputs!B6", "--format", "csv")
    # Keys are the references as asked (issue 12 item 5): the name, not its address.
    assert out.stdout == "cell,value\nout_yearly,18000.0\nInputs!B6,big\n"
    table = run_cli("recalc", book)
    assert table.exit_code == 0 and "9,000" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "Inputs!B1"], "expected REF=VALUE"),
        (["--cells", "Nowhere!A1"], "Nowhere!A1: no sheet named 'Nowhere'"),
        (["--format", "xml"], "--format 'xml'"),
        (["--in-place", "-o", "x.xlsx"], "either -o/--output or --in-place"),
        (["-o", "/nonexistent-dir/x.xlsx"], "output directory /nonexistent-dir does not exist"),
    ],
)
def test_cli_recalc_bad_arguments_exit_2(book: Path, args: list[str], message: str) -> None:
    result = run_cli("recalc", book, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_recalc_writes_output_and_in_place(book: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    out = tmp_path / "out.xlsx"
    assert run_cli("recalc", book, "-o", out, "--set", "Inputs!B2=10").exit_code == 0
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert openpyxl.load_workbook(out, data_only=True)["Inputs"]["B4"].value == 18000
    assert run_cli("check", out).exit_code == 0
    assert run_cli("recalc", book, "--in-place").exit_code == 0
    assert run_cli("check", book).exit_code == 0


# --- templates.recalc.testing ---------------------------------------------------------------


def test_testing_helpers(book: Path, fresh: Path) -> None:
    assert_workbook_fresh(fresh)
    with pytest.raises(AssertionError, match=r"4 of 4 formula cells are stale"):
        assert_workbook_fresh(book)
    assert_cells(book, {"out_yearly": 18000.0}, inputs={"Inputs!B2": 10})
    with pytest.raises(AssertionError, match=re.escape("Inputs!B3: expected 1.0, computed 750.0")):
        assert_cells(book, {"Inputs!B3": 1.0})


_shared = _build(Path(__import__("tempfile").mkdtemp()) / "fixture.xlsx")
model = workbook_fixture(_shared)


def test_workbook_fixture(model) -> None:
    assert model.values["Inputs!B4"] == 9000.0
    assert model.calculate({"Inputs!B2": 1})["Inputs!B4"] == 1800.0


# --- a workbook written by LibreOffice -----------------------------------------------


def libreoffice_convert(src: Path, outdir: Path) -> Path:
    """*src* opened, recalculated and saved as .xlsx by LibreOffice headless."""
    return libreoffice_recalculate([src], outdir, soffice())[src]


@pytest.mark.libreoffice
def test_libreoffice_written_workbook(book: Path, tmp_path: Path) -> None:
    lo_book = libreoffice_convert(book, tmp_path)
    # LibreOffice's cached values agree with ours: the file checks fresh as LO saved it.
    result = run_cli("check", lo_book)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert recalc(lo_book, cells=["Inputs!B3:B6"]) == {
        "Inputs!B3": 750.0, "Inputs!B4": 9000.0, "Inputs!B5": 107.14, "Inputs!B6": "big",
    }
    out = Path(write_back(lo_book, tmp_path / "lo_out.xlsx", inputs={"Inputs!B2": 10}))
    assert check(out).ok
    with zipfile.ZipFile(lo_book) as zin, zipfile.ZipFile(out) as zout:
        for name in zin.namelist():
            if not name.startswith("xl/worksheets/"):
                assert zin.read(name) == zout.read(name), name
    stale = run_cli("check", _make_stale(out, tmp_path / "lo_stale.xlsx"))
    assert stale.exit_code == 1 and "Inputs!B4: stored 1" in stale.stdout


@pytest.mark.libreoffice
def test_libreoffice_agrees_on_rounding_and_errors(tmp_path: Path) -> None:
    """Re-derive the LO 7.4 reference values of test_recalc.CASES live."""
    from tests.templates.test_recalc import CASES

    src = tmp_path / "cases.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, (formula, _, _) in enumerate(CASES, start=1):
        ws.cell(i, 1, formula)
    ws["C1"], ws["C2"], ws["C3"], ws["D1"] = 1, 2, "=1/0", "=NA()"
    wb.save(src)
    lo = openpyxl.load_workbook(libreoffice_convert(src, tmp_path), data_only=True).active
    ours = recalc(src, cells=[f"Sheet!A{i}" for i in range(1, len(CASES) + 1)])
    for i, (formula, expected, source) in enumerate(CASES, start=1):
        if "LO 7.4" not in source or "LO 7.4 says" in source:
            continue
        lo_value = lo.cell(i, 1).value
        if isinstance(expected, float):
            assert lo_value == pytest.approx(ours[f"Sheet!A{i}"], abs=1e-12), formula
        else:
            assert lo_value == ours[f"Sheet!A{i}"], formula


def test_stdout_is_clean_json_despite_progress_bars(book: Path) -> None:
    # formulas draws tqdm bars on stderr; JSON on stdout must parse on its own.
    result = run_cli("recalc", book, "--format", "json")
    json.load(io.StringIO(result.stdout))


def test_cli_check_many_books_worst_exit_code_wins(fresh: Path, tmp_path: Path) -> None:
    stale = _make_stale(fresh, tmp_path / "stale.xlsx")
    assert run_cli("check", fresh, fresh).exit_code == 0
    both = run_cli("check", fresh, stale)
    assert both.exit_code == 1 and "all fresh" in both.stdout and "Inputs!B4" in both.stdout
    bad = run_cli("check", stale, tmp_path / "nope.xlsx", fresh)
    assert bad.exit_code == 2  # every book is still reported
    assert bad.stdout.count("formula cells") == 2 and "file not found" in bad.stderr
    as_json = json.loads(run_cli("check", fresh, stale, "--format", "json").stdout)
    assert [r["ok"] for r in as_json] == [True, False]


def _iterated_book(path: Path, stored: float, delta: str = "0") -> Path:
    """A1 = A1/2+1 with iteration on (maximum change ``delta``) and ``stored`` as the
    value Excel saved; the loop's fixed point is 2."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                    'package.relationships+xml"/></Types>')
        zf.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="r1" '
                    f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
                    '<sheet name="S" sheetId="1" r:id="r1"/></sheets>'
                    f'<calcPr iterate="1" iterateCount="100" iterateDelta="{delta}"/>'
                    '</workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    f'<Relationships xmlns="{pkg}"><Relationship Id="r1" '
                    f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml",
                    f'<worksheet xmlns="{ns}"><sheetData><row r="1"><c r="A1"><f>A1/2+1</f>'
                    f'<v>{stored!r}</v></c></row></sheetData></worksheet>')
    return path


def test_check_with_iterate_delta_zero(tmp_path: Path) -> None:
    # Excel with iterateDelta 0 iterates to the maximum count. Twenty rounds from 0 store
    # 2 - 2**-19 (hand arithmetic: each round halves the distance to 2): one more round
    # moves it by 2**-20, a relative 4.8e-7, so it is the fixed point to rounding and fresh.
    near = check(_iterated_book(tmp_path / "near.xlsx", 2 - 2**-19))
    assert near.ok, near.stale
    assert any("numbers compared within" in n for n in near.notes)
    # Four rounds store 1.9375: the next round moves it by 3 %, values that recalculating
    # changes (in Excel too), so the cell is reported stale.
    far = check(_iterated_book(tmp_path / "far.xlsx", 1.9375))
    assert [s.ref for s in far.stale] == ["S!A1"]
