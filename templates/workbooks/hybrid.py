"""``hybrid``: the routing planner — what it costs to send a share of traffic to the own model
and the rest to an API, over shares 0–100 % in 5 % steps, and the cost-minimising share under
constraints (must stay in-house, must stay on the API), equal to engine.optimal_hybrid_share.

Shares the Inputs, Model, Prices and Catalog sheets of ``api-vs-selfhost`` (month-1 traffic,
no growth).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

import engine as e
from templates.workbooks import _common as c
from templates.workbooks import api_vs_selfhost as avs
from templates.workbooks._common import DPM, Input

NAME = "hybrid"
DESCRIPTION = ("Hybrid routing planner: monthly cost vs share routed in-house (0–100 %), the "
               "cost-minimising share under must-stay constraints")

_DROP = {"monthly_growth", "hybrid_share", "discount_rate", "onprem_gpus",
         "onprem_hours_per_month", "onprem_utilisation"}
INPUTS: list[Input] = [s for s in avs.INPUTS if s.name not in _DROP] + [
    Input("min_inhouse_share", "Share that must stay in-house", 0.0, "fraction",
          "Data that may not leave (privacy, regulation)", c.PCT, high=1.0,
          section="Routing constraints"),
    Input("must_stay_on_api_share", "Share that must stay on the API", 0.0, "fraction",
          "Rare or frontier-quality tasks the own model cannot do", c.PCT, high=1.0),
]
SPECS = {s.name: s for s in INPUTS}

SCENARIOS: dict[str, dict[str, Any]] = {
    "chatbot-5m": {"requests_per_day": 2500.0},
    "high-volume-50m": {"requests_per_day": 25_000.0},
    "data-must-stay": {"requests_per_day": 25_000.0, "min_inhouse_share": 0.3},
    "frontier-on-api": {"requests_per_day": 400_000.0, "must_stay_on_api_share": 0.4,
                        "api_model": "claude-sonnet-4-5"},
    "step-edge-70b": {"requests_per_day": 400_000.0, "open_model": "Llama-3.3-70B",
                      "precision": "bf16", "min_replicas": 1.0},
    "finance-mistral-a100": {k: v for k, v in avs.SCENARIOS["finance-mistral-a100"].items()
                             if k in SPECS},
}
SCENARIO_NOTES = {
    "chatbot-5m": "5M tokens/day: the team's fixed cost makes any in-house share dearer than "
    "the API.",
    "high-volume-50m": "50M tokens/day: whole replicas make the optimum a step edge.",
    "data-must-stay": "50M tokens/day with 30 % of traffic that may not leave the company.",
    "frontier-on-api": "800M tokens/day, 40 % of it needing a frontier API model.",
    "step-edge-70b": "Llama-3.3-70B in BF16 at 800M tokens/day, one replica minimum: the "
    "optimum fills whole replicas and leaves the remainder (≈6 %) on the API.",
    "finance-mistral-a100": "The finance company's Mistral-7B on at least 8 A100s.",
}

S_FIRST = 6
STEPS = 21  # 0 %, 5 %, … 100 %
S_LAST = S_FIRST + STEPS - 1
MONTHS = 36  # the cumulative-cost table and chart


def _cost(s: str) -> str:
    """hybrid(s) = API(rpd·(1−s)) + [s>0]·(replicas(rpd·s)·q + F) (engine.hybrid)."""
    rpd = f"in_requests_per_day*{s}"
    return (f"in_requests_per_day*(1-{s})*{DPM}*m_api_per_request+IF({s}>0,"
            f"IF({rpd}>0,MAX(-INT(-({rpd}/86400*in_peak_to_average/(m_rps*in_target_utilisation)"
            f"-0.000000000001)),in_min_replicas),0)*m_replica_usd_per_month+m_fixed,0)")


def _routing_sheet(wb: Workbook, ws: Any) -> None:
    c.title(ws, "Routing", "Monthly cost (month-1 traffic) by share of requests routed to the "
            "own model; the rest goes to the API. Shares outside the constraints are blank in "
            "the 'Allowed' column.")
    c.header(ws, S_FIRST - 1, ["Share in-house", "API part USD", "Self-host part USD",
                               "Hybrid USD/month", "Allowed USD/month"])
    for i in range(STEPS):
        r = S_FIRST + i
        ws[f"A{r}"] = round(i * 0.05, 2)
        ws[f"B{r}"] = f"=in_requests_per_day*(1-A{r})*{DPM}*m_api_per_request"
        ws[f"D{r}"] = "=" + _cost(f"A{r}")
        ws[f"C{r}"] = f"=D{r}-B{r}"
        ws[f"E{r}"] = (f'=IF(AND(A{r}>=in_min_inhouse_share-0.000000001,A{r}<=1-'
                       f'in_must_stay_on_api_share+0.000000001),D{r},"")')
        for col, fmt in zip("ABCDE", (c.PCT, c.USD0, c.USD0, c.USD0, c.USD0), strict=True):
            ws[f"{col}{r}"].number_format = fmt

    # The optimum (engine.optimal_hybrid_share): candidates are the bounds, and the step
    # edges s = r·c/V (a replica count exactly full) at the first, last and minimum r.
    k = avs.Calc(wb, ws, S_LAST + 2)
    k.section("Cost-minimising share (engine/hybrid.py)")
    k.add("m_lo", "Lowest allowed share", "=in_min_inhouse_share", "fraction", "", c.PCT)
    k.add("m_hi", "Highest allowed share", "=1-in_must_stay_on_api_share", "fraction", "",
          c.PCT)
    k.add("m_peak_per_share", "Peak requests/s of all traffic",
          "=in_requests_per_day/86400*in_peak_to_average", "req/s", "", c.NUM)
    k.add("m_per_replica", "Requests/s one replica serves at the target utilisation",
          "=m_rps*in_target_utilisation", "req/s", "", c.NUM)
    k.add("m_step", "Share one replica carries",
          '=IF(AND(m_peak_per_share>0,m_per_replica>0),m_per_replica/m_peak_per_share,0)',
          "fraction", "c/V; 0 when there is no traffic", "0.000000")
    k.add("m_r_first", "First replica count in range",
          "=IF(m_step>0,MAX(-INT(-(m_lo/m_step-0.000000000001)),1),0)", "replicas", "", c.NUM0)
    k.add("m_r_last", "Last replica count in range",
          "=IF(m_step>0,INT(m_hi/m_step+0.000000000001),0)", "replicas", "", c.NUM0)
    k.add("m_r_min", "Minimum replicas", "=MAX(in_min_replicas,1)", "replicas", "", c.NUM0)
    c.header(ws, k.row + 1, ["Candidate share", "Share", "Valid", "Hybrid USD/month",
                             "Cost if valid"])
    first = k.row + 2
    cands = [("Lowest allowed", "=m_lo", "=1"), ("Highest allowed", "=m_hi", "=1")]
    for label, rname in (("First step edge", "m_r_first"), ("Last step edge", "m_r_last"),
                         ("Minimum-replica edge", "m_r_min")):
        cands.append((label, f"={rname}*m_step",
                      f"=IF(AND(m_step>0,{rname}*m_step>=m_lo,{rname}*m_step<=m_hi),1,0)"))
    for i, (label, share, valid) in enumerate(cands):
        r = first + i
        ws[f"A{r}"], ws[f"B{r}"], ws[f"C{r}"] = label, share, valid
        ws[f"D{r}"] = "=" + _cost(f"B{r}")
        ws[f"E{r}"] = f"=IF(C{r}=1,D{r},1E+300)"
        ws[f"B{r}"].number_format = "0.0000%"
        ws[f"D{r}"].number_format = ws[f"E{r}"].number_format = c.USD
    last = first + len(cands) - 1
    k.row = last + 1
    k.section("Result")
    rows = range(first, last + 1)
    best = f"MIN(E{first}:E{last})"
    outs = [
        ("out_optimal_monthly", "Lowest monthly cost", f"={best}", "USD/month", c.USD),
        ("out_optimal_share", "Cost-minimising share in-house",
         "=MIN(" + ",".join(f"IF(E{r}={best},B{r},2)" for r in rows) + ")", "fraction",
         "0.0000%"),
        ("out_api_only_monthly", "API only", f"=in_requests_per_day*{DPM}*m_api_per_request",
         "USD/month", c.USD),
        ("out_selfhost_only_monthly", "Self-host only", "=" + _cost("1"), "USD/month", c.USD),
    ]
    for name, label, formula, unit, fmt in outs:
        k.add(name, label, formula, unit, "ties go to the smaller share" if "share" in name
              else "", fmt)
        ws.cell(row=k.row - 1, column=2).fill = c.OUTPUT_FILL
    c.widths(ws, A=40, B=18, C=18, D=20, E=20)

    ch = LineChart()
    ch.title, ch.x_axis.title, ch.y_axis.title = ("Monthly cost vs share in-house",
                                                  "Share routed to the own model", "USD/month")
    ch.height, ch.width = 9, 18
    for ci in (2, 3, 4):
        ch.add_data(Reference(ws, min_col=ci, min_row=S_FIRST - 1, max_row=S_LAST),
                    titles_from_data=True)
    ch.set_categories(Reference(ws, min_col=1, min_row=S_FIRST, max_row=S_LAST))
    ws.add_chart(c.show_axes(ch), "G4")

    # Cumulative cost over the months (month-1 traffic, no growth) of API only, self-host
    # only and the cost-minimising hybrid, and the hybrid's savings against the API.
    m_first = k.row + 2
    c.header(ws, m_first - 1, ["Month", "API only, cumulative USD",
                               "Self-host only, cumulative USD", "Hybrid, cumulative USD",
                               "Hybrid savings vs API USD"])
    for i in range(MONTHS):
        r = m_first + i
        ws[f"A{r}"] = i + 1
        ws[f"B{r}"] = f"=A{r}*out_api_only_monthly"
        ws[f"C{r}"] = f"=A{r}*out_selfhost_only_monthly"
        ws[f"D{r}"] = f"=A{r}*out_optimal_monthly"
        ws[f"E{r}"] = f"=B{r}-D{r}"
        for col in "BCDE":
            ws[f"{col}{r}"].number_format = c.USD0
    m_last = m_first + MONTHS - 1
    cum = LineChart()
    cum.title, cum.x_axis.title, cum.y_axis.title = ("Cumulative cost and hybrid savings",
                                                     "Month", "USD")
    cum.height, cum.width = 9, 18
    for ci in (2, 3, 4, 5):
        cum.add_data(Reference(ws, min_col=ci, min_row=m_first - 1, max_row=m_last),
                     titles_from_data=True)
    cum.set_categories(Reference(ws, min_col=1, min_row=m_first, max_row=m_last))
    ws.add_chart(c.show_axes(cum), "G29")


README = [
    "What this is: a routing planner. A share of requests goes to your own (fine-tuned) "
    "model, the rest to an API. The API part falls linearly with the share; the self-hosted "
    "part is a step per whole replica plus the team's fixed cost.",
    "How to use it: set the workload and self-hosting inputs on Inputs, and the constraints "
    "(share that must stay in-house, share that must stay on the API). The Routing sheet shows "
    "the cost curve in 5 % steps and the exact cost-minimising share (out_optimal_share), "
    "which lies at a bound or where a replica count is exactly full. Below it, the cumulative "
    "cost over 36 months of API only, self-host only and that hybrid, and the hybrid's "
    "savings against the API (second chart).",
    "Native Excel formulas only, no macros; reproduces engine.optimal_hybrid_share and "
    "engine.hybrid_monthly_cost_usd to 1e-9 (tests/templates/test_golden.py).",
]


def resolve(inputs: Mapping[str, Any] | None, scenario: str | None) -> dict[str, Any]:
    return avs.resolve_inputs(inputs, scenario, SPECS, SCENARIOS)


def build(wb: Workbook, inputs: Mapping[str, Any] | None = None, scenario: str | None = None,
          with_udfs: bool = False) -> Workbook:
    values = resolve(inputs, scenario)
    price, w, o = avs.engine_inputs({**values, "monthly_growth": 0.0})
    e.optimal_hybrid_share(price, w, o, values["min_inhouse_share"],
                           values["must_stay_on_api_share"])  # constraints checked, named
    readme = wb.active
    readme.title = "README"
    names = ["Inputs", "Routing", "Model", "Scenarios", "Prices", "Catalog"]
    sheets = {n: wb.create_sheet(n) for n in names}
    c.write_catalog(wb, sheets["Catalog"])
    c.write_prices(wb, sheets["Prices"], c.api_models_for(values["api_model"]))
    c.write_inputs(wb, sheets["Inputs"], INPUTS, values)
    avs.model_sheet(wb, sheets["Model"], breakeven=False)
    _routing_sheet(wb, sheets["Routing"])
    if with_udfs:
        ws = sheets["Routing"]
        ws["G25"] = "Add-in cross-check: HYBRID_SHARE (default operations and fine-tuning)"
        ws["G26"] = ("=HYBRID_SHARE(in_api_model,in_open_model,in_gpu,in_requests_per_day,"
                     "in_input_tokens_per_request,in_output_tokens_per_request,"
                     "in_min_inhouse_share,in_must_stay_on_api_share,in_precision,in_mode)")
        ws["G27"] = "=G26-out_optimal_share"
        c.define(wb, "xcheck_optimal_share", c.absref(ws.title, "G", 26))
    c.write_scenarios(sheets["Scenarios"], INPUTS, SCENARIOS, SCENARIO_NOTES)
    c.write_readme(readme, "LLM TCO: hybrid routing planner", README)
    wb.active = 2
    return wb
