"""The workbook templates' structure: inputs, names, validation, prices snapshot, charts,
formats, portability (native functions only, no macros), determinism, errors and the CLI."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import engine as e
from engine.errors import InputError
from templates.recalc import recalc
from templates.workbooks import TEMPLATES, build_template, inputs_of, scenarios, template_bytes
from templates.workbooks import api_vs_selfhost as avs

REPORT_KEYS = {  # the keys `llm-tco report` passes (addin/commands/report.py)
    "api_model": "gpt-4o-mini", "requests_per_day": 50_000.0,
    "input_tokens_per_request": 1200.0, "output_tokens_per_request": 300.0,
    "cached_input_share": 0.1, "batch_share": 0.2, "monthly_growth": 0.02,
    "open_model": "Llama-3.1-8B", "gpu": "H100-SXM", "precision": "fp8", "mode": "rent",
}
REQUIRED_OUTPUTS = (
    "out_api_monthly", "out_selfhost_monthly", "out_hybrid_monthly", "out_gpus",
    "out_breakeven_tokens_per_day", "out_breakeven_continuous_tokens_per_day",
    "out_payback_month", "out_npv_savings", "out_api_total", "out_selfhost_total",
)
#: Functions a workbook may use: native in Excel, LibreOffice and Google Sheets alike.
NATIVE = {"IF", "MIN", "MAX", "SUM", "ROUND", "INDEX", "MATCH", "POWER", "NPV", "INT",
          "ISNUMBER", "AND", "OR", "NOT", "ABS"}
ADDIN = {f for f in __import__("udfs").FUNCTIONS}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("tpl")
    out = {name: build_template(name, d / f"{name}.xlsx") for name in TEMPLATES}
    out["udfs"] = build_template("api-vs-selfhost", d / "udfs.xlsx", with_udfs=True)
    return out


def _names(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {n: d.attr_text for n, d in wb.defined_names.items()}


def test_templates_listed() -> None:
    assert "api-vs-selfhost" in TEMPLATES
    assert all(isinstance(d, str) and d for d in TEMPLATES.values())


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_input_named_labelled_with_unit_and_note(built: dict[str, Path], name: str) -> None:
    names = _names(built[name])
    ws = openpyxl.load_workbook(built[name])["Inputs"]
    rows = {ws.cell(row=r, column=5).value: r for r in range(1, ws.max_row + 1)}
    for spec in inputs_of(name):
        assert names[f"in_{spec.name}"] == f"Inputs!$B${rows['in_' + spec.name]}"
        r = rows[f"in_{spec.name}"]
        label, unit, note = (ws.cell(row=r, column=k).value for k in (1, 3, 4))
        assert label and unit and note, spec.name


def test_required_outputs_named(built: dict[str, Path]) -> None:
    names = _names(built["api-vs-selfhost"])
    for out in REQUIRED_OUTPUTS:
        assert out in names, out


def test_dropdowns_reference_the_catalogs(built: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(built["api-vs-selfhost"])
    ws = wb["Inputs"]
    rows = {ws.cell(row=r, column=5).value: r for r in range(1, ws.max_row + 1)}
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in dv.sqref.ranges:
                lists[rng.coord] = dv.formula1
    assert lists[f"B{rows['in_api_model']}"] == "price_models"
    assert lists[f"B{rows['in_open_model']}"] == "cat_model_names"
    assert lists[f"B{rows['in_gpu']}"] == "cat_gpu_names"
    assert lists[f"B{rows['in_precision']}"] == "cat_precision_names"
    assert lists[f"B{rows['in_mode']}"] == '"rent,buy"'
    names = _names(built["api-vs-selfhost"])
    assert names["cat_gpu_names"].startswith("Catalog!")
    cat = wb["Catalog"]
    gpu_names = [cat.cell(row=r, column=1).value for r in range(5, 5 + len(e.gpus()))]
    assert gpu_names == list(e.gpus())


def test_price_snapshot_has_every_field_version_and_date(built: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(built["api-vs-selfhost"])
    ws = wb["Prices"]
    info = e.catalog_info()
    assert (ws["B3"].value, ws["B4"].value, ws["B5"].value) == (info.package, info.version,
                                                                 info.date)
    heads = [ws.cell(row=7, column=k).value for k in range(1, ws.max_column + 1)]
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(row=r, column=1).value == "gpt-4o")
    got = dict(zip(heads, (ws.cell(row=row, column=k).value
                           for k in range(1, ws.max_column + 1)), strict=True))
    p = e.api_price("gpt-4o")  # the row used, every field of engine.api_price
    assert got["Input USD/1M"] == p.input_usd_per_million_tokens
    assert got["Batch cached input USD/1M"] == p.batch_cached_input_usd_per_million_tokens
    assert got["Long-context threshold (tokens)"] == 1e300  # inf: no tier
    assert got["Source"] == p.source and got["Catalog date"] == p.catalog_date
    assert len(heads) == 2 + 12 + 3  # model, provider, 12 price fields, source/version/date
    cat = wb["Catalog"]
    assert cat["J4"].value == "Spec source" and cat["L4"].value == "As of"
    assert cat["J5"].value and cat["L5"].value == e.gpus()["A100-80GB"].as_of


def _formulas(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_native_functions_only_and_lean(built: dict[str, Path], name: str) -> None:
    formulas = _formulas(built[name])
    assert 20 < len(formulas) < 1000, len(formulas)
    used = {f for text in formulas for f in re.findall(r"([A-Z][A-Z0-9_.]*)\(", text)}
    assert used <= NATIVE, used - NATIVE
    with zipfile.ZipFile(built[name]) as z:
        assert not any("vbaProject" in n for n in z.namelist())


@pytest.mark.filterwarnings("ignore:.*called once per scenario")
def test_with_udfs_cross_checks_agree(built: dict[str, Path]) -> None:
    used = {f for text in _formulas(built["udfs"]) for f in re.findall(r"([A-Z_]+)\(", text)}
    assert {"LLM_API_MONTHLY", "SELFHOST_GPUS"} <= used <= NATIVE | ADDIN
    v = recalc(built["udfs"], cells=["xcheck_api_monthly", "out_api_monthly", "xcheck_gpus",
                                     "out_gpus"])
    a, b, g1, g2 = v.values()
    assert a == pytest.approx(b, rel=1e-12) and g1 == g2


@pytest.mark.filterwarnings("ignore:.*called once per scenario")
@pytest.mark.parametrize(("name", "xcheck", "native"), [
    ("hybrid", "xcheck_optimal_share", "out_optimal_share"),
    ("finetune", "xcheck_one_off", "out_one_off_usd"),
])
def test_with_udfs_other_templates(tmp_path: Path, name: str, xcheck: str, native: str) -> None:
    # At the defaults the add-in functions (default operations and fine-tuning) apply.
    p = build_template(name, tmp_path / "u.xlsx", with_udfs=True)
    a, b = recalc(p, cells=[xcheck, native]).values()
    assert a == pytest.approx(b, rel=1e-12)


def test_charts_and_formats(built: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(built["api-vs-selfhost"])
    with zipfile.ZipFile(built["api-vs-selfhost"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 2
    names = _names(built["api-vs-selfhost"])

    def cell(name: str):
        sheet, ref = names[name].split("!")
        return wb[sheet][ref.replace("$", "")]

    assert "$" in cell("out_api_monthly").number_format
    assert "%" in cell("in_cached_input_share").number_format
    assert "%" in cell("in_monthly_growth").number_format


def test_report_keys_accepted_and_loaded(tmp_path: Path) -> None:
    p = build_template("api-vs-selfhost", tmp_path / "r.xlsx", inputs=dict(REPORT_KEYS))
    ws = openpyxl.load_workbook(p)["Inputs"]
    by_name = {ws.cell(row=r, column=5).value: ws.cell(row=r, column=2).value
               for r in range(1, ws.max_row + 1)}
    for k, v in REPORT_KEYS.items():
        assert by_name[f"in_{k}"] == v, k
    prices = openpyxl.load_workbook(p)["Prices"]
    assert "gpt-4o-mini" in [prices.cell(row=r, column=1).value for r in range(8, 30)]


@pytest.mark.parametrize(("inputs", "scenario", "argument"), [
    ({"nope": 1}, None, "nope"),
    ({"requests_per_day": -1}, None, "requests_per_day"),
    ({"requests_per_day": "many"}, None, "requests_per_day"),
    ({"cached_input_share": 1.5}, None, "cached_input_share"),
    ({"api_model": "no-such-model-xyz"}, None, "api_model"),
    ({"gpu": "Z9000"}, None, "gpu"),
    ({"open_model": "gpt-5"}, None, "open_model"),
    ({"precision": "fp3"}, None, "precision"),
    ({"mode": "lease"}, None, "mode"),
    ({"open_model": "Llama-3.3-70B", "gpu": "L4", "precision": "fp32"}, None, "model"),
    (None, "no-such-scenario", "scenario"),
])
def test_bad_inputs_name_the_argument(tmp_path: Path, inputs, scenario, argument) -> None:
    with pytest.raises(InputError) as exc:
        build_template("api-vs-selfhost", tmp_path / "x.xlsx", inputs=inputs, scenario=scenario)
    assert exc.value.argument == argument
    assert not (tmp_path / "x.xlsx").exists()


def test_unknown_template(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        build_template("nope", tmp_path / "x.xlsx")
    assert exc.value.argument == "template"


def test_scenarios_listed() -> None:
    assert len(scenarios("api-vs-selfhost")) >= 5
    assert set(scenarios("api-vs-selfhost")) == set(avs.SCENARIOS)


# --- determinism -------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(TEMPLATES))
def test_same_inputs_same_bytes(name: str, built: dict[str, Path]) -> None:
    a = template_bytes(name)
    assert a == template_bytes(name)
    # the written file (formulas + their cached values) is as reproducible
    again = build_template(name, built[name].parent / f"again-{name}.xlsx")
    assert again.read_bytes() == built[name].read_bytes()
    when = e.catalog_info().date
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {tuple(map(int, when.split("-")))}
        core = z.read("docProps/core.xml").decode()
    assert core.count(f"{when}T00:00:00Z") == 2  # created and modified pinned


def test_different_inputs_different_bytes() -> None:
    assert template_bytes("api-vs-selfhost") != template_bytes(
        "api-vs-selfhost", {"requests_per_day": 1.0})


# --- command line --------------------------------------------------------------------------

def _run(*args: str):
    from addin.cli import app

    return CliRunner().invoke(app, ["template", *args])


def test_cli_list() -> None:
    r = _run("--list")
    assert r.exit_code == 0
    for name in TEMPLATES:
        assert name in r.stdout
    assert "chatbot-5m" in r.stdout


def test_cli_writes_with_set_and_scenario(tmp_path: Path) -> None:
    out = tmp_path / "b.xlsx"
    r = _run("api-vs-selfhost", "-o", str(out), "--scenario", "chatbot-5m",
             "--set", "requests_per_day=4000", "--set", "gpu=h100", "--set", "api_model=gpt-4.1")
    assert r.exit_code == 0, r.stdout + r.stderr
    same = build_template(
        "api-vs-selfhost", tmp_path / "same.xlsx",
        {"requests_per_day": 4000.0, "gpu": "H100-SXM", "api_model": "gpt-4.1"}, "chatbot-5m")
    assert out.read_bytes() == same.read_bytes()


@pytest.mark.parametrize(("args", "needle"), [
    (["nope", "-o", "x.xlsx"], "template"),
    (["api-vs-selfhost", "-o", "x.xlsx", "--set", "bogus=1"], "bogus"),
    (["api-vs-selfhost", "-o", "x.xlsx", "--set", "requests_per_day=-3"], "requests_per_day"),
    (["api-vs-selfhost", "-o", "x.xlsx", "--set", "gpu=Z9"], "gpu"),
    (["api-vs-selfhost", "-o", "x.xlsx", "--set", "novalue"], "--set"),
    (["api-vs-selfhost", "-o", "x.xlsx", "--scenario", "zz"], "scenario"),
    (["api-vs-selfhost"], "--output"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path: Path, args: list[str], needle: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = _run(*args)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_excel_limits_and_visible_axes(built: dict[str, Path], name: str) -> None:
    """Excel repairs a file whose validation title exceeds 32 characters (message 255);
    openpyxl 3.1 hides chart axes unless told not to."""
    wb = openpyxl.load_workbook(built[name])
    for dv in wb["Inputs"].data_validations.dataValidation:
        assert len(dv.errorTitle or "") <= 32 and len(dv.error or "") <= 255
    with zipfile.ZipFile(built[name]) as z:
        for n in z.namelist():
            if n.startswith("xl/charts/chart"):
                xml = z.read(n).decode()
                assert '<delete val="1"' not in xml and xml.count('<delete val="0"') >= 2, n


def test_libreoffice_helper_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import templates.recalc.libreoffice
    from tests.templates import lo

    monkeypatch.setattr(templates.recalc.libreoffice.shutil, "which", lambda _: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must install it"):
        lo.soffice()


def test_prices_sheet_shows_selfhost_rows_used(tmp_path: Path) -> None:
    p = build_template("api-vs-selfhost", tmp_path / "p.xlsx",
                       inputs={"gpu": "a100", "open_model": "mistral-7b"})
    r = recalc(p, cells=["Prices!B24:F26"])
    g, m = e.gpu_spec("A100-80GB"), e.open_model_spec("Mistral-7B")  # the catalog rows
    assert [r[f"Prices!{c}24"] for c in "BCEF"] == [g.name, g.rent_usd_per_hour,
                                                    g.price_source, g.as_of]
    assert [r[f"Prices!{c}26"] for c in "BCEF"] == [m.name, m.params_b, m.source, m.as_of]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_written_workbook_carries_its_computed_values(name: str, built: dict[str, Path]) -> None:
    from templates.recalc.check import check

    # cached values stored on write: previews and openpyxl(data_only) see numbers, and the
    # file is fresh for `llm-tco check` (0 stale cells)
    result = check(built[name])
    assert result.ok and result.checked > 0
