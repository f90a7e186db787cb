"""Sweeps and Monte Carlo: grids, errors per scenario, seeds, workers, statistics, charts."""

from __future__ import annotations

import numpy as np
import pytest

from templates.recalc.batch import BatchInputError
from templates.recalc.batch.distributions import Dist, parse_dist
from templates.recalc.batch.simulate import simulate
from templates.recalc.batch.sweep import parse_range_spec, sweep

from .reference import EngineReference

PNG = b"\x89PNG\r\n\x1a\n"


def test_sweep_full_grid_matches_the_engine(tco_book, tco_plan):
    df = sweep(tco_book, {"requests_per_day": "1000:1e6:4:log", "Inputs!B8": (1.0, 3.0, 3)},
               ["total_selfhost", "cheaper", "payback_month"])
    assert len(df) == 12
    assert list(df.columns[:2]) == ["requests_per_day", "Inputs!B8"]
    np.testing.assert_allclose(sorted(set(df["requests_per_day"])), [1e3, 1e4, 1e5, 1e6])
    ref = EngineReference(tco_book)
    keys = {r: tco_plan.resolve_ref(r) for r in ("requests_per_day", "Inputs!B8",
                                                  "total_selfhost", "cheaper")}
    for i in (0, 5, 11):
        row = df.iloc[i]
        got = ref.calculate({keys["requests_per_day"]: row["requests_per_day"],
                             keys["Inputs!B8"]: row["Inputs!B8"]},
                            [keys["total_selfhost"], keys["cheaper"]])
        assert row["total_selfhost"] == pytest.approx(got[keys["total_selfhost"]], rel=1e-9)
        assert row["cheaper"] == got[keys["cheaper"]]


def test_sweep_errors_get_an_error_column(function_book):
    df = sweep(function_book, {"y": "-1:1:3"}, ["Calc!B4"])  # =x/y
    assert np.isnan(df["Calc!B4"][1])
    assert list(df["Calc!B4 error"]) == ["", "#DIV/0!", ""]


@pytest.mark.parametrize(
    ("spec", "why"),
    [("1:2", "START:STOP:N"), ("a:2:3", "numbers"), ("1:2:0", ">= 1"), ("1:2:-3", ">= 1"),
     ("1:2:2.5", "whole"), ("0:10:3:log", "> 0"), ("1:2:3:lin", "START:STOP:N")],
)
def test_bad_ranges_name_the_argument(spec, why):
    with pytest.raises(BatchInputError, match=why) as err:
        parse_range_spec(spec, "--vary B2")
    assert err.value.argument == "--vary B2"


def test_sweep_unknown_ref(tco_book):
    with pytest.raises(BatchInputError, match="Nope"):
        sweep(tco_book, {"Nope!A1": "1:2:2"}, ["total_api"])
    with pytest.raises(BatchInputError) as err:
        sweep(tco_book, {"requests_per_day": "1:2:2"}, ["not_a_name"])
    assert err.value.argument == "--outputs"


@pytest.mark.parametrize(
    "text",
    ["normal(1)", "gauss(1,2)", "normal(1,-2)", "uniform(3,1)", "pert(1,5,3)", "normal 1 2",
     "triangular(a,b,c)", "lognormal(0,inf)"],
)
def test_bad_distributions(text):
    with pytest.raises(BatchInputError) as err:
        parse_dist(text)
    assert err.value.argument == "--dist"


def test_pert_and_others_sample_their_theoretical_means():
    rng = np.random.default_rng(0)
    for text in ("normal(10,2)", "lognormal(1,0.5)", "uniform(2,6)", "triangular(1,2,6)",
                 "pert(1,2,9)"):
        d = parse_dist(text)
        x = d.sample(rng, 400_000)
        assert x.mean() == pytest.approx(d.mean(), rel=5e-3), text
    x = Dist("pert", (1.0, 2.0, 9.0)).sample(rng, 1000)
    assert x.min() >= 1 and x.max() <= 9


