"""Golden tests: the templates' native Excel formulas, recalculated headlessly with
``formulas`` (templates.recalc) and by LibreOffice, give the engine's numbers.

Every expected value is computed by the engine call named next to it, from engine objects
built here from the template's input values (the mapping below is the test's own, so a
template that wires an input to the wrong engine field fails).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

import engine as e
from templates.recalc import Recalculation
from templates.recalc.libreoffice import libreoffice_recalculate
from templates.workbooks import api_vs_selfhost as avs
from templates.workbooks import build_template
from tests.templates.lo import soffice

RTOL = 1e-9
#: Scenarios golden-tested from files built with ``scenario=NAME`` (all of them).
SCENARIOS = list(avs.SCENARIOS)


def close(ours: Any, expected: Any, what: str) -> None:
    """Relative 1e-9 (absolute 1e-9 near zero); inf/nan expected ↔ the text "never"."""
    if isinstance(expected, float | np.floating) and not math.isfinite(expected):
        assert ours == "never", f"{what}: {ours!r}, engine {expected!r} (never)"
        return
    assert isinstance(ours, int | float) and not isinstance(ours, bool), f"{what}: {ours!r}"
    assert math.isclose(ours, float(expected), rel_tol=RTOL, abs_tol=1e-9), (
        f"{what}: workbook {ours!r}, engine {float(expected)!r}")


def engine_objects(v: dict[str, Any]) -> tuple[str, e.Workload, e.SelfHost]:
    """Engine objects for a template's input values (the test's own mapping)."""
    w = e.Workload(
        requests_per_day=v["requests_per_day"],
        input_tokens_per_request=v["input_tokens_per_request"],
        output_tokens_per_request=v["output_tokens_per_request"],
        cached_input_share=v["cached_input_share"], batch_share=v["batch_share"],
        monthly_growth=v["monthly_growth"], peak_to_average=v["peak_to_average"])
    ops = e.Operations(
        ml_engineer_fte=v["ml_engineer_fte"], sre_fte=v["sre_fte"],
        loaded_usd_per_fte_month=v["loaded_usd_per_fte_month"],
        mlops_tooling_usd_per_month=v["mlops_tooling_usd_per_month"],
        compliance_usd_per_month=v["compliance_usd_per_month"],
        downtime_hours_per_month=v["downtime_hours_per_month"],
        downtime_usd_per_hour=v["downtime_usd_per_hour"], setup_usd=v["setup_usd"],
        time_to_market_delay_months=v["time_to_market_delay_months"],
        value_usd_per_month=v["value_usd_per_month"])
    ft = None if v["finetune"] == "no" else e.FineTune(
        method=v["finetune_method"], training_tokens=v["training_tokens"], epochs=v["epochs"],
        gpu=v["finetune_gpu"], mfu=v["mfu"],
        rent_usd_per_gpu_hour=v["finetune_rent_usd_per_gpu_hour"], examples=v["examples"],
        usd_per_example=v["usd_per_example"], eval_usd_per_run=v["eval_usd_per_run"],
        retrains_per_year=v["retrains_per_year"], refresh_share=v["refresh_share"])
    o = e.SelfHost(
        model=v["open_model"], gpu=v["gpu"], precision=v["precision"], mode=v["mode"],
        rent_usd_per_gpu_hour=v["rent_usd_per_gpu_hour"],
        purchase_usd_per_gpu=v["purchase_usd_per_gpu"], life_years=v["life_years"],
        pue=v["pue"], usd_per_kwh=v["usd_per_kwh"],
        hosting_usd_per_gpu_month=v["hosting_usd_per_gpu_month"],
        target_utilisation=v["target_utilisation"], min_replicas=v["min_replicas"],
        measured_output_tokens_per_s=v["measured_output_tokens_per_s"], operations=ops,
        finetune=ft)
    return v["api_model"], w, o


def assert_matches_engine(values: dict[str, Any], v: dict[str, Any]) -> int:
    """Compare a recalculated api-vs-selfhost workbook with the engine; return #checks."""
    price, w, o = engine_objects(v)
    share, rate = v["hybrid_share"], v["discount_rate"]
    n = 0

    def chk(ref: str, expected: Any, what: str) -> None:
        nonlocal n
        close(values[ref], expected, f"{ref} {what}")
        n += 1

    # engine.tco_projection: monthly table, totals, NPV, payback.
    t = e.tco_projection(price, w, o, avs.HORIZON, share, rate)
    for i in range(avs.HORIZON):
        r = avs.FIRST + i
        chk(f"Projection!B{r}", t.requests_per_day[i], "tco_projection.requests_per_day")
        chk(f"Projection!C{r}", t.tokens_per_day[i], "tco_projection.tokens_per_day")
        chk(f"Projection!D{r}", t.api_usd[i], "tco_projection.api_usd")
        chk(f"Projection!F{r}", t.gpus[i], "tco_projection.gpus")
        chk(f"Projection!H{r}", t.selfhost_usd[i], "tco_projection.selfhost_usd")
        chk(f"Projection!J{r}", t.hybrid_usd[i], "tco_projection.hybrid_usd")
        chk(f"Projection!O{r}", t.cumulative_savings_usd[i],
            "tco_projection.cumulative_savings_usd")
    chk("Summary!B10", t.api_cumulative_usd[-1], "out_api_total = tco api_cumulative_usd[-1]")
    chk("Summary!B11", t.selfhost_cumulative_usd[-1], "out_selfhost_total")
    chk("Summary!B12", t.hybrid_cumulative_usd[-1], "out_hybrid_total")
    chk("Summary!B14", t.npv_savings_usd, "out_npv_savings = tco_projection.npv_savings_usd")
    chk("Summary!B15", t.payback_month, "out_payback_month = tco_projection.payback_month")
    # engine.api_monthly_cost_usd and selfhost_monthly_cost / hybrid, month 1.
    chk("Summary!B5", e.api_monthly_cost_usd(price, w), "out_api_monthly")
    own = e.selfhost_monthly_cost(w, o)
    chk("Summary!B6", own.gpus, "out_gpus = selfhost_monthly_cost.gpus")
    chk("Summary!B7", own.total_usd, "out_selfhost_monthly = selfhost_monthly_cost.total_usd")
    chk("Summary!B8", e.hybrid_monthly_cost_usd(price, w, o, share), "out_hybrid_monthly")
    chk("Summary!B9", o.one_off_usd(), "out_one_off = SelfHost.one_off_usd()")
    chk("Summary!B21", own.compute_usd, "breakdown compute = selfhost_monthly_cost.compute_usd")
    chk("Summary!B22", own.people_usd, "breakdown people")
    chk("Summary!B25", own.finetune_usd, "breakdown fine-tuning")
    chk("Summary!B28", own.total_usd, "breakdown month-1 total")
    chk("Summary!C28", t.selfhost_cumulative_usd[-1], "breakdown total = selfhost cumulative")
    # engine.breakeven_volume.
    b = e.breakeven_volume(price, w, o)
    chk("Summary!B16", b.first_tokens_per_day, "out_breakeven_tokens_per_day")
    chk("Summary!B17", b.continuous_tokens_per_day, "out_breakeven_continuous_tokens_per_day")
    # engine.serving_plan: the roofline TP choice and requests/s per replica.
    plan = e.serving_plan(w, o.model, o.gpu, o.precision, o.target_utilisation,
                          o.min_replicas, o.measured_output_tokens_per_s)
    chk(_m("m_gpus_per_replica"), plan.gpus_per_replica, "serving_plan.gpus_per_replica")
    chk(_m("m_rps"), plan.requests_per_s_per_replica, "serving_plan.requests_per_s_per_replica")
    # engine.finetune_cost.
    if o.finetune is not None:
        ftc = e.finetune_cost(o.model, o.finetune)
        chk(_m("m_ft_gpu_hours"), ftc.gpu_hours_per_run, "finetune_cost.gpu_hours_per_run")
        chk(_m("m_ft_one_off"), ftc.one_off_usd, "finetune_cost.one_off_usd")
        chk(_m("m_ft_monthly"), ftc.monthly_usd, "finetune_cost.monthly_usd")
    # Volume sheet: api_monthly_cost_usd and selfhost_monthly_cost along the tokens/day grid.
    for i, tokens in enumerate(avs.VOLUMES):
        r = avs.V_FIRST + i
        wv = w.replace(requests_per_day=tokens / float(w.tokens_per_request))
        chk(f"Volume!C{r}", e.api_monthly_cost_usd(price, wv), "Volume API")
        chk(f"Volume!E{r}", e.selfhost_monthly_cost(wv, o).total_usd, "Volume self-host")
    return n


