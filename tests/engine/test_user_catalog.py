"""The user catalog file: merged over the bundled catalog, validated with file/row/column/rule."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine as e
from engine import catalogs
from engine.catalogs import CatalogError, use_catalog
from engine.onprem import onprem_purchase
from engine.prices import with_overrides

COLUMNS = [
    "kind", "name", "aliases", "memory_gb", "bandwidth_gb_per_s", "bf16_tflops", "fp8_tflops",
    "power_w", "rent_usd_per_hour", "purchase_usd", "params_b", "active_params_b", "layers",
    "kv_heads", "head_dim", "context_tokens", "input", "output", "source", "as_of",
]


def csv_text(rows: list[dict[str, str]]) -> str:
    """A user catalog file: a comment, the header, one line per row (blank cells elsewhere)."""
    lines = ["# my negotiated figures", ",".join(COLUMNS)]
    lines += [",".join(r.get(c, "") for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"


GOOD = csv_text([
    {"kind": "gpu", "name": "H100-SXM", "rent_usd_per_hour": "2.10",
     "source": "Acme Cloud quote Q-17", "as_of": "2026-11-30"},
    {"kind": "gpu", "name": "Acme-X1", "aliases": "acme-x1|x1", "memory_gb": "96",
     "bandwidth_gb_per_s": "4000", "bf16_tflops": "900", "fp8_tflops": "1800", "power_w": "600",
     "rent_usd_per_hour": "1.50", "purchase_usd": "20000", "source": "Acme datasheet rev 2",
     "as_of": "2026-11-01"},
    {"kind": "model", "name": "Our-13B", "aliases": "our-13b", "params_b": "13",
     "active_params_b": "13", "layers": "40", "kv_heads": "8", "head_dim": "128",
     "context_tokens": "32768", "source": "internal config.json", "as_of": "2026-10-01"},
    {"kind": "price", "name": "gpt-4o", "input": "2.00", "output": "8.00",
     "source": "enterprise agreement 2026", "as_of": "2026-09-01"},
    {"kind": "price", "name": "our-api-model", "input": "0.50", "output": "1.50",
     "source": "vendor price list", "as_of": "2026-09-01"},
])

@pytest.fixture()
def user_file(tmp_path: Path):
    p = tmp_path / "catalog.csv"
    p.write_text(GOOD, encoding="utf-8")
    use_catalog(p)
    yield p
    use_catalog(None)
    catalogs._explicit.clear()
    catalogs.reset_catalogs()


def test_user_rows_override_and_add(user_file: Path) -> None:
    h100 = e.gpu_spec("h100")
    assert h100.rent_usd_per_hour == 2.10 and h100.memory_gb == 80  # only the given cell
    assert "Acme Cloud quote" in h100.price_source and "datasheet" in h100.spec_source
    x1 = e.gpu_spec("x1")
    assert (x1.name, x1.memory_gb, x1.fp8_tflops, x1.as_of) == ("Acme-X1", 96, 1800, "2026-11-01")
    m = e.open_model_spec("our-13b")
    assert m.params_b == 13 and not m.is_moe and "internal config.json" in m.source
    assert e.api_price("gpt-4o").input_usd_per_million_tokens == 2.00
    assert "enterprise agreement" in e.api_price("gpt-4o").source
    new = e.api_price("our-api-model")
    assert new.output_usd_per_million_tokens == 1.5
    assert new.batch_output_usd_per_million_tokens == 0.75
    # the engine uses them everywhere: throughput of the new GPU, rent of the override
    assert e.throughput("Our-13B", "Acme-X1", 1000, 1000, "fp8").output_tokens_per_s > 0
    assert e.gpu_monthly_cost_usd(1, "H100-SXM") == pytest.approx(2.10 * 730)


def test_bundled_again_after_reset(user_file: Path) -> None:
    use_catalog(None)
    assert e.gpu_spec("h100").rent_usd_per_hour == 2.99
    with pytest.raises(e.UnknownNameError):
        e.gpu_spec("Acme-X1")


def test_environment_variable_and_per_user_path(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "c.csv"
    p.write_text(GOOD, encoding="utf-8")
    catalogs._explicit.clear()
    monkeypatch.setenv("LLM_TCO_CATALOG", str(p))
    catalogs.reset_catalogs()
    try:
        assert catalogs.user_catalog_path() == p
        assert e.gpu_spec("x1").name == "Acme-X1"
        monkeypatch.delenv("LLM_TCO_CATALOG")
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
        (tmp_path / "cfg" / "llm-tco").mkdir(parents=True)
        (tmp_path / "cfg" / "llm-tco" / "catalog.csv").write_text(GOOD, encoding="utf-8")
        assert catalogs.default_catalog_path() == tmp_path / "cfg" / "llm-tco" / "catalog.csv"
        assert catalogs.user_catalog_path() == catalogs.default_catalog_path()
    finally:
        monkeypatch.setenv("LLM_TCO_CATALOG", "")
        catalogs.reset_catalogs()


@pytest.mark.parametrize(("text", "row", "column", "rule"), [
    ("kind,name,memory_gb,source,as_of\ngpu,H100-SXM,-5,q,2026-01-01\n", 2, "memory_gb", "> 0"),
    ("kind,name,memory_gb,source,as_of\ngpu,H100-SXM,lots,q,2026-01-01\n", 2, "memory_gb",
     "a number"),
    ("kind,name,memory_gb,source,as_of\ngpu,New-GPU,80,q,2026-01-01\n", 2, "bandwidth_gb_per_s",
     "required for a new gpu"),
    ("kind,name,memory_gb,source,as_of\ngpu,H100-SXM,80,,2026-01-01\n", 2, "source",
     "where the figures come from"),
    ("kind,name,memory_gb,source,as_of\ngpu,H100-SXM,80,q,\n", 2, "as_of", "date"),
    ("kind,name,memory_gb,source,as_of\ngpu,H100-SXM,80,q,last week\n", 2, "as_of", "ISO date"),
    ("kind,name,colour,source,as_of\ngpu,H100-SXM,red,q,2026-01-01\n", 1, "colour",
     "not a catalog column"),
    ("kind,name,source,as_of\nrobot,H100-SXM,q,2026-01-01\n", 2, "kind", "one of gpu, model"),
    ("kind,name,params_b,source,as_of\n\n# note\ngpu,H100-SXM,7,q,2026-01-01\n", 4, "params_b",
     "not a column of a gpu row"),
    ("kind,name,active_params_b,source,as_of\nmodel,Llama-3.1-8B,9,q,2026-01-01\n", 2,
     "active_params_b", "<= params_b"),
    ("kind,name,input,source,as_of\nprice,gpt-4o,-1,q,2026-01-01\n", 2, "input", ">= 0"),
])
def test_bad_rows_name_file_row_column_and_rule(tmp_path: Path, text: str, row: int,
                                                column: str, rule: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        use_catalog(p)
    err = info.value
    assert (err.file, err.row, err.column) == (str(p), row, column)
    assert rule in str(err) and str(p) in str(err) and f"row {row}" in str(err)
    assert e.gpu_spec("h100").memory_gb == 80  # the bundled catalog stays in effect


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="existing file"):
        use_catalog(tmp_path / "nope.csv")


def test_price_overrides_and_discount() -> None:
    p = with_overrides("gpt-4o", 2.0, None, 0.1)
    assert p.input_usd_per_million_tokens == pytest.approx(1.8)
    assert p.output_usd_per_million_tokens == pytest.approx(9.0)
    assert p.cached_input_usd_per_million_tokens == pytest.approx(1.25 * 0.9)
    with pytest.raises(e.InputError, match="discount"):
        with_overrides("gpt-4o", discount=1.5)


def test_onprem_purchase_view() -> None:
    # 8 × H200 bought at $35k, gpt-oss-120b at FP4; 730 h/month at $0.12/kWh
    p = onprem_purchase("gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4")
    assert p.capex_usd == 8 * 35_000
    assert p.electricity_usd_per_month == pytest.approx(8 * 0.7 * 730 * 0.12)
    t = e.throughput("gpt-oss-120b", "H200", 1000, 1000, "fp4")
    reqs = 8 / t.gpus_per_replica * t.requests_per_s * 3600 * 730
    assert p.requests_per_month == pytest.approx(reqs)
    api = reqs * (1000 * 2.5 + 1000 * 10) / 1e6
    assert p.api_equivalent_usd_per_month == pytest.approx(api)
    assert p.breakeven_months == pytest.approx(280_000 / (api - p.electricity_usd_per_month))
    # idle hardware never pays back
    idle = onprem_purchase("gpt-4o", "gpt-oss-120b", "H200", 8, 1000, 1000, "fp4",
                           utilisation=0.0)
    assert idle.breakeven_months == float("inf")
    with pytest.raises(e.InputError, match="replica"):
        onprem_purchase("gpt-4o", "DeepSeek-V3", "H100-SXM", 8, 1000, 1000, "fp8")
