"""The user catalog round trip: a GPU, model and API price of the user's own, through the
command line (``--catalog``), the functions, and the template (a row typed into the Catalog
sheet, used by the native formulas, recalculated by LibreOffice)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import engine as e
from addin.cli import app
from engine import catalogs
from engine.catalogs import use_catalog
from templates.recalc.libreoffice import libreoffice_recalculate
from templates.workbooks import _common as c
from templates.workbooks import build_template
from tests.templates.lo import soffice

GPU = {"memory_gb": 96.0, "bandwidth_gb_per_s": 4000.0, "bf16_tflops": 900.0,
       "fp8_tflops": 1800.0, "int8_tops": 1800.0, "power_w": 600.0, "rent_usd_per_hour": 1.5,
       "purchase_usd": 20000.0, "fp4_tflops": 3600.0, "scaleup_gpus": 8.0,
       "network_gb_per_s": 50.0, "software_efficiency": 1.0}
MODEL = {"params_b": 50.0, "active_params_b": 6.0, "layers": 40, "attention": "gqa",
         "kv_heads": 8, "head_dim": 128, "kv_lora_rank": 0, "qk_rope_head_dim": 0,
         "sliding_window": 4096, "sliding_layers": 20, "hidden_size": 4096, "experts": 64,
         "experts_per_token": 4, "expert_params_b": 46.0, "context_tokens": 131072}


def catalog_file(path: Path) -> Path:
    cols = ["kind", "name", *GPU, *[k for k in MODEL if k not in GPU], "input", "output",
            "source", "as_of"]
    gpu = {"kind": "gpu", "name": "Acme-X1", **GPU}
    model = {"kind": "model", "name": "Acme-MoE-50B", **MODEL}
    price = {"kind": "price", "name": "acme-api", "input": 1.0, "output": 4.0}
    lines = [",".join(cols)]
    for r in (gpu, model, price):
        r.update(source="test quote", as_of="2026-12-01")
        lines.append(",".join(str(r.get(k, "")) for k in cols))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def user(tmp_path: Path):
    p = catalog_file(tmp_path / "catalog.csv")
    yield p
    use_catalog(None)
    catalogs._explicit.clear()
    catalogs.reset_catalogs()


def test_cli_catalog_lists_user_rows(user: Path) -> None:
    r = CliRunner().invoke(app, ["--catalog", str(user), "catalog", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["user_catalog"] == str(user)
    assert "Acme-X1" in [g["name"] for g in data["gpus"]]
    assert len(data["models"]) >= 30 and len(data["gpus"]) >= 15
    r = CliRunner().invoke(app, ["catalog", "gpus", "--format", "csv", "--catalog", str(user)])
    assert r.exit_code == 0 and "Acme-X1" in r.output and "kind,name" in r.output


def test_cli_bad_catalog_exits_2_naming_file_row_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,name,memory_gb,source,as_of\ngpu,Acme-X1,-1,q,2026-01-01\n",
                   encoding="utf-8")
    r = CliRunner().invoke(app, ["--catalog", str(bad), "catalog"])
    assert r.exit_code == 2
    assert f"{bad}: row 2, column memory_gb: must be > 0" in r.output
    catalogs._explicit.clear()
    catalogs.reset_catalogs()


def test_cli_template_and_functions_use_the_user_catalog(user: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    r = CliRunner().invoke(app, ["--catalog", str(user), "template", "api-vs-selfhost", "-o",
                                 str(out), "--set", "gpu=Acme-X1", "--set",
                                 "open_model=Acme-MoE-50B", "--set", "api_model=acme-api"])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    names = [wb["Catalog"].cell(row=rr, column=1).value for rr in range(5, 60)]
    assert "Acme-X1" in names
    from udfs import call

    t = call("SELFHOST_THROUGHPUT", "Acme-MoE-50B", "Acme-X1", 1000, 1000, "fp4")
    assert t == pytest.approx(e.throughput("Acme-MoE-50B", "Acme-X1", 1000, 1000,
                                           "fp4").output_tokens_per_s)
    assert call("LLM_API_COST", "acme-api", 1e6, 1e6) == pytest.approx(5.0)


def _first_blank(ws, col_a_start: int) -> int:
    r = col_a_start
    while ws.cell(row=r, column=1).value is not None:
        r += 1
    return r


def test_row_added_to_catalog_sheet_is_used_by_native_formulas_in_libreoffice(
        tmp_path: Path) -> None:
    exe = soffice()
    book = build_template("api-vs-selfhost", tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(book)
    cat = wb["Catalog"]
    # the first yellow row under each table (GPUs start at row 5; models after their header)
    g_row = _first_blank(cat, 5)
    m_head = next(r for r in range(g_row, cat.max_row + 1)
                  if cat.cell(row=r, column=1).value == "Open model")
    m_row = _first_blank(cat, m_head + 1)
    assert cat.cell(row=g_row, column=1).fill.fgColor.rgb.endswith("FFF2CC")
    for j, (field, _, _) in enumerate(c.GPU_COLUMNS):
        v = {"gpu": "Acme-X1", "spec_source": "typed in", "price_source": "typed in",
             "as_of": "2026-12-01"}.get(field, GPU.get(field))
        cat.cell(row=g_row, column=1 + j, value=v)
    for j, (field, _, _) in enumerate(c.MODEL_COLUMNS):
        v = {"model": "Acme-MoE-50B", "license": "own", "source": "typed in",
             "as_of": "2026-12-01"}.get(field, MODEL.get(field))
        cat.cell(row=m_row, column=1 + j, value=v)
    ws = wb["Inputs"]
    rows = {ws.cell(row=r, column=5).value: r for r in range(1, ws.max_row + 1)}
    for name, value in (("gpu", "Acme-X1"), ("open_model", "Acme-MoE-50B"),
                        ("precision", "fp4"), ("mode", "buy")):
        ws.cell(row=rows[f"in_{name}"], column=2, value=value)
    wb.save(book)

    lo = libreoffice_recalculate([book], tmp_path / "lo", soffice=exe)[book]
    got = openpyxl.load_workbook(lo, data_only=True)
    names = openpyxl.load_workbook(book).defined_names

    def value(name: str):
        sheet, ref = names[name].attr_text.split("!")
        return got[sheet][ref.replace("$", "")].value

    # the engine, told the same figures through a user catalog file
    use_catalog(catalog_file(tmp_path / "same.csv"))
    try:
        from templates.workbooks import api_vs_selfhost as avs

        v = avs.resolve_inputs({"gpu": "Acme-X1", "open_model": "Acme-MoE-50B",
                                "precision": "fp4", "mode": "buy"}, None)
        price, w, o = avs.engine_inputs(v)
        plan = e.serving_plan(w, o.model, o.gpu, o.precision, o.target_utilisation,
                              o.min_replicas)
        monthly = e.selfhost_monthly_cost(w, o)
        from engine.onprem import onprem_purchase

        op = onprem_purchase(price, o.model, o.gpu, v["onprem_gpus"], w.input_tokens_per_request,
                             w.output_tokens_per_request, o.precision, None,
                             v["onprem_hours_per_month"], o.usd_per_kwh,
                             v["onprem_utilisation"], o.pue, 0.0, None, None,
                             w.cached_input_share, w.batch_share)
    finally:
        use_catalog(None)
        catalogs._explicit.clear()
        catalogs.reset_catalogs()
    assert value("m_gpu_row") == len(e.gpus()) + 1  # the typed row, not a bundled one
    assert value("out_gpus") == pytest.approx(float(plan.gpus), rel=1e-9)
    assert value("m_rps") == pytest.approx(float(plan.requests_per_s_per_replica), rel=1e-9)
    ours = value("out_selfhost_monthly")
    assert ours == pytest.approx(float(monthly.compute_usd) + float(
        monthly.total_usd - monthly.compute_usd - monthly.finetune_usd) + float(
        monthly.finetune_usd), rel=1e-9)
    assert value("out_onprem_capex") == pytest.approx(float(op.capex_usd))
    months = float(op.breakeven_months)
    assert (value("out_onprem_breakeven_months") == "never" if math.isinf(months)
            else value("out_onprem_breakeven_months") == pytest.approx(months, rel=1e-9))