_M_ROWS: dict[str, str] = {}


def _m(name: str) -> str:
    return _M_ROWS[name]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("golden")
    out = {"default": build_template("api-vs-selfhost", d / "default.xlsx")}
    for s in SCENARIOS:
        out[s] = build_template("api-vs-selfhost", d / f"{s}.xlsx", scenario=s)
    wb = openpyxl.load_workbook(out["default"])
    for name, dn in wb.defined_names.items():
        if name.startswith("m_"):
            _M_ROWS[name] = dn.attr_text.replace("$", "")
    return out


@pytest.fixture(scope="module")
def default_calc(books: dict[str, Path]) -> Recalculation:
    return Recalculation(books["default"])


@pytest.fixture(scope="module")
def computed(books: dict[str, Path], default_calc: Recalculation) -> dict[str, dict[str, Any]]:
    out = {"default": default_calc.calculate()}
    for s in SCENARIOS:
        out[s] = Recalculation(books[s]).calculate()
    return out


def test_defaults_are_the_engine_defaults() -> None:
    v = avs.resolve_inputs(None, None)
    w, o = e.Workload(), e.SelfHost()
    assert v["api_model"] == "gpt-4o"
    for f in ("requests_per_day", "input_tokens_per_request", "output_tokens_per_request",
              "cached_input_share", "batch_share", "monthly_growth", "peak_to_average"):
        assert v[f] == getattr(w, f), f
    for f in ("model", "gpu", "precision", "mode", "rent_usd_per_gpu_hour",
              "purchase_usd_per_gpu", "life_years", "pue", "usd_per_kwh",
              "hosting_usd_per_gpu_month", "target_utilisation", "min_replicas",
              "measured_output_tokens_per_s"):
        assert v["open_model" if f == "model" else f] == getattr(o, f), f
    ops = e.Operations()
    for f in ("ml_engineer_fte", "sre_fte", "loaded_usd_per_fte_month",
              "mlops_tooling_usd_per_month", "compliance_usd_per_month",
              "downtime_hours_per_month", "downtime_usd_per_hour", "setup_usd",
              "time_to_market_delay_months", "value_usd_per_month"):
        assert v[f] == getattr(ops, f), f
    ft = e.FineTune()
    assert v["finetune"] == "yes" and v["finetune_method"] == ft.method
    for f in ("training_tokens", "epochs", "mfu", "examples", "usd_per_example",
              "eval_usd_per_run", "retrains_per_year", "refresh_share"):
        assert v[f] == getattr(ft, f), f
    assert v["finetune_gpu"] == ft.gpu and v["finetune_rent_usd_per_gpu_hour"] is None
    # tco_projection's defaults: hybrid_share 0.5, discount_rate 0.10.
    assert v["hybrid_share"] == 0.5 and v["discount_rate"] == 0.10


