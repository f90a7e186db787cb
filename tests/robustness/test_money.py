"""Money users can trust: totals equal the sum of their parts to the cent, in the engine and in
the api-vs-selfhost workbook, for every seed scenario."""

import pytest

import engine as e
from templates.recalc import recalc
from templates.workbooks import build_template
from templates.workbooks.api_vs_selfhost import SCENARIOS


def cents(x: float) -> int:
    return round(x * 100)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_workbook_breakdown_adds_up_to_the_projection_to_the_cent(tmp_path, scenario):
    book = build_template("api-vs-selfhost", tmp_path / "m.xlsx", scenario=scenario)
    parts = [f"Summary!C{r}" for r in range(21, 28)]  # compute … time-to-market, 36 months
    v = recalc(book, cells=[*parts, "Summary!C28", "out_selfhost_total"])
    total_breakdown, total_projection = v["Summary!C28"], v["Summary!B11"]
    assert cents(sum(v[p] for p in parts)) == cents(total_breakdown)
    # two independent computations of the same 36-month total: the breakdown's parts
    # and the month-by-month projection's cumulative sum agree to the cent
    assert cents(total_breakdown) == cents(total_projection)


@pytest.mark.parametrize("requests_per_day", [0.0, 2_500.0, 10_000.0, 1e6, 3.7e7])
def test_engine_selfhost_total_is_the_sum_of_its_parts_to_the_cent(requests_per_day):
    m = e.selfhost_monthly_cost(e.Workload(requests_per_day, 1500, 500), e.SelfHost())
    parts = [m.compute_usd, m.people_usd, m.operations_usd, m.finetune_usd]
    assert cents(sum(parts)) == cents(m.total_usd)
    t = e.tco_projection("gpt-4o", e.Workload(requests_per_day, 1500, 500), e.SelfHost())
    assert cents(t.selfhost_cumulative_usd[-1]) == cents(sum(t.selfhost_usd))
