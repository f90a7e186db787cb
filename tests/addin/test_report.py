"""``llm-tco report`` and ``llm-tco prices`` end to end through the real command line."""

import json

import pytest
from typer.testing import CliRunner

import engine as e
from addin.cli import app

runner = CliRunner()


def test_report_json_matches_the_engine(tmp_path):
    res = runner.invoke(app, ["report", "--format", "json", "--no-workbook"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    w = e.Workload()  # the report's defaults are the engine's
    assert r["api"]["monthly_usd"] == pytest.approx(e.api_monthly_cost_usd("gpt-4o", w))
    own = e.selfhost_monthly_cost(w, e.SelfHost())
    assert r["selfhost"]["monthly_usd"] == pytest.approx(own.total_usd)
    parts = sum(r["selfhost"][k] for k in ("compute_usd", "people_usd", "operations_usd",
                                           "finetune_usd"))
    assert round(parts, 2) == round(r["selfhost"]["monthly_usd"], 2)  # total = parts, to the cent
    b = e.breakeven_volume("gpt-4o", w, e.SelfHost())
    assert r["breakeven"]["first_tokens_per_day"] == pytest.approx(b.first_tokens_per_day)
    assert r["strategy"]["recommendation"] in e.strategy.STRATEGIES
    assert r["prices"]["version"] == e.catalog_info().version


def test_report_table_names_every_option():
    res = runner.invoke(app, ["report", "--no-workbook"])
    assert res.exit_code == 0, res.output
    for word in ("API gpt-4o", "Self-host", "Hybrid", "Breakeven", "Recommendation", "Prices"):
        assert word in res.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--model", "gpt-4oo"], "did you mean"),
        (["--gpu", "H1000"], "gpu"),
        (["--open-model", "llama-9"], "open model"),
        (["--precision", "fp7"], "precision"),
        (["--format", "xml"], "--format"),
        (["--mode", "lease"], "mode"),
    ],
)
def test_report_bad_input_exits_2_with_one_line(args, needle):
    res = runner.invoke(app, ["report", "--no-workbook", *args])
    assert res.exit_code == 2
    assert needle in res.output
    assert "Traceback" not in res.output


def test_prices_json_carries_catalog_version_and_date():
    res = runner.invoke(app, ["prices", "gpt-4o", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["catalog"]["version"] == "0.2.3"
    assert data["prices"][0]["input_usd_per_million_tokens"] == 2.5  # genai-prices 0.2.3


def test_prices_unknown_model_exits_2():
    res = runner.invoke(app, ["prices", "no-such-model"])
    assert res.exit_code == 2 and "model" in res.output


def test_report_warns_when_prices_are_older_than_allowed():
    # max age 0 days: the catalog (dated e.catalog_info().date, before today) is too old
    res = runner.invoke(app, ["report", "--no-workbook", "--max-price-age-days", "0"])
    assert res.exit_code == 0
    assert f"dated {e.catalog_info().date}" in res.output and "warning" in res.output
    res = runner.invoke(app, ["report", "--no-workbook"],
                        env={"LLM_TCO_MAX_PRICE_AGE_DAYS": "100000"})
    assert "warning" not in res.output


def test_report_writes_a_workbook_whose_formulas_give_the_printed_numbers(tmp_path):
    from templates.recalc import recalc

    book = tmp_path / "report.xlsx"
    res = runner.invoke(app, ["report", "--format", "json", "-o", str(book),
                              "--requests-per-day", "200000"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    assert r["workbook"] == str(book) and book.exists()
    got = recalc(book, cells=["out_api_monthly", "out_selfhost_monthly", "out_hybrid_monthly",
                              "out_breakeven_tokens_per_day"])
    vals = list(got.values())
    # the workbook's native formulas against the engine figures the report printed
    assert vals[0] == pytest.approx(r["api"]["monthly_usd"], rel=1e-9)
    assert vals[1] == pytest.approx(r["selfhost"]["monthly_usd"], rel=1e-9)
    assert vals[2] == pytest.approx(r["hybrid"]["monthly_usd"], rel=1e-9)
    assert vals[3] == pytest.approx(r["breakeven"]["first_tokens_per_day"], rel=1e-9)
    # the file carries its computed values: a check finds every formula cell fresh
    from templates.recalc.check import check

    result = check(book)
    assert result.ok and result.checked > 500