@pytest.mark.parametrize("case", ["default", *SCENARIOS])
def test_native_formulas_equal_engine(computed: dict[str, dict[str, Any]], case: str) -> None:
    v = avs.resolve_inputs(None, None if case == "default" else case)
    n = assert_matches_engine(computed[case], v)
    assert n > 250


def test_scenarios_load_into_inputs(books: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(books["finance-mistral-a100"])["Inputs"]
    by_name = {ws.cell(row=r, column=5).value: ws.cell(row=r, column=2).value
               for r in range(1, ws.max_row + 1)}
    for k, val in avs.SCENARIOS["finance-mistral-a100"].items():
        assert by_name[f"in_{k}"] == val, k


def test_seed_cases_tell_the_seed_story(computed: dict[str, dict[str, Any]]) -> None:
    # The 5M tokens/day chatbot: the API is far cheaper (engine.tco_projection says so too).
    chat = computed["chatbot-5m"]
    assert chat["Summary!B4"] == 5e6 and chat["Summary!B5"] < chat["Summary!B7"]
    # The finance company's Mistral-7B on A100s: 8 GPUs in month 1 (the article's 8-16).
    assert 8 <= computed["finance-mistral-a100"]["Summary!B6"] <= 16
    # The long-context tier applies above gemini-2.5-pro's 200k-token threshold.
    assert computed["long-context-tier"][_m("m_long")] == 1


EDGE_CASES: dict[str, dict[str, Any]] = {
    "buy": {"mode": "buy", "purchase_usd_per_gpu": 27_000.0, "usd_per_kwh": 0.2},
    "buy-catalog-price": {"mode": "buy"},
    "rent-override": {"rent_usd_per_gpu_hour": 2.2},
    "measured-throughput": {"measured_output_tokens_per_s": 4000.0},
    "no-finetune": {"finetune": "no"},
    "hybrid-0": {"hybrid_share": 0.0},
    "hybrid-1-high-volume": {"hybrid_share": 1.0, "requests_per_day": 400_000.0},
    "llama-70b-bf16-tp": {"open_model": "Llama-3.3-70B", "precision": "bf16",
                          "requests_per_day": 60_000.0},
    "int4-l4": {"gpu": "L4", "precision": "int4", "open_model": "Mistral-7B"},
    "int8-l40s-qlora": {"gpu": "L40S", "precision": "int8", "finetune_method": "qlora",
                        "finetune_rent_usd_per_gpu_hour": 1.5},
    "shrinking": {"monthly_growth": -0.05, "requests_per_day": 300_000.0},
    "cached-batch-mix": {"cached_input_share": 0.4, "batch_share": 0.3,
                         "api_model": "claude-sonnet-4-5"},
    "zero-traffic": {"requests_per_day": 0.0},
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_equal_engine(default_calc: Recalculation, case: str) -> None:
    changes = EDGE_CASES[case]
    values = default_calc.calculate({f"in_{k}": val for k, val in changes.items()})
    assert_matches_engine(values, avs.resolve_inputs(changes, None))


# --- LibreOffice -----------------------------------------------------------------------

def libreoffice_convert_all(files: list[Path], outdir: Path) -> dict[Path, Path]:
    """Every file recalculated and saved by LibreOffice in ONE headless run."""
    return libreoffice_recalculate(files, outdir, soffice())


@pytest.fixture(scope="module")
def lo_books(books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory,
             extra_books: dict[str, Path]) -> dict[str, tuple[Path, Path]]:
    files = {**books, **extra_books}
    start = time.perf_counter()
    conv = libreoffice_convert_all(list(files.values()), tmp_path_factory.mktemp("lo"))
    print(f"LibreOffice converted {len(files)} workbooks in {time.perf_counter() - start:.1f} s")
    return {k: (p, conv[p]) for k, p in files.items()}


@pytest.fixture(scope="module")
def extra_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The other templates, when they exist (their golden tests live below)."""
    from templates.workbooks import TEMPLATES

    d = tmp_path_factory.mktemp("extra")
    return {name: build_template(name, d / f"{name}.xlsx") for name in TEMPLATES
            if name != "api-vs-selfhost"}


ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "Err:")


@pytest.mark.libreoffice
def test_libreoffice_recalculates_without_errors_and_agrees(
        lo_books: dict[str, tuple[Path, Path]], computed: dict[str, dict[str, Any]]) -> None:
    for case, (ours_path, lo_path) in lo_books.items():
        # formulas' values: the golden fixture's for api-vs-selfhost, else recalculated here
        ours = computed[case] if case in computed else Recalculation(ours_path).calculate()
        lo = openpyxl.load_workbook(lo_path, data_only=True)
        assert ours, case
        for ref, value in ours.items():
            sheet, cell = ref.rsplit("!", 1)
            got = lo[sheet.strip("'")][cell].value
            assert not (isinstance(got, str) and got.startswith(ERRORS)), f"{case} {ref}: {got}"
            if isinstance(value, str):
                assert got == value, f"{case} {ref}: LibreOffice {got!r}, formulas {value!r}"
            elif value is None:
                assert got in (None, 0, ""), f"{case} {ref}: {got!r}"
            else:
                assert isinstance(got, int | float), f"{case} {ref}: LibreOffice {got!r}"
                assert math.isclose(got, value, rel_tol=RTOL, abs_tol=1e-9), (
                    f"{case} {ref}: LibreOffice {got!r}, formulas {value!r}")


# --- hybrid and finetune templates --------------------------------------------------------

from templates.workbooks import finetune as ftt  # noqa: E402
from templates.workbooks import hybrid as hyb  # noqa: E402


def _named(calc: Recalculation, values: dict[str, Any], name: str) -> Any:
    return values[calc.resolve(calc.checked.defined_names[name])[0]]


@pytest.fixture(scope="module")
def hybrid_calc(extra_books: dict[str, Path]) -> Recalculation:
    return Recalculation(extra_books["hybrid"])


@pytest.mark.parametrize("case", ["default", *hyb.SCENARIOS])
def test_hybrid_optimum_equals_engine(hybrid_calc: Recalculation, case: str) -> None:
    v = hyb.resolve(None, None if case == "default" else case)
    values = hybrid_calc.calculate({f"in_{k}": x for k, x in v.items()})
    price, w, o = engine_objects({**v, "monthly_growth": 0.0, "hybrid_share": 0.0,
                                  "discount_rate": 0.0})
    # engine.optimal_hybrid_share under the constraints
    opt = e.optimal_hybrid_share(price, w, o, v["min_inhouse_share"],
                                 v["must_stay_on_api_share"])
    close(_named(hybrid_calc, values, "out_optimal_share"), opt.share, "optimal share")
    close(_named(hybrid_calc, values, "out_optimal_monthly"), opt.monthly_usd, "optimal cost")
    close(_named(hybrid_calc, values, "out_api_only_monthly"), opt.api_only_usd, "API only")
    close(_named(hybrid_calc, values, "out_selfhost_only_monthly"), opt.selfhost_only_usd,
          "self-host only")
    # engine.hybrid_monthly_cost_usd along the 0-100 % curve
    for i in range(hyb.STEPS):
        r = hyb.S_FIRST + i
        close(values[f"Routing!D{r}"], e.hybrid_monthly_cost_usd(price, w, o, i * 0.05),
              f"Routing!D{r} hybrid_monthly_cost_usd share {i * 5}%")


def test_hybrid_scenario_files(tmp_path: Path) -> None:
    """Files built with scenario=NAME (not only inputs over the default file)."""
    for s in ("step-edge-70b", "frontier-on-api"):
        v = hyb.resolve(None, s)
        p = build_template("hybrid", tmp_path / f"{s}.xlsx", scenario=s)
        got = list(__import__("templates.recalc").recalc.recalc(
            p, cells=["out_optimal_share", "out_optimal_monthly"]).values())
        price, w, o = engine_objects({**v, "monthly_growth": 0.0, "hybrid_share": 0.0,
                                      "discount_rate": 0.0})
        opt = e.optimal_hybrid_share(price, w, o, v["min_inhouse_share"],
                                     v["must_stay_on_api_share"])  # engine
        close(got[0], opt.share, f"{s} share")
        close(got[1], opt.monthly_usd, f"{s} cost")
        assert 0 < opt.share < 1 or s != "step-edge-70b"


@pytest.fixture(scope="module")
def finetune_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("ft")
    return {s: build_template("finetune", d / f"{s}.xlsx", scenario=s) for s in ftt.SCENARIOS}


@pytest.mark.parametrize("case", list(ftt.SCENARIOS))
def test_finetune_equals_engine(finetune_books: dict[str, Path], case: str) -> None:
    calc = Recalculation(finetune_books[case])
    values = calc.calculate()
    v = ftt.resolve(None, case)
    plan = e.FineTune(
        method=v["finetune_method"], training_tokens=v["training_tokens"], epochs=v["epochs"],
        gpu=v["finetune_gpu"], mfu=v["mfu"],
        rent_usd_per_gpu_hour=v["finetune_rent_usd_per_gpu_hour"], examples=v["examples"],
        usd_per_example=v["usd_per_example"], eval_usd_per_run=v["eval_usd_per_run"],
        retrains_per_year=v["retrains_per_year"], refresh_share=v["refresh_share"])
    c = e.finetune_cost(v["open_model"], plan)  # engine.finetune_cost
    close(_named(calc, values, "out_gpu_hours_per_run"), c.gpu_hours_per_run, "GPU-hours")
    close(_named(calc, values, "out_compute_usd_per_run"), c.compute_usd_per_run, "compute")
    close(_named(calc, values, "out_one_off_usd"), c.one_off_usd, "one-off")
    close(_named(calc, values, "out_monthly_usd"), c.monthly_usd, "monthly")
    close(_named(calc, values, "out_breakdown_total"), c.one_off_usd + 12 * c.monthly_usd,
          "first-year breakdown total = one_off + 12 × monthly")
    # engine.training_gpu_hours for each method in the side-by-side table
    for m in ftt.METHODS:
        hours = e.training_gpu_hours(v["open_model"], v["training_tokens"], v["epochs"], m,
                                     v["finetune_gpu"], v["mfu"])
        assert any(isinstance(x, float) and math.isclose(x, hours, rel_tol=RTOL)
                   for k, x in values.items() if k.startswith("Fine-tuning")), m
