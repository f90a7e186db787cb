"""``finetune``: what fine-tuning an open model costs — training compute (FLOPs factor ×
parameters × tokens × epochs at a model FLOPs utilisation), data preparation, evaluation and
the retraining cadence — one-off and per month, equal to engine.finetune_cost, with the three
methods (full, LoRA, QLoRA) side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

import engine as e
from templates.workbooks import _common as c
from templates.workbooks import api_vs_selfhost as avs
from templates.workbooks._common import Input

NAME = "finetune"
DESCRIPTION = ("Fine-tuning cost: training GPU-hours, data, evaluation and retraining "
               "cadence; one-off and monthly, full vs LoRA vs QLoRA")

_KEEP = ("open_model", "finetune_method", "training_tokens", "epochs", "finetune_gpu", "mfu",
         "finetune_rent_usd_per_gpu_hour", "examples", "usd_per_example", "eval_usd_per_run",
         "retrains_per_year", "refresh_share")
INPUTS: list[Input] = []
for _name in _KEEP:
    _s = avs.SPECS[_name]
    INPUTS.append(Input(_s.name, _s.label, _s.default, _s.unit, _s.note, _s.fmt, _s.choices,
                        "Fine-tuning" if _name == "open_model" else "", _s.low, _s.high,
                        _s.optional))
SPECS = {s.name: s for s in INPUTS}

SCENARIOS: dict[str, dict[str, Any]] = {
    "lora-8b": {},
    "finance-mistral-full-a100": {"open_model": "Mistral-7B", "finetune_method": "full",
                                  "training_tokens": 100e6, "finetune_gpu": "A100-80GB",
                                  "examples": 50_000.0, "usd_per_example": 2.0,
                                  "retrains_per_year": 12.0},
    "qlora-70b": {"open_model": "Llama-3.3-70B", "finetune_method": "qlora",
                  "training_tokens": 50e6, "epochs": 2.0, "mfu": 0.3},
    "moe-30b-lora": {"open_model": "Qwen3-30B-A3B", "training_tokens": 200e6,
                     "finetune_gpu": "H200", "eval_usd_per_run": 5000.0},
}
SCENARIO_NOTES = {
    "lora-8b": "The engine's default: LoRA on Llama-3.1-8B, 20M tokens × 3 epochs, quarterly "
    "retraining.",
    "finance-mistral-full-a100": "The seed's finance company: full fine-tuning of Mistral-7B "
    "on A100s, 100M tokens, 50k labelled examples at $2, monthly retraining.",
    "qlora-70b": "QLoRA on Llama-3.3-70B: 50M tokens × 2 epochs at 30 % MFU.",
    "moe-30b-lora": "LoRA on a mixture of experts (Qwen3-30B-A3B: 3.3B active) on H200s.",
}

METHODS = tuple(e.FLOPS_PER_PARAM_TOKEN)


def _sheet(wb: Workbook, ws: Any) -> None:
    c.title(ws, "Fine-tuning", "engine.finetune_cost: one initial run, then periodic "
            "retraining. Every figure named (m_*) with its formula in words.")
    c.header(ws, 3, ["Figure", "Value", "Unit", "How", "Name"])
    k = avs.Calc(wb, ws, 3)
    k.section("Model and GPU (Catalog sheet)")
    k.add("m_model_row", "Open model row", "=MATCH(in_open_model,cat_model_names,0)", "", "",
          c.NUM0)
    k.add("m_active_params_b", "Active parameters",
          "=INDEX(cat_model_active_params_b,m_model_row)", "billion", "MoE: activated only")
    k.add("m_ft_gpu_row", "Training GPU row", "=MATCH(in_finetune_gpu,cat_gpu_names,0)", "", "",
          c.NUM0)
    k.add("m_ft_peak", "BF16 dense peak", "=INDEX(cat_gpu_bf16_tflops,m_ft_gpu_row)", "TFLOP/s")
    k.add("m_ft_rate", "Rent per GPU-hour",
          "=IF(ISNUMBER(in_finetune_rent_usd_per_gpu_hour),in_finetune_rent_usd_per_gpu_hour,"
          "INDEX(cat_gpu_rent_usd_per_hour,m_ft_gpu_row))", "USD/GPU-hour",
          "Your quote if given, else the catalog's", c.USD)
    k.section("One run")
    k.add("m_ft_factor", "FLOPs per parameter per token",
          "=INDEX(cat_method_flops,MATCH(in_finetune_method,cat_method_names,0))", "FLOPs",
          "full 6, lora 4, qlora 5 (Catalog sheet)")
    k.add("m_ft_flops", "Training FLOPs per run",
          "=m_ft_factor*m_active_params_b*1000000000*in_training_tokens*in_epochs", "FLOPs",
          "factor × active params × tokens × epochs", "0.000E+00")
    k.add("m_ft_gpu_hours", "GPU-hours per run",
          "=m_ft_flops/(m_ft_peak*1000000000000*in_mfu*3600)", "GPU-hours",
          "FLOPs / (peak × MFU × 3600)")
    k.add("m_ft_compute", "Training compute per run", "=m_ft_gpu_hours*m_ft_rate", "USD",
          "GPU-hours × rate", c.USD)
    k.add("m_ft_per_run", "Per run (compute + evaluation)", "=m_ft_compute+in_eval_usd_per_run",
          "USD", "", c.USD)
    k.section("Data")
    k.add("m_ft_data", "Initial data", "=in_examples*in_usd_per_example", "USD",
          "examples × USD/example", c.USD)
    k.add("m_ft_refresh", "Data refresh per retraining", "=in_refresh_share*m_ft_data", "USD",
          "refresh share × initial data", c.USD)
    k.section("Result")
    for name, label, formula, unit, how in (
        ("out_gpu_hours_per_run", "GPU-hours per run", "=m_ft_gpu_hours", "GPU-hours", ""),
        ("out_compute_usd_per_run", "Training compute per run", "=m_ft_compute", "USD", ""),
        ("out_one_off_usd", "One-off (first run + initial data)", "=m_ft_per_run+m_ft_data",
         "USD", "per run + data"),
        ("out_monthly_usd", "Retraining per month",
         "=in_retrains_per_year/12*(m_ft_per_run+m_ft_refresh)", "USD/month",
         "runs/year ÷ 12 × (per run + refresh)"),
        ("out_first_year_usd", "First year", "=out_one_off_usd+12*out_monthly_usd", "USD",
         "one-off + 12 months"),
    ):
        k.add(name, label, formula, unit, how, c.NUM if "hours" in name else c.USD)
        ws.cell(row=k.row - 1, column=2).fill = c.OUTPUT_FILL

    bd = k.row + 2
    ws.cell(row=bd - 1, column=1, value="First-year cost breakdown").font = c.BOLD
    c.header(ws, bd, ["Component", "USD"])
    parts = [
        ("Training compute (first run)", "=m_ft_compute"),
        ("Evaluation (first run)", "=in_eval_usd_per_run"),
        ("Data preparation (initial)", "=m_ft_data"),
        ("Retraining compute (12 months)", "=in_retrains_per_year*m_ft_compute"),
        ("Retraining evaluation (12 months)", "=in_retrains_per_year*in_eval_usd_per_run"),
        ("Data refresh (12 months)", "=in_retrains_per_year*m_ft_refresh"),
    ]
    for i, (label, f) in enumerate(parts):
        ws.cell(row=bd + 1 + i, column=1, value=label)
        ws.cell(row=bd + 1 + i, column=2, value=f).number_format = c.USD0
    tot = bd + 1 + len(parts)
    ws.cell(row=tot, column=1, value="Total").font = c.BOLD
    ws.cell(row=tot, column=2, value=f"=SUM(B{bd + 1}:B{tot - 1})").number_format = c.USD0
    c.define(wb, "out_breakdown_total", c.absref(ws.title, "B", tot))
    bar = BarChart()
    bar.type, bar.title = "bar", "First-year fine-tuning cost"
    bar.height, bar.width = 8, 16
    bar.add_data(Reference(ws, min_col=2, min_row=bd, max_row=tot - 1), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=bd + 1, max_row=tot - 1))
    ws.add_chart(c.show_axes(bar), "G4")

    cmp_row = tot + 3
    ws.cell(row=cmp_row - 1, column=1, value="Methods side by side (same data and GPU)"
            ).font = c.BOLD
    c.header(ws, cmp_row, ["Figure", *METHODS])
    labels = ("GPU-hours per run", "One-off USD", "Retraining USD/month")
    for j, m in enumerate(METHODS):
        col = "BCD"[j]
        hours = (f"INDEX(cat_method_flops,MATCH(\"{m}\",cat_method_names,0))*m_active_params_b"
                 "*1000000000*in_training_tokens*in_epochs/(m_ft_peak*1000000000000*in_mfu*3600)")
        ws[f"{col}{cmp_row + 1}"] = f"={hours}"
        ws[f"{col}{cmp_row + 2}"] = f"={col}{cmp_row + 1}*m_ft_rate+in_eval_usd_per_run+m_ft_data"
        ws[f"{col}{cmp_row + 3}"] = (f"=in_retrains_per_year/12*({col}{cmp_row + 1}*m_ft_rate"
                                     "+in_eval_usd_per_run+m_ft_refresh)")
        ws[f"{col}{cmp_row + 1}"].number_format = c.NUM
        ws[f"{col}{cmp_row + 2}"].number_format = c.USD0
        ws[f"{col}{cmp_row + 3}"].number_format = c.USD0
    for i, lab in enumerate(labels):
        ws.cell(row=cmp_row + 1 + i, column=1, value=lab)
    ch = BarChart()
    ch.title, ch.y_axis.title = "One-off cost by method", "USD"
    ch.height, ch.width = 8, 16
    ch.add_data(Reference(ws, min_col=2, max_col=4, min_row=cmp_row + 2), from_rows=True,
                titles_from_data=False)
    ch.set_categories(Reference(ws, min_col=2, max_col=4, min_row=cmp_row))
    ws.add_chart(c.show_axes(ch), "G22")
    c.widths(ws, A=40, B=18, C=18, D=40, E=26)


README = [
    "What this is: the cost of fine-tuning an open model and keeping it fresh — one initial "
    "run, then retraining on a cadence — as engine.finetune_cost computes it.",
    "Training FLOPs ≈ factor × parameters × tokens × epochs: 6 for full fine-tuning (forward 2 "
    "+ backward 4), 4 for LoRA (no weight gradients for the frozen base), 5 for QLoRA (LoRA + "
    "dequantisation, an assumption). GPU-hours = FLOPs / (BF16 peak × MFU × 3600); a mixture "
    "of experts counts its activated parameters.",
    "One-off = first run (compute + evaluation) + the labelled examples; per month = runs per "
    "year ÷ 12 × (compute + evaluation + refreshed examples).",
    "How to use it: change the yellow inputs (dropdowns for the model, method and GPU). Native "
    "Excel formulas only, no macros; reproduces the engine to 1e-9 (tests/templates/"
    "test_golden.py).",
]


def resolve(inputs: Mapping[str, Any] | None, scenario: str | None) -> dict[str, Any]:
    return avs.resolve_inputs(inputs, scenario, SPECS, SCENARIOS)


def engine_plan(v: Mapping[str, Any]) -> e.FineTune:
    return e.FineTune(v["finetune_method"], v["training_tokens"], v["epochs"],
                      v["finetune_gpu"], v["mfu"], v["finetune_rent_usd_per_gpu_hour"],
                      v["examples"], v["usd_per_example"], v["eval_usd_per_run"],
                      v["retrains_per_year"], v["refresh_share"])


def build(wb: Workbook, inputs: Mapping[str, Any] | None = None, scenario: str | None = None,
          with_udfs: bool = False) -> Workbook:
    values = resolve(inputs, scenario)
    e.finetune_cost(values["open_model"], engine_plan(values))
    readme = wb.active
    readme.title = "README"
    sheets = {n: wb.create_sheet(n) for n in ("Inputs", "Fine-tuning", "Scenarios", "Catalog")}
    c.write_catalog(wb, sheets["Catalog"])
    c.write_inputs(wb, sheets["Inputs"], INPUTS, values)
    _sheet(wb, sheets["Fine-tuning"])
    if with_udfs:
        ws = sheets["Fine-tuning"]
        ws["G40"] = "Add-in cross-check: FINETUNE_COST one-off"
        ws["G41"] = ("=FINETUNE_COST(in_open_model,in_training_tokens,in_epochs,"
                     "in_finetune_method,in_finetune_gpu,in_mfu,in_examples,in_usd_per_example,"
                     'in_eval_usd_per_run,in_retrains_per_year,in_refresh_share,"one_off")')
        ws["G42"] = "=G41-out_one_off_usd"
        c.define(wb, "xcheck_one_off", c.absref(ws.title, "G", 41))
    c.write_scenarios(sheets["Scenarios"], INPUTS, SCENARIOS, SCENARIO_NOTES)
    c.write_readme(readme, "LLM TCO: fine-tuning cost", README)
    wb.active = 2
    return wb