DISTS = {"requests_per_day": "lognormal(10,1)", "gpu_hourly": "pert(1.5,2.4,4)",
         "tokens_in": "triangular(500,1500,4000)"}
OUTS = ["out_api_monthly", "out_selfhost_monthly"]


def test_simulate_is_reproducible_and_summarises(tco_book, tmp_path):
    a = simulate(tco_book, DISTS, 2500, OUTS, seed=42, chunk_size=1000,
                 compare=("out_selfhost_monthly", "out_api_monthly"))
    b = simulate(tco_book, DISTS, 2500, OUTS, seed=42, chunk_size=1000,
                 compare=("out_selfhost_monthly", "out_api_monthly"))
    c = simulate(tco_book, DISTS, 2500, OUTS, seed=43, chunk_size=1000)
    assert a.samples.equals(b.samples) and a.stats.equals(b.stats)
    assert not a.samples.equals(c.samples)
    x = a.samples["out_api_monthly"].to_numpy()
    assert a.stats.loc["out_api_monthly", "p50"] == pytest.approx(np.percentile(x, 50))
    assert a.stats.loc["out_api_monthly", "sd"] == pytest.approx(x.std(ddof=1))
    sh = a.samples["out_selfhost_monthly"].to_numpy()
    assert a.p_a_less_b == pytest.approx(np.mean(sh < x))
    assert 0 < a.p_a_less_b < 1
    # Tornado: requests_per_day drives the API bill; gpu_hourly does not touch it.
    t = a.tornado[a.tornado["output"] == "out_api_monthly"]
    assert t.iloc[0]["input"] == "requests_per_day"
    assert t.set_index("input").loc["gpu_hourly", "swing"] == 0
    assert a.histogram(tmp_path / "h.png").read_bytes()[:8] == PNG
    assert a.tornado_chart(tmp_path / "t.png").read_bytes()[:8] == PNG
    d = a.to_dict()
    assert d["seed"] == 42 and d["compare"]["p_a_less_b"] == a.p_a_less_b


def test_simulate_results_do_not_depend_on_workers(tco_book):
    one = simulate(tco_book, DISTS, 3000, OUTS, seed=7, chunk_size=1000, tornado=False)
    two = simulate(tco_book, DISTS, 3000, OUTS, seed=7, chunk_size=1000, tornado=False,
                   workers=2)
    assert one.samples.equals(two.samples)


def test_sweep_with_workers_matches_serial(tco_book):
    vary = {"requests_per_day": "1000:1e6:30:log", "gpu_hourly": "1:4:4"}
    a = sweep(tco_book, vary, ["total_selfhost", "cheaper"])
    b = sweep(tco_book, vary, ["total_selfhost", "cheaper"], workers=2)
    assert a.equals(b)


@pytest.mark.parametrize("n", [0, -5, 2.5])
def test_simulate_rejects_bad_n(tco_book, n):
    with pytest.raises(BatchInputError) as err:
        simulate(tco_book, DISTS, n, OUTS, seed=1)
    assert err.value.argument == "-n"


def test_simulate_errors_are_counted_not_fatal(function_book):
    res = simulate(function_book, {"y": "uniform(-1,1)", "Inputs!B5": "normal(0,1)"}, 500,
                   ["Calc!B52"], seed=3, tornado=False)  # =SQRT(y): #NUM! for y < 0
    errs = res.stats.loc["Calc!B52", "errors"]
    assert 150 < errs < 350
    assert res.samples["Calc!B52"].isna().sum() == errs


def test_json_summary_survives_error_outputs(function_book):
    import json

    res = simulate(function_book, {"y": "uniform(-1,0)"}, 200, ["Calc!B52"], seed=1)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))  # all #NUM!: no NaN leaks
    assert d["outputs"]["Calc!B52"]["errors"] == 200
    assert d["outputs"]["Calc!B52"]["p50"] is None
