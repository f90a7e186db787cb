"""``api-vs-selfhost``: the seed article's comparison, API vs self-hosted fine-tuned model vs
hybrid, month by month over 36 months, in native Excel formulas that reproduce the engine.

Sheets: README, Inputs, Summary (named outputs ``out_*``, TCO breakdown, charts), Projection
(one row per month), Model (every intermediate figure, named ``m_*``, with its formula
explained), Volume (cost vs tokens/day with the breakeven), Scenarios, Prices, Catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series

import engine as e
from engine.catalogs import BYTES_PER_PARAM
from engine.errors import InputError
from templates.workbooks import _common as c
from templates.workbooks._common import DPM, HPM, Input

NAME = "api-vs-selfhost"
DESCRIPTION = ("API vs self-hosted fine-tuned model vs hybrid: 36-month TCO with growth, "
               "breakeven volume, payback and NPV")
HORIZON = 36
FIRST = 6  # first month row on Projection
LAST = FIRST + HORIZON - 1

_W = e.Workload()
_S = e.SelfHost()
_O = _S.operations
_F = _S.finetune
assert _F is not None


def _f(x: Any) -> float:
    return float(x)


INPUTS: list[Input] = [
    Input("api_model", "API model", "gpt-4o", "model id", "Priced from the Prices sheet "
          "snapshot (genai-prices catalog)", choices="price_models", section="Workload and API"),
    Input("requests_per_day", "Requests per day", _f(_W.requests_per_day), "requests/day",
          "Average over the month, in month 1", c.NUM0),
    Input("input_tokens_per_request", "Input tokens per request",
          _f(_W.input_tokens_per_request), "tokens", "Prompt incl. system prompt, retrieved "
          "context and re-sent chat history (cached tokens included)", c.NUM0),
    Input("output_tokens_per_request", "Output tokens per request",
          _f(_W.output_tokens_per_request), "tokens", "Generated tokens", c.NUM0, low=1e-9),
    Input("cached_input_share", "Cached input share", _f(_W.cached_input_share), "fraction",
          "Share of input tokens read from the provider's prompt cache", c.PCT, high=1.0),
    Input("batch_share", "Batch API share", _f(_W.batch_share), "fraction",
          "Share of requests that can wait for the batch API (≈50 % cheaper)", c.PCT, high=1.0),
    Input("monthly_growth", "Monthly growth", _f(_W.monthly_growth), "fraction per month",
          "Traffic growth per month (0.05 = +5 %/month)", c.PCT, low=-0.999999),
    Input("peak_to_average", "Peak-to-average ratio", _f(_W.peak_to_average), "ratio",
          "Peak-hour rate ÷ average rate; self-hosting is sized for the peak", c.NUM, low=1.0),
    Input("open_model", "Open model", _S.model, "model", "Open-weights model served "
          "(Catalog sheet)", choices="cat_model_names", section="Self-hosted serving"),
    Input("gpu", "GPU", _S.gpu, "GPU", "Serving GPU (Catalog sheet)", choices="cat_gpu_names"),
    Input("precision", "Weight precision", _S.precision, "precision",
          "bf16, fp8, int8 or int4 (KV cache at the same precision, at least 1 byte)",
          choices="cat_precision_names"),
    Input("mode", "Rent or buy GPUs", _S.mode, "rent/buy", "rent: hourly × 730 h; buy: "
          "price ÷ life + power × PUE + hosting", choices="rent,buy"),
    Input("rent_usd_per_gpu_hour", "Rent per GPU-hour (override)", None, "USD/GPU-hour",
          "Blank: the catalog's indicative rate", c.USD, optional=True),
    Input("purchase_usd_per_gpu", "Purchase price per GPU (override)", None, "USD",
          "Blank: the catalog's indicative price (buy mode)", c.USD0, optional=True),
    Input("life_years", "Depreciation life", _f(_S.life_years), "years", "Bought GPUs, "
          "straight-line", c.NUM, low=1e-9),
    Input("pue", "PUE", _f(_S.pue), "ratio", "Data-centre power usage effectiveness", c.NUM,
          low=1.0),
    Input("usd_per_kwh", "Electricity price", _f(_S.usd_per_kwh), "USD/kWh", "Buy mode",
          "0.000"),
    Input("hosting_usd_per_gpu_month", "Hosting per GPU", _f(_S.hosting_usd_per_gpu_month),
          "USD/GPU-month", "Rack, network, host share (buy mode)", c.USD),
    Input("target_utilisation", "Target utilisation at peak", _f(_S.target_utilisation),
          "fraction", "Headroom for bursts and latency targets", c.PCT, low=1e-9, high=1.0),
    Input("min_replicas", "Minimum replicas", _f(_S.min_replicas), "replicas",
          "For availability (2 survives one failure)", c.NUM0),
    Input("measured_output_tokens_per_s", "Measured output tokens/s per replica (override)",
          None, "tokens/s", "Blank: the roofline estimate on the Model sheet", c.NUM0,
          optional=True, low=1e-9),
    Input("ml_engineer_fte", "ML engineers", _f(_O.ml_engineer_fte), "FTE", "Dedicated to "
          "the model", c.NUM, section="People and operations"),
    Input("sre_fte", "DevOps / SRE", _f(_O.sre_fte), "FTE", "Dedicated to the model", c.NUM),
    Input("loaded_usd_per_fte_month", "Loaded cost per FTE", _f(_O.loaded_usd_per_fte_month),
          "USD/month", "Salary + taxes + benefits + overhead", c.USD0),
    Input("mlops_tooling_usd_per_month", "MLOps and monitoring tooling",
          _f(_O.mlops_tooling_usd_per_month), "USD/month", "Registry, eval, observability",
          c.USD0),
    Input("compliance_usd_per_month", "Compliance and audit", _f(_O.compliance_usd_per_month),
          "USD/month", "Audits, data-protection reviews, certifications pro rata", c.USD0),
    Input("downtime_hours_per_month", "Expected downtime", _f(_O.downtime_hours_per_month),
          "hours/month", "Outage hours not covered by a vendor SLA", c.NUM),
    Input("downtime_usd_per_hour", "Cost of downtime", _f(_O.downtime_usd_per_hour),
          "USD/hour", "Revenue or productivity lost per outage hour", c.USD0),
    Input("setup_usd", "Set-up engineering (one-off)", _f(_O.setup_usd), "USD",
          "Serving stack, integration, load tests; month 1", c.USD0),
    Input("time_to_market_delay_months", "Time-to-market delay",
          _f(_O.time_to_market_delay_months), "months", "Extra months before self-hosting is "
          "live", c.NUM),
    Input("value_usd_per_month", "Value of a month", _f(_O.value_usd_per_month), "USD/month",
          "Delay × this is lost (one-off, month 1)", c.USD0),
    Input("finetune", "Fine-tune the model", "yes", "yes/no", "no: serve the base model "
          "(no training, data or retraining costs)", choices="yes,no", section="Fine-tuning"),
    Input("finetune_method", "Method", _F.method, "method", "full, lora or qlora (FLOPs "
          "factor on the Catalog sheet)", choices="cat_method_names"),
    Input("training_tokens", "Training tokens per epoch", _f(_F.training_tokens), "tokens",
          "Tokens in the training set", c.NUM0),
    Input("epochs", "Epochs", _f(_F.epochs), "passes", "Passes over the data per run", c.NUM),
    Input("finetune_gpu", "Training GPU", _F.gpu, "GPU", "Rented for the runs",
          choices="cat_gpu_names"),
    Input("mfu", "Model FLOPs utilisation", _f(_F.mfu), "fraction", "35–45 % is typical "
          "of tuned training", c.PCT, low=1e-9, high=1.0),
    Input("finetune_rent_usd_per_gpu_hour", "Training rent per GPU-hour (override)", None,
          "USD/GPU-hour", "Blank: the catalog's rate", c.USD, optional=True),
    Input("examples", "Labelled examples", _f(_F.examples), "examples", "Prepared for the "
          "first run", c.NUM0),
    Input("usd_per_example", "Cost per example", _f(_F.usd_per_example), "USD/example",
          "Collect, clean, label", c.USD),
    Input("eval_usd_per_run", "Evaluation per run", _f(_F.eval_usd_per_run), "USD/run",
          "Human review, eval-set upkeep, LLM-judge calls", c.USD0),
    Input("retrains_per_year", "Retraining runs per year", _f(_F.retrains_per_year),
          "runs/year", "After the first run", c.NUM),
    Input("refresh_share", "Examples refreshed per retraining", _f(_F.refresh_share),
          "fraction", "Share of examples newly labelled each retraining", c.PCT, high=1.0),
    Input("onprem_gpus", "GPUs bought", 8.0, "GPUs", "On-premise purchase view: hardware "
          "bought once (price: Purchase price override, else the catalog's)", c.NUM0, low=1.0,
          section="On-premise purchase view"),
    Input("onprem_hours_per_month", "Operating hours per month", 730.0, "hours/month",
          "Hours the GPUs run (730 = around the clock); electricity = W × hours × USD/kWh × PUE "
          "(the Electricity price and PUE inputs above)", c.NUM0, high=744.0),
    Input("onprem_utilisation", "Busy share of operating hours", 1.0, "fraction",
          "Share of those hours the GPUs serve at full throughput", c.PCT, high=1.0),
    Input("hybrid_share", "Hybrid: share routed in-house", 0.5, "fraction",
          "The rest stays on the API", c.PCT, high=1.0, section="Projection"),
    Input("discount_rate", "Discount rate", 0.10, "fraction per year", "For the NPV of "
          "savings (monthly rate (1+r)^(1/12) − 1, Excel NPV convention)", c.PCT,
          low=-0.999999),
]
SPECS = {s.name: s for s in INPUTS}

SCENARIOS: dict[str, dict[str, Any]] = {
    "chatbot-5m": {"requests_per_day": 2500.0, "input_tokens_per_request": 1500.0,
                   "output_tokens_per_request": 500.0, "monthly_growth": 0.05},
    "finance-mistral-a100": {
        "requests_per_day": 25_000.0, "input_tokens_per_request": 1500.0,
        "output_tokens_per_request": 500.0, "monthly_growth": 0.04, "open_model": "Mistral-7B",
        "gpu": "A100-80GB", "precision": "bf16", "min_replicas": 8.0,
        "compliance_usd_per_month": 5000.0, "ml_engineer_fte": 2.0, "sre_fte": 1.0,
        "finetune_method": "full", "training_tokens": 100e6, "finetune_gpu": "A100-80GB",
        "examples": 50_000.0, "usd_per_example": 2.0},
    "high-volume-50m": {"requests_per_day": 25_000.0, "input_tokens_per_request": 1500.0,
                        "output_tokens_per_request": 500.0, "monthly_growth": 0.03},
    "rag-long-context": {"api_model": "claude-sonnet-4-5", "requests_per_day": 3000.0,
                         "input_tokens_per_request": 30_000.0,
                         "output_tokens_per_request": 400.0, "cached_input_share": 0.8},
    "long-context-tier": {"api_model": "gemini-2.5-pro", "requests_per_day": 400.0,
                          "input_tokens_per_request": 250_000.0,
                          "output_tokens_per_request": 1000.0, "cached_input_share": 0.5,
                          "open_model": "Qwen3-30B-A3B", "gpu": "H200", "precision": "fp8"},
    "onprem-8xh200-gpt-oss": {
        "api_model": "gpt-4o", "requests_per_day": 200_000.0, "input_tokens_per_request": 1000.0,
        "output_tokens_per_request": 1000.0, "open_model": "gpt-oss-120b", "gpu": "H200",
        "precision": "fp4", "mode": "buy", "finetune": "no", "onprem_gpus": 8.0, "pue": 1.0},
    "batch-back-office": {"requests_per_day": 200_000.0, "input_tokens_per_request": 2000.0,
                          "output_tokens_per_request": 300.0, "batch_share": 1.0,
                          "peak_to_average": 1.0, "finetune": "no"},
}
SCENARIO_NOTES = {
    "chatbot-5m": "The seed's chatbot: ~5M tokens/day (2,500 requests × 2,000 tokens), "
    "growing 5 %/month. The API wins: the team alone costs more than the tokens.",
    "finance-mistral-a100": "The seed's finance company: Mistral-7B fully fine-tuned, served "
    "on 8 A100s (min. replicas for isolation and availability; the article's 8–16), "
    "50M tokens/day growing 4 %/month, heavier compliance and a larger team.",
    "high-volume-50m": "Tens of millions of tokens/day (50M), growing 3 %/month: where the "
    "seed claims self-hosting saves 40–60 %. At gpt-4o list prices and an 8B model the API is "
    "still cheaper here (breakeven ≈ 148M tokens/day): check the claim with your billed "
    "tokens per request.",
    "rag-long-context": "RAG with 30k-token prompts, 80 % served from the prompt cache "
    "(Claude Sonnet 4.5): caching narrows the gap to self-hosting.",
    "long-context-tier": "250k-token prompts on Gemini 2.5 Pro: above its 200k threshold every "
    "token pays the long-context rate.",
    "onprem-8xh200-gpt-oss": "Buy an 8 × H200 server once and serve gpt-oss-120b (MXFP4) "
    "against gpt-4o: the on-premise purchase view (Summary: capex, electricity per month, the "
    "API bill for the same tokens, months to break even) beside the amortised TCO.",
    "batch-back-office": "Back-office batch work: 460M tokens/day, all through the batch API "
    "(≈50 % off), flat load (peak = average), base model without fine-tuning.",
}

_TEXT_CHOICES = {
    "precision": tuple(BYTES_PER_PARAM), "mode": ("rent", "buy"), "finetune": ("yes", "no"),
    "finetune_method": tuple(e.FLOPS_PER_PARAM_TOKEN),
}


def resolve_inputs(inputs: Mapping[str, Any] | None, scenario: str | None,
                   specs: Mapping[str, Input] = SPECS,
                   scenarios: Mapping[str, Mapping[str, Any]] = SCENARIOS) -> dict[str, Any]:
    """Defaults, then the scenario's values, then ``inputs``; validated and canonicalised."""
    values = {k: s.default for k, s in specs.items()}
    if scenario is not None:
        if scenario not in scenarios:
            raise InputError("scenario", "must be one of " + ", ".join(scenarios), scenario)
        values.update(scenarios[scenario])
    for k, v in (inputs or {}).items():
        if k not in specs:
            raise InputError(k, "is not an input of this template (one of "
                             + ", ".join(specs) + ")", v)
        values[k] = v
    for k, v in values.items():
        spec = specs[k]
        if k == "api_model":
            try:
                values[k] = e.api_price(str(v)).model
            except InputError as exc:
                raise InputError(k, exc.rule, v) from None
        elif k in ("gpu", "finetune_gpu"):
            try:
                values[k] = e.gpu_spec(str(v)).name
            except InputError as exc:
                raise InputError(k, exc.rule, v) from None
        elif k == "open_model":
            try:
                values[k] = e.open_model_spec(str(v)).name
            except InputError as exc:
                raise InputError(k, exc.rule, v) from None
        else:
            values[k] = c.check_value(spec, v, _TEXT_CHOICES.get(k))
    return values


def engine_inputs(v: Mapping[str, Any]) -> tuple[str, e.Workload, e.SelfHost]:
    """The engine's objects for resolved inputs (also validates feasibility)."""
    w = e.Workload(v["requests_per_day"], v["input_tokens_per_request"],
                   v["output_tokens_per_request"], v["cached_input_share"], v["batch_share"],
                   v["monthly_growth"], v["peak_to_average"])
    ops = e.Operations(v["ml_engineer_fte"], v["sre_fte"], v["loaded_usd_per_fte_month"],
                       v["mlops_tooling_usd_per_month"], v["compliance_usd_per_month"],
                       v["downtime_hours_per_month"], v["downtime_usd_per_hour"],
                       v["setup_usd"], v["time_to_market_delay_months"],
                       v["value_usd_per_month"])
    ft = None
    if v["finetune"] == "yes":
        ft = e.FineTune(v["finetune_method"], v["training_tokens"], v["epochs"],
                        v["finetune_gpu"], v["mfu"], v["finetune_rent_usd_per_gpu_hour"],
                        v["examples"], v["usd_per_example"], v["eval_usd_per_run"],
                        v["retrains_per_year"], v["refresh_share"])
    o = e.SelfHost(v["open_model"], v["gpu"], v["precision"], v["mode"],
                   v["rent_usd_per_gpu_hour"], v["purchase_usd_per_gpu"], v["life_years"],
                   v["pue"], v["usd_per_kwh"], v["hosting_usd_per_gpu_month"],
                   v["target_utilisation"], v["min_replicas"],
                   v["measured_output_tokens_per_s"], ops, ft)
    return v["api_model"], w, o


class Calc:
    """Rows of named intermediate figures: label | formula | unit | how."""

    def __init__(self, wb: Workbook, ws: Any, row: int) -> None:
        self.wb, self.ws, self.row = wb, ws, row

    def section(self, text: str) -> None:
        self.row += 1
        self.ws.cell(row=self.row, column=1, value=text).font = c.BOLD
        self.row += 1

    def add(self, name: str, label: str, formula: str, unit: str = "", how: str = "",
            fmt: str = c.NUM) -> str:
        ws, r = self.ws, self.row
        ws.cell(row=r, column=1, value=label)
        cell = ws.cell(row=r, column=2, value=formula)
        cell.number_format = fmt
        ws.cell(row=r, column=3, value=unit)
        ws.cell(row=r, column=4, value=how)
        ws.cell(row=r, column=5, value=name)
        c.define(self.wb, name, c.absref(ws.title, "B", r))
        self.row += 1
        return name


def model_sheet(wb: Workbook, ws: Any, breakeven: bool = True) -> None:
    c.title(ws, "Model", "Every intermediate figure, named (m_*), with how it is computed. "
            "The same formulas as the llm-tco engine (engine/*.py Notes).")
    c.header(ws, 3, ["Figure", "Value", "Unit", "How", "Name"])
    k = Calc(wb, ws, 3)
    inp, outp = "in_input_tokens_per_request", "in_output_tokens_per_request"
    k.section("API price used (Prices sheet)")
    k.add("m_price_row", "Row in the price snapshot", "=MATCH(in_api_model,price_models,0)",
          "", "MATCH of in_api_model in the Prices table", c.NUM0)
    for key, label in (("input", "Input"), ("output", "Output"), ("cached_input", "Cached input"),
                       ("batch_input", "Batch input"), ("batch_output", "Batch output"),
                       ("batch_cached_input", "Batch cached input"),
                       ("long_input", "Long-context input"),
                       ("long_output", "Long-context output"),
                       ("long_cached_input", "Long-context cached input")):
        k.add(f"m_p_{key}", f"{label} price",
              f"=INDEX(price_{key}_usd_per_million_tokens,m_price_row)", "USD/1M tokens",
              "", "0.000")
    k.add("m_p_threshold", "Long-context threshold",
          "=INDEX(price_long_context_threshold_tokens,m_price_row)", "tokens",
          "1E+300: no tier", c.NUM0)
    k.add("m_long", "Long-context tier applies", f"=IF({inp}>m_p_threshold,1,0)", "0/1",
          "Prompt above the threshold: all its tokens at the long-context rates", c.NUM0)
    k.add("m_rate_in", "Standard input rate", "=IF(m_long=1,m_p_long_input,m_p_input)",
          "USD/1M", "", "0.000")
    k.add("m_rate_cached", "Standard cached-input rate",
          "=IF(m_long=1,m_p_long_cached_input,m_p_cached_input)", "USD/1M", "", "0.000")
    k.add("m_rate_out", "Standard output rate", "=IF(m_long=1,m_p_long_output,m_p_output)",
          "USD/1M", "", "0.000")
    k.add("m_std_per_request", "Standard USD per request",
          f"=(({inp}-{inp}*in_cached_input_share)*m_rate_in+{inp}*in_cached_input_share"
          f"*m_rate_cached+{outp}*m_rate_out)/1000000", "USD",
          "[(input − cached)·p_in + cached·p_cached + output·p_out] / 10⁶", "0.000000")
    k.add("m_batch_per_request", "Batch USD per request",
          f"=(({inp}-{inp}*in_cached_input_share)*m_p_batch_input+{inp}*in_cached_input_share"
          f"*m_p_batch_cached_input+{outp}*m_p_batch_output)/1000000", "USD",
          "Same at batch prices", "0.000000")
    k.add("m_api_per_request", "API USD per request (blended)",
          "=IF(in_batch_share=0,m_std_per_request,(1-in_batch_share)*m_std_per_request"
          "+in_batch_share*m_batch_per_request)", "USD", "Batch share at batch prices",
          "0.000000")
    k.add("m_tokens_per_request", "Tokens per request", f"={inp}+{outp}", "tokens",
          "input + output", c.NUM0)

    k.section("GPU and open model (Catalog sheet)")
    k.add("m_gpu_row", "GPU row", "=MATCH(in_gpu,cat_gpu_names,0)", "", "", c.NUM0)
    k.add("m_gpu_memory_gb", "GPU memory", "=INDEX(cat_gpu_memory_gb,m_gpu_row)", "GB")
    k.add("m_gpu_bandwidth", "GPU bandwidth", "=INDEX(cat_gpu_bandwidth_gb_per_s,m_gpu_row)",
          "GB/s")
    k.add("m_gpu_peak_tflops", "Peak dense TFLOP/s at the precision",
          '=IF(in_precision="fp8",INDEX(cat_gpu_fp8_tflops,m_gpu_row),IF(in_precision="int8",'
          'INDEX(cat_gpu_int8_tops,m_gpu_row),IF(AND(in_precision="fp4",'
          "INDEX(cat_gpu_fp4_tflops,m_gpu_row)>0),INDEX(cat_gpu_fp4_tflops,m_gpu_row),"
          "INDEX(cat_gpu_bf16_tflops,m_gpu_row))))",
          "TFLOP/s", "fp8 → FP8 (effective), int8 → INT8, fp4 → FP4 where the GPU has it, "
          "else BF16 (int4 and FP4 without FP4 tensor cores are weight-only)")
    k.add("m_gpu_power_w", "GPU power", "=INDEX(cat_gpu_power_w,m_gpu_row)", "W")
    k.add("m_gpu_scaleup", "GPUs per NVLink domain", "=INDEX(cat_gpu_scaleup_gpus,m_gpu_row)",
          "GPUs", "A replica larger than this spans nodes", c.NUM0)
    k.add("m_gpu_network", "Scale-out bandwidth per GPU",
          "=INDEX(cat_gpu_network_gb_per_s,m_gpu_row)", "GB/s", "Between nodes")
    k.add("m_gpu_software", "Software efficiency", "=INDEX(cat_gpu_software_efficiency,m_gpu_row)",
          "factor", "1 for NVIDIA; calibrated for AMD (Catalog sheet)")
    k.add("m_model_row", "Open model row", "=MATCH(in_open_model,cat_model_names,0)", "", "",
          c.NUM0)
    k.add("m_params_b", "Parameters", "=INDEX(cat_model_params_b,m_model_row)", "billion")
    k.add("m_active_params_b", "Active parameters",
          "=INDEX(cat_model_active_params_b,m_model_row)", "billion", "MoE: activated only")
    k.add("m_layers", "Layers", "=INDEX(cat_model_layers,m_model_row)", "layers", "", c.NUM0)
    k.add("m_kv_per_layer", "KV elements per token and layer",
          '=IF(INDEX(cat_model_attention,m_model_row)="mla",INDEX(cat_model_kv_lora_rank,'
          "m_model_row)+INDEX(cat_model_qk_rope_head_dim,m_model_row),"
          "2*INDEX(cat_model_kv_heads,m_model_row)*INDEX(cat_model_head_dim,m_model_row))",
          "elements/layer", "gqa: 2 × KV heads × head dim; mla: latent + RoPE dim", c.NUM0)
    k.add("m_sliding_layers", "Sliding-window layers",
          "=INDEX(cat_model_sliding_layers,m_model_row)", "layers", "Keep only the window",
          c.NUM0)
    k.add("m_window", "Sliding window", "=INDEX(cat_model_sliding_window,m_model_row)",
          "tokens", "", c.NUM0)
    k.add("m_moe", "Mixture of experts", "=IF(AND(INDEX(cat_model_experts,m_model_row)>0,"
          "INDEX(cat_model_expert_params_b,m_model_row)>0),1,0)", "0/1", "", c.NUM0)
    k.add("m_k_over_e", "Experts per token ÷ experts",
          "=IF(m_moe=1,INDEX(cat_model_experts_per_token,m_model_row)"
          "/INDEX(cat_model_experts,m_model_row),0)", "share", "k/E", "0.0000")
    k.add("m_precision_bytes", "Bytes per weight",
          "=INDEX(cat_precision_bytes,MATCH(in_precision,cat_precision_names,0))", "bytes")
    k.add("m_weights_bytes", "Weights", "=m_params_b*1000000000*m_precision_bytes", "bytes",
          "params × bytes per weight (all experts)", c.NUM0)
    k.add("m_expert_bytes", "Routed experts' weights",
          "=INDEX(cat_model_expert_params_b,m_model_row)*1000000000*m_precision_bytes",
          "bytes", "0 for a dense model", c.NUM0)
    k.add("m_kv_bytes_per_token", "KV cache per token (full-context layers)",
          "=m_kv_per_layer*(m_layers-m_sliding_layers)*MAX(1,m_precision_bytes)",
          "bytes", "elements × (layers − sliding) × max(1, bytes)", c.NUM0)
    k.add("m_kv_seq", "KV cache of one sequence (in + out)",
          f"=m_kv_per_layer*MAX(1,m_precision_bytes)*((m_layers-m_sliding_layers)*({inp}+{outp})"
          f"+m_sliding_layers*MIN({inp}+{outp},m_window))", "bytes",
          "sliding layers hold at most the window", c.NUM0)
    k.add("m_kv_read", "KV read per sequence per step (in + out/2)",
          f"=m_kv_per_layer*MAX(1,m_precision_bytes)*((m_layers-m_sliding_layers)*({inp}+{outp}/2)"
          f"+m_sliding_layers*MIN({inp}+{outp}/2,m_window))", "bytes", "average context",
          c.NUM0)
    k.add("m_eta_mem", "Memory efficiency", "=0.65*IF(m_moe=1,0.7,1)*m_gpu_software", "share",
          "0.65 × 0.7 for MoE × software efficiency (engine.serving.efficiencies)", "0.000")
    k.add("m_eta_comp", "Compute efficiency", "=0.4*IF(m_moe=1,0.3,1)*m_gpu_software",
          "share", "0.40 × 0.3 for MoE × software efficiency", "0.000")
    k.add("m_net_bytes_per_token", "Bytes per token crossing nodes, per node fraction",
          "=IF(m_moe=1,m_layers*INDEX(cat_model_experts_per_token,m_model_row)"
          "*INDEX(cat_model_hidden_size,m_model_row)*3,INDEX(cat_model_hidden_size,m_model_row)"
          "*2)", "bytes", "MoE all-to-all: layers × k × hidden × 3 (FP8 out, BF16 back); dense: "
          "hidden × 2 per node boundary", c.NUM0)

    k.section("Roofline throughput per replica, by replica size (GPUs)")
    r0 = k.row
    ws.cell(row=r0, column=1, value="GPUs per replica (tensor/expert parallel)").font = c.BOLD
    rows = ["fits", "batch", "nodes", "t_mem", "t_comp", "t_net", "t_prefill", "rps", "per_gpu",
            "best_per_gpu", "best_n", "best_rps"]
    labels = {
        "fits": ("Fits (weights + one sequence)", "0/1",
                 "n·mem·0.9 − weights − KV of one sequence > 0; beyond one node only with a "
                 "scale-out network ≥ 25 GB/s per GPU"),
        "batch": ("Batch", "sequences", "min(1024, ⌊(n·mem·0.9 − weights)/KV of a sequence⌋)"),
        "nodes": ("Nodes", "nodes", "⌈n / GPUs per NVLink domain⌉"),
        "t_mem": ("Decode step, memory-bound", "s",
                  "(dense weights + experts·(1 − (1 − k/E)^batch) + batch·KV read) / "
                  "(n·bandwidth·η_mem)"),
        "t_comp": ("Decode step, compute-bound", "s", "2·active·batch / (n·peak·η_comp)"),
        "t_net": ("Decode step, network-bound", "s",
                  "batch · bytes/token · (1 − 1/nodes) / (n·scale-out·0.6); dense: × (nodes − 1)"),
        "t_prefill": ("Prefill per request", "s",
                      "max(2·active·in / (n·peak·η_comp), in · network bytes / (n·scale-out·0.6))"),
        "rps": ("Requests/s per replica", "req/s",
                "1 / (t_prefill + out·max(t_mem, t_comp, t_net)/batch)"),
        "per_gpu": ("Output tokens/s per GPU", "tokens/s", "out × req/s ÷ n"),
        "best_per_gpu": ("Best so far (per GPU)", "tokens/s",
                         "a larger replica only if > 10 % better per GPU"),
        "best_n": ("Chosen GPUs per replica", "GPUs", ""),
        "best_rps": ("Chosen requests/s per replica", "req/s", ""),
    }
    degrees = (1, 2, 4, 8, 16, 32, 64, 128)
    cols = [c._col(2 + j) for j in range(len(degrees))]
    unit_col, how_col = 2 + len(degrees), 3 + len(degrees)
    row_of = {name: r0 + 1 + i for i, name in enumerate(rows)}
    for name in rows:
        lab, unit, how = labels[name]
        ws.cell(row=row_of[name], column=1, value=lab)
        ws.cell(row=row_of[name], column=unit_col, value=unit)
        ws.cell(row=row_of[name], column=how_col, value=how)
    ws.cell(row=r0, column=unit_col, value="Unit").font = c.BOLD
    ws.cell(row=r0, column=how_col, value="How (engine/serving.py)").font = c.BOLD
    for j, n in enumerate(degrees):
        col = cols[j]
        prev = cols[j - 1] if j else None

        def ref(name: str, col: str = col) -> str:
            return f"{col}{row_of[name]}"

        ws[f"{col}{r0}"] = n
        nn = f"{col}${r0}"
        free = f"({nn}*m_gpu_memory_gb*1000000000*0.9-m_weights_bytes)"
        flops = f"({nn}*m_gpu_peak_tflops*1000000000000*m_eta_comp)"
        net = f"({nn}*m_gpu_network*1000000000*0.6)"
        per_token = (f"(m_net_bytes_per_token*IF(m_moe=1,IF({ref('nodes')}>1,"
                     f"1-1/{ref('nodes')},0),{ref('nodes')}-1))")
        read = (f"(m_weights_bytes-m_expert_bytes+m_expert_bytes*IF(m_moe=1,"
                f"1-POWER(1-m_k_over_e,{ref('batch')}),1))")
        ws[ref("fits")] = (f"=IF(AND({free}-m_kv_seq>0,OR({nn}<=m_gpu_scaleup,"
                           "m_gpu_network>=25)),1,0)")
        ws[ref("batch")] = f"=IF({ref('fits')}=1,MIN(INT({free}/m_kv_seq),1024),0)"
        ws[ref("nodes")] = f"=-INT(-({nn}/m_gpu_scaleup-0.000000000001))"
        ws[ref("t_mem")] = (f"=IF({ref('fits')}=1,({read}+{ref('batch')}*m_kv_read)"
                            f"/({nn}*m_gpu_bandwidth*1000000000*m_eta_mem),0)")
        ws[ref("t_comp")] = (f"=IF({ref('fits')}=1,2*m_active_params_b*1000000000*{ref('batch')}"
                             f"/{flops},0)")
        ws[ref("t_net")] = f"=IF({ref('fits')}=1,{ref('batch')}*{per_token}/{net},0)"
        ws[ref("t_prefill")] = (f"=IF({ref('fits')}=1,MAX(2*m_active_params_b*1000000000*{inp}"
                                f"/{flops},{inp}*{per_token}/{net}),0)")
        ws[ref("rps")] = (f"=IF({ref('fits')}=1,1/({ref('t_prefill')}+{outp}*MAX({ref('t_mem')},"
                          f"{ref('t_comp')},{ref('t_net')})/{ref('batch')}),0)")
        ws[ref("per_gpu")] = f"=IF({ref('fits')}=1,{outp}*{ref('rps')}/{nn},0)"
        if prev is None:
            ws[ref("best_per_gpu")] = f"={ref('per_gpu')}"
            ws[ref("best_n")] = f"=IF({ref('fits')}=1,{nn},0)"
            ws[ref("best_rps")] = f"={ref('rps')}"
        else:
            take = f"{ref('per_gpu')}>{ref('best_per_gpu', prev)}*1.1"
            for name, val in (("best_per_gpu", ref("per_gpu")), ("best_n", nn),
                              ("best_rps", ref("rps"))):
                ws[ref(name)] = f"=IF({take},{val},{ref(name, prev)})"
        for name in rows:
            ws[ref(name)].number_format = "0.000E+00" if name.startswith("t_") else c.NUM
    k.row = row_of["best_rps"] + 1
    last_col = cols[-1]

    k.section("Serving capacity and GPU cost")
    k.add("m_gpus_per_replica", "GPUs per replica", f"={last_col}{row_of['best_n']}", "GPUs",
          "The chosen replica size", c.NUM0)
    k.add("m_rps_roofline", "Roofline requests/s per replica",
          f"={last_col}{row_of['best_rps']}",
          "req/s")
    k.add("m_rps", "Requests/s per replica used",
          f"=IF(ISNUMBER(in_measured_output_tokens_per_s),in_measured_output_tokens_per_s/{outp},"
          "m_rps_roofline)", "req/s", "Your measured figure if given, else the roofline")
    k.add("m_gpu_rate", "Rent per GPU-hour",
          "=IF(ISNUMBER(in_rent_usd_per_gpu_hour),in_rent_usd_per_gpu_hour,"
          "INDEX(cat_gpu_rent_usd_per_hour,m_gpu_row))", "USD/GPU-hour", "", c.USD)
    k.add("m_gpu_purchase", "Purchase per GPU",
          "=IF(ISNUMBER(in_purchase_usd_per_gpu),in_purchase_usd_per_gpu,"
          "INDEX(cat_gpu_purchase_usd,m_gpu_row))", "USD", "", c.USD0)
    k.add("m_gpu_usd_per_month", "One GPU per month",
          f'=IF(in_mode="rent",m_gpu_rate*{HPM},m_gpu_purchase/(12*in_life_years)'
          f"+m_gpu_power_w/1000*in_pue*{HPM}*in_usd_per_kwh+in_hosting_usd_per_gpu_month)",
          "USD/month", "rent: rate × 730 h; buy: price/(12·life) + kW·PUE·730·USD/kWh + "
          "hosting", c.USD)
    k.add("m_replica_usd_per_month", "One replica per month",
          "=m_gpus_per_replica*m_gpu_usd_per_month", "USD/month", "", c.USD)

    k.section("People and operations")
    k.add("m_people", "People", "=(in_ml_engineer_fte+in_sre_fte)*in_loaded_usd_per_fte_month",
          "USD/month", "(ML + SRE FTE) × loaded cost", c.USD)
    k.add("m_tooling", "MLOps tooling", "=in_mlops_tooling_usd_per_month", "USD/month", "",
          c.USD)
    k.add("m_compliance", "Compliance", "=in_compliance_usd_per_month", "USD/month", "", c.USD)
    k.add("m_risk", "Downtime risk", "=in_downtime_hours_per_month*in_downtime_usd_per_hour",
          "USD/month", "hours × USD/hour", c.USD)
    k.add("m_operations", "Operations (tooling + compliance + risk)",
          "=m_tooling+m_compliance+m_risk", "USD/month", "", c.USD)
    k.add("m_time_to_market", "Time-to-market loss",
          "=in_time_to_market_delay_months*in_value_usd_per_month", "USD one-off",
          "delay × value per month", c.USD)

    k.section("Fine-tuning (engine/finetune.py)")
    k.add("m_ft_on", "Fine-tuning on", '=IF(in_finetune="yes",1,0)', "0/1", "", c.NUM0)
    k.add("m_ft_gpu_row", "Training GPU row", "=MATCH(in_finetune_gpu,cat_gpu_names,0)", "",
          "", c.NUM0)
    k.add("m_ft_flops", "FLOPs per run",
          "=INDEX(cat_method_flops,MATCH(in_finetune_method,cat_method_names,0))"
          "*m_active_params_b*1000000000*in_training_tokens*in_epochs", "FLOPs",
          "factor × active params × tokens × epochs", "0.000E+00")
    k.add("m_ft_gpu_hours", "GPU-hours per run",
          "=m_ft_flops/(INDEX(cat_gpu_bf16_tflops,m_ft_gpu_row)*1000000000000*in_mfu*3600)",
          "GPU-hours", "FLOPs / (BF16 peak × MFU × 3600)")
    k.add("m_ft_rate", "Training rent per GPU-hour",
          "=IF(ISNUMBER(in_finetune_rent_usd_per_gpu_hour),in_finetune_rent_usd_per_gpu_hour,"
          "INDEX(cat_gpu_rent_usd_per_hour,m_ft_gpu_row))", "USD/GPU-hour", "", c.USD)
    k.add("m_ft_compute", "Training compute per run", "=m_ft_gpu_hours*m_ft_rate", "USD", "",
          c.USD)
    k.add("m_ft_data", "Initial data", "=in_examples*in_usd_per_example", "USD",
          "examples × USD/example", c.USD)
    k.add("m_ft_refresh", "Data refresh per retraining", "=in_refresh_share*m_ft_data", "USD",
          "", c.USD)
    k.add("m_ft_per_run", "Per run (compute + evaluation)", "=m_ft_compute+in_eval_usd_per_run",
          "USD", "", c.USD)
    k.add("m_ft_one_off", "First run + data (one-off)", "=m_ft_on*(m_ft_per_run+m_ft_data)",
          "USD", "", c.USD)
    k.add("m_ft_monthly", "Retraining per month",
          "=m_ft_on*(in_retrains_per_year/12*(m_ft_per_run+m_ft_refresh))", "USD/month",
          "runs/year ÷ 12 × (per run + refresh)", c.USD)

    k.section("Fixed and one-off self-hosting costs")
    k.add("m_fixed", "Fixed per month", "=m_people+m_operations+m_ft_monthly", "USD/month",
          "people + operations + retraining (no volume)", c.USD)
    k.add("m_one_off", "One-off (month 1)", "=in_setup_usd+m_time_to_market+m_ft_one_off",
          "USD", "set-up + time-to-market + first fine-tune and data", c.USD)

    if not breakeven:
        c.widths(ws, A=44, B=16, C=16, D=16, E=26, J=12, K=60)
        return
    k.section("Breakeven (engine/breakeven.py)")
    k.add("m_api_per_rpd_month", "API USD/month per request/day", f"=m_api_per_request*{DPM}",
          "USD/month", "a·D", "0.0000")
    k.add("m_rpd_per_replica", "Requests/day one replica serves",
          "=m_rps*in_target_utilisation*86400/in_peak_to_average", "requests/day",
          "c = req/s × utilisation × 86,400 ÷ peak ratio", c.NUM)
    k.add("m_margin", "Monthly saving of a full replica",
          "=m_api_per_rpd_month*m_rpd_per_replica-m_replica_usd_per_month", "USD/month",
          "a·D·c − q", c.USD)
    k.add("m_r0", "Minimum replicas (≥ 1)", "=MAX(in_min_replicas,1)", "replicas", "", c.NUM0)
    k.add("m_r_star", "Replicas at the first winning volume",
          '=IF(m_margin>0,MAX(m_r0,-INT(-(m_fixed/m_margin-0.000000000001))),"never")',
          "replicas", "max(r₀, ⌈F/(a·D·c − q)⌉)", c.NUM0)
    k.add("m_breakeven_rpd", "Breakeven requests/day (whole GPUs)",
          '=IF(m_margin>0,(m_fixed+m_replica_usd_per_month*m_r_star)/m_api_per_rpd_month,'
          '"never")', "requests/day", "(F + q·r*)/(a·D)", c.NUM0)
    k.add("m_breakeven_continuous_rpd", "Breakeven requests/day (continuous)",
          '=IF(m_margin>0,m_fixed/(m_api_per_rpd_month-m_replica_usd_per_month'
          '/m_rpd_per_replica),"never")', "requests/day", "F/(a·D − q/c)", c.NUM0)

    k.section("On-premise purchase view (engine/onprem.py): bought once, electricity only")
    k.add("m_onprem_replicas", "Replicas the bought GPUs hold",
          "=INT(in_onprem_gpus/m_gpus_per_replica+0.000000000001)", "replicas",
          "⌊GPUs bought / GPUs per replica⌋", c.NUM0)
    k.add("m_onprem_requests", "Requests served per month",
          "=m_onprem_replicas*m_rps*3600*in_onprem_hours_per_month*in_onprem_utilisation",
          "requests/month", "replicas × req/s × 3,600 × hours × busy share", c.NUM0)
    k.add("m_onprem_api", "What the API would bill for them",
          "=m_onprem_requests*m_api_per_request", "USD/month", "requests × API USD/request",
          c.USD)
    k.add("m_onprem_electricity", "Electricity",
          "=in_onprem_gpus*m_gpu_power_w/1000*in_onprem_hours_per_month*in_pue*in_usd_per_kwh",
          "USD/month", "GPUs × W/1000 × hours × PUE × USD/kWh", c.USD)
    k.add("m_onprem_capex", "Hardware bought once", "=in_onprem_gpus*m_gpu_purchase", "USD",
          "GPUs × purchase price", c.USD0)
    k.add("m_onprem_net", "Saving per month", "=m_onprem_api-m_onprem_electricity",
          "USD/month", "API bill avoided − electricity", c.USD)
    k.add("m_onprem_months", "Months to break even",
          '=IF(AND(m_onprem_replicas>=1,m_onprem_net>0),m_onprem_capex/m_onprem_net,"never")',
          "months", "capex / saving per month", c.NUM)
    c.widths(ws, A=44, B=16, C=16, D=16, E=26, J=12, K=60)


def _replicas(rpd: str) -> str:
    """Replicas for requests/day expression ``rpd`` (engine.serving_plan)."""
    return (f"IF({rpd}>0,MAX(-INT(-({rpd}/86400*in_peak_to_average/(m_rps*in_target_utilisation)"
            f"-0.000000000001)),in_min_replicas),0)")


PROJECTION_COLUMNS = (
    ("A", "Month", c.NUM0), ("B", "Requests/day", c.NUM0), ("C", "Tokens/day", c.NUM0),
    ("D", "API USD", c.USD), ("E", "Replicas", c.NUM0), ("F", "GPUs", c.NUM0),
    ("G", "Compute USD", c.USD), ("H", "Self-host USD", c.USD),
    ("I", "Hybrid replicas", c.NUM0), ("J", "Hybrid USD", c.USD),
    ("K", "API cumulative", c.USD0), ("L", "Self-host cumulative", c.USD0),
    ("M", "Hybrid cumulative", c.USD0), ("N", "Savings (API − self-host)", c.USD),
    ("O", "Cumulative savings", c.USD0), ("P", "Paid back (month or 99999)", c.NUM0),
)


def _projection_sheet(ws: Any) -> None:
    c.title(ws, "Projection", f"Month by month over {HORIZON} months (engine.tco_projection): "
            "growth compounds monthly; one-off costs fall in month 1; the hybrid pays them too "
            "when its share is above 0.")
    ws["A3"] = "Savings = API − self-hosting; payback = first month whose cumulative savings ≥ 0."
    c.header(ws, FIRST - 1, [h for _, h, _ in PROJECTION_COLUMNS])
    s = "in_hybrid_share"
    for i in range(HORIZON):
        r = FIRST + i
        f = {
            "A": i + 1,
            "B": f"=in_requests_per_day*POWER(1+in_monthly_growth,A{r}-1)",
            "C": f"=B{r}*m_tokens_per_request",
            "D": f"=B{r}*{DPM}*m_api_per_request",
            "E": "=" + _replicas(f"B{r}"),
            "F": f"=E{r}*m_gpus_per_replica",
            "G": f"=F{r}*m_gpu_usd_per_month",
            "H": f"=G{r}+m_fixed+IF(A{r}=1,m_one_off,0)",
            "I": "=" + _replicas(f"B{r}*{s}"),
            "J": (f"=B{r}*(1-{s})*{DPM}*m_api_per_request+IF({s}>0,I{r}*m_gpus_per_replica"
                  f"*m_gpu_usd_per_month+m_fixed+IF(A{r}=1,m_one_off,0),0)"),
            "K": f"=D{r}" if i == 0 else f"=K{r - 1}+D{r}",
            "L": f"=H{r}" if i == 0 else f"=L{r - 1}+H{r}",
            "M": f"=J{r}" if i == 0 else f"=M{r - 1}+J{r}",
            "N": f"=D{r}-H{r}",
            "O": f"=N{r}" if i == 0 else f"=O{r - 1}+N{r}",
            "P": f"=IF(O{r}>=0,A{r},99999)",
        }
        for col, _, fmt in PROJECTION_COLUMNS:
            ws[f"{col}{r}"] = f[col]
            ws[f"{col}{r}"].number_format = fmt
    for col, _, _ in PROJECTION_COLUMNS:
        ws.column_dimensions[col].width = 15
    ws.freeze_panes = f"B{FIRST}"


VOLUMES = (1e6, 2e6, 5e6, 10e6, 20e6, 50e6, 100e6, 200e6, 500e6, 1e9)
V_FIRST = 6


def _volume_sheet(ws: Any) -> None:
    c.title(ws, "Volume", "Monthly run-rate (no growth, no one-offs) against tokens/day at "
            "the Inputs' request shape: the API is a straight line, self-hosting a step per "
            "replica. Change the tokens/day column freely.")
    c.header(ws, V_FIRST - 1, ["Tokens/day", "Requests/day", "API USD/month", "Replicas",
                               "Self-host USD/month"])
    for i, v in enumerate(VOLUMES):
        r = V_FIRST + i
        ws[f"A{r}"] = v
        ws[f"B{r}"] = f"=A{r}/m_tokens_per_request"
        ws[f"C{r}"] = f"=B{r}*{DPM}*m_api_per_request"
        ws[f"D{r}"] = "=" + _replicas(f"B{r}")
        ws[f"E{r}"] = f"=D{r}*m_replica_usd_per_month+m_fixed"
        for col, fmt in zip("ABCDE", (c.NUM0, c.NUM0, c.USD0, c.NUM0, c.USD0), strict=True):
            ws[f"{col}{r}"].number_format = fmt
    last = V_FIRST + len(VOLUMES) - 1
    ws[f"A{last + 2}"] = "Breakeven (whole GPUs)"
    ws[f"B{last + 2}"] = "=out_breakeven_tokens_per_day"
    ws[f"C{last + 2}"] = ('=IF(ISNUMBER(B{0}),B{0}/m_tokens_per_request*{1}*m_api_per_request,'
                          '"never")').format(last + 2, DPM)
    ws[f"B{last + 2}"].number_format = c.NUM0
    ws[f"C{last + 2}"].number_format = c.USD0
    for col in "ABCDE":
        ws.column_dimensions[col].width = 20


def _summary_sheet(wb: Workbook, ws: Any, with_udfs: bool) -> None:
    c.title(ws, "Summary", f"API vs self-hosting vs hybrid — month 1 run-rate and {HORIZON}-month "
            "TCO. Green cells are named outputs (out_*).")
    c.header(ws, 3, ["Result", "Value", "Unit", "Name"])
    pj = "Projection"
    outs = [
        ("out_tokens_per_day", "Tokens per day (month 1)", f"={pj}!C{FIRST}", "tokens/day",
         c.NUM0),
        ("out_api_monthly", "API cost, month 1", f"={pj}!D{FIRST}", "USD/month", c.USD),
        ("out_gpus", "GPUs, month 1", f"={pj}!F{FIRST}", "GPUs", c.NUM0),
        ("out_selfhost_monthly", "Self-hosting run-rate, month 1",
         f"={pj}!G{FIRST}+m_fixed", "USD/month", c.USD),
        ("out_hybrid_monthly", "Hybrid run-rate, month 1",
         f"={pj}!B{FIRST}*(1-in_hybrid_share)*{DPM}*m_api_per_request+IF(in_hybrid_share>0,"
         f"{pj}!I{FIRST}*m_replica_usd_per_month+m_fixed,0)", "USD/month", c.USD),
        ("out_one_off", "Self-hosting one-off costs", "=m_one_off", "USD", c.USD),
        ("out_api_total", f"API, {HORIZON}-month total", f"={pj}!K{LAST}", "USD", c.USD0),
        ("out_selfhost_total", f"Self-hosting, {HORIZON}-month total", f"={pj}!L{LAST}", "USD",
         c.USD0),
        ("out_hybrid_total", f"Hybrid, {HORIZON}-month total", f"={pj}!M{LAST}", "USD", c.USD0),
        ("out_savings_total", f"Savings of self-hosting, {HORIZON} months", f"={pj}!O{LAST}",
         "USD", c.USD0),
        ("out_npv_savings", "NPV of self-hosting savings",
         f"=NPV(POWER(1+in_discount_rate,1/12)-1,{pj}!N{FIRST}:N{LAST})", "USD", c.USD0),
        ("out_payback_month", "Payback month",
         f'=IF(MIN({pj}!P{FIRST}:P{LAST})>{HORIZON},"never",MIN({pj}!P{FIRST}:P{LAST}))',
         "month", c.NUM0),
        ("out_breakeven_tokens_per_day", "Breakeven volume, whole GPUs",
         '=IF(ISNUMBER(m_breakeven_rpd),m_breakeven_rpd*m_tokens_per_request,"never")',
         "tokens/day", c.NUM0),
        ("out_breakeven_continuous_tokens_per_day", "Breakeven volume, continuous",
         '=IF(ISNUMBER(m_breakeven_continuous_rpd),m_breakeven_continuous_rpd'
         '*m_tokens_per_request,"never")', "tokens/day", c.NUM0),
    ]
    r = 4
    for name, label, formula, unit, fmt in outs:
        ws.cell(row=r, column=1, value=label)
        cell = ws.cell(row=r, column=2, value=formula)
        cell.number_format, cell.fill = fmt, c.OUTPUT_FILL
        ws.cell(row=r, column=3, value=unit)
        ws.cell(row=r, column=4, value=name)
        c.define(wb, name, c.absref(ws.title, "B", r))
        r += 1
    bd = r + 2
    ws.cell(row=bd - 1, column=1, value="Self-hosting TCO breakdown").font = c.BOLD
    c.header(ws, bd, ["Component", "Month 1 (USD/month)", f"{HORIZON}-month total (USD)"])
    parts = [
        ("Compute (GPUs)", f"={pj}!G{FIRST}", f"=SUM({pj}!G{FIRST}:G{LAST})"),
        ("People (ML engineers + SRE)", "=m_people", f"=m_people*{HORIZON}"),
        ("Operations and risk (tooling + downtime)", "=m_tooling+m_risk",
         f"=(m_tooling+m_risk)*{HORIZON}"),
        ("Compliance and audit", "=m_compliance", f"=m_compliance*{HORIZON}"),
        ("Fine-tuning and data", "=m_ft_monthly", f"=m_ft_monthly*{HORIZON}+m_ft_one_off"),
        ("Set-up engineering (one-off)", "=0", "=in_setup_usd"),
        ("Time-to-market loss (one-off)", "=0", "=m_time_to_market"),
    ]
    for i, (label, month1, total) in enumerate(parts):
        ws.cell(row=bd + 1 + i, column=1, value=label)
        ws.cell(row=bd + 1 + i, column=2, value=month1).number_format = c.USD
        ws.cell(row=bd + 1 + i, column=3, value=total).number_format = c.USD0
    tot = bd + 1 + len(parts)
    ws.cell(row=tot, column=1, value="Total").font = c.BOLD
    ws.cell(row=tot, column=2, value=f"=SUM(B{bd + 1}:B{tot - 1})").number_format = c.USD
    ws.cell(row=tot, column=3, value=f"=SUM(C{bd + 1}:C{tot - 1})").number_format = c.USD0
    c.define(wb, "out_breakdown_total", c.absref(ws.title, "C", tot))

    # The on-premise purchase view, beside the amortised TCO above (below the add-in checks).
    op = tot + 8
    ws.cell(row=op - 1, column=1, value="On-premise purchase view: GPUs bought once, paying "
            "only electricity, against the API bill for the tokens they produce (Model sheet)"
            ).font = c.BOLD
    c.header(ws, op, ["Result", "Value", "Unit", "Name"])
    onprem = [
        ("out_onprem_capex", "Hardware bought once", "=m_onprem_capex", "USD", c.USD0),
        ("out_onprem_electricity_monthly", "Electricity", "=m_onprem_electricity",
         "USD/month", c.USD),
        ("out_onprem_api_equivalent_monthly", "API bill for the same tokens", "=m_onprem_api",
         "USD/month", c.USD),
        ("out_onprem_breakeven_months", "Months to break even", "=m_onprem_months", "months",
         c.NUM),
    ]
    for i, (name, label, formula, unit, fmt) in enumerate(onprem):
        rr = op + 1 + i
        ws.cell(row=rr, column=1, value=label)
        cell = ws.cell(row=rr, column=2, value=formula)
        cell.number_format, cell.fill = fmt, c.OUTPUT_FILL
        ws.cell(row=rr, column=3, value=unit)
        ws.cell(row=rr, column=4, value=name)
        c.define(wb, name, c.absref(ws.title, "B", rr))
    ws.cell(row=op + 1 + len(onprem), column=1, value="Assumptions: the Inputs' GPUs bought, "
            "operating hours and busy share; electricity = GPUs × W × hours × PUE × USD/kWh; "
            "the requests they serve priced at the API model's rates. No people, hosting or "
            "depreciation life here: those are in the TCO above.")

    if with_udfs:
        x = tot + 3
        ws.cell(row=x - 1, column=1, value="Add-in cross-check (needs the llm-tco add-in; "
                "uses the add-in's live catalog)").font = c.BOLD
        c.header(ws, x, ["Figure", "Add-in", "Native", "Difference"])
        checks = [
            ("API cost, month 1", "=LLM_API_MONTHLY(in_api_model,in_requests_per_day,"
             "in_input_tokens_per_request,in_output_tokens_per_request,in_cached_input_share,"
             "in_batch_share)", "=out_api_monthly"),
            ("GPUs, month 1", "=SELFHOST_GPUS(in_open_model,in_gpu,in_requests_per_day,"
             "in_input_tokens_per_request,in_output_tokens_per_request,in_precision,"
             "in_peak_to_average,in_target_utilisation,in_min_replicas,"
             "in_measured_output_tokens_per_s)", "=out_gpus"),
        ]
        for i, (label, udf, native) in enumerate(checks):
            rr = x + 1 + i
            ws.cell(row=rr, column=1, value=label)
            ws.cell(row=rr, column=2, value=udf)
            ws.cell(row=rr, column=3, value=native)
            ws.cell(row=rr, column=4, value=f"=B{rr}-C{rr}")
            c.define(wb, ["xcheck_api_monthly", "xcheck_gpus"][i], c.absref(ws.title, "B", rr))
    c.widths(ws, A=44, B=20, C=22, D=40)

    # Charts: monthly cost, cumulative cost, cost vs volume, breakdown.
    proj = wb["Projection"]
    months = Reference(proj, min_col=1, min_row=FIRST, max_row=LAST)
    for anchor, cols, title_, ytitle in (
        ("F3", (4, 8, 10), "Monthly cost", "USD/month"),
        ("F20", (11, 12, 13), "Cumulative cost", "USD"),
    ):
        ch = LineChart()
        ch.title, ch.y_axis.title, ch.x_axis.title = title_, ytitle, "Month"
        ch.height, ch.width = 8, 16
        for col in cols:
            ch.add_data(Reference(proj, min_col=col, min_row=FIRST - 1, max_row=LAST),
                        titles_from_data=True)
        ch.set_categories(months)
        ws.add_chart(c.show_axes(ch), anchor)
    vol = wb["Volume"]
    vlast = V_FIRST + len(VOLUMES) - 1
    sc = ScatterChart()
    sc.title, sc.x_axis.title, sc.y_axis.title = "Cost vs volume", "Tokens/day", "USD/month"
    sc.height, sc.width = 8, 16
    sc.x_axis.scaling.logBase = 10
    xs = Reference(vol, min_col=1, min_row=V_FIRST, max_row=vlast)
    for col, name in ((3, "API"), (5, "Self-host")):
        s = Series(Reference(vol, min_col=col, min_row=V_FIRST, max_row=vlast), xs, title=name)
        sc.series.append(s)
    be = Series(Reference(vol, min_col=3, min_row=vlast + 2), Reference(vol, min_col=2,
                min_row=vlast + 2), title="Breakeven")
    be.marker.symbol = "diamond"
    be.marker.size = 10
    be.graphicalProperties.line.noFill = True
    sc.series.append(be)
    ws.add_chart(c.show_axes(sc), "F37")
    bar = BarChart()
    bar.type, bar.title = "bar", f"Self-hosting {HORIZON}-month TCO breakdown"
    bar.height, bar.width = 8, 16
    bar.add_data(Reference(ws, min_col=3, min_row=bd, max_row=tot - 1), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=bd + 1, max_row=tot - 1))
    ws.add_chart(c.show_axes(bar), "F54")
    sav = LineChart()
    sav.title, sav.y_axis.title, sav.x_axis.title = ("Cumulative savings of self-hosting "
                                                     "(API − self-host)", "USD", "Month")
    sav.height, sav.width = 8, 16
    sav.add_data(Reference(proj, min_col=15, min_row=FIRST - 1, max_row=LAST),
                 titles_from_data=True)
    sav.set_categories(months)
    ws.add_chart(c.show_axes(sav), "F71")


README = [
    "What this is: the total cost of ownership of an LLM workload three ways — pay an API per "
    "token, self-host a (fine-tuned) open model on rented or bought GPUs, or route part of the "
    f"traffic in-house (hybrid) — month by month over {HORIZON} months with growth.",
    "How to use it: change the yellow cells on the Inputs sheet (dropdowns for the API model, "
    "open model, GPU, precision and rent/buy). Everything recalculates with plain Excel "
    "formulas: no add-in and no macros needed (Excel, LibreOffice, Google Sheets).",
    "Results: the Summary sheet (green cells, named out_*): month-1 costs, GPUs, "
    f"{HORIZON}-month totals, NPV of the savings, payback month, and the breakeven volume in "
    "tokens/day — with whole GPUs (self-hosting is a step per replica) and continuous.",
    "Audit trail: the Model sheet shows every intermediate figure with its formula in words "
    "(API rate with cache, batch and long-context tier; the roofline throughput by "
    "tensor-parallel degree; GPU, people, operations and fine-tuning costs; breakeven). "
    "Projection has one row per month. Prices holds the dated API price snapshot; Catalog "
    "the GPU and open-model tables with sources, and yellow rows where you add a GPU or model "
    "of your own (then pick it on Inputs: the formulas use it).",
    "On-premise purchase view (Summary, below the TCO): the GPUs bought once, paying only "
    "electricity (W × operating hours × PUE × USD/kWh), against what the API would bill for "
    "the tokens they produce; months to break even. People, hosting and depreciation are in "
    "the TCO beside it, not here.",
    "Scenarios: the seed article's cases (a 5M tokens/day chatbot, a finance company on "
    "A100s, tens of millions of tokens/day, long-context RAG with caching, batch back-office). "
    "Build one with `llm-tco template api-vs-selfhost -o book.xlsx --scenario NAME`.",
    "Conventions: a month is 365/12 days and 730 hours; one-off costs (set-up, time-to-market "
    "loss, first fine-tuning run and its data) fall in month 1; NPV uses Excel's NPV with the "
    "monthly rate (1 + annual)^(1/12) − 1; 'never' means the option never pays back or breaks "
    "even.",
    "Checked: the formulas reproduce the llm-tco engine to 1e-9 (tests/templates/"
    "test_golden.py) and recalculate without errors in LibreOffice.",
]


def build(wb: Workbook, inputs: Mapping[str, Any] | None = None, scenario: str | None = None,
          with_udfs: bool = False) -> Workbook:
    values = resolve_inputs(inputs, scenario)
    engine_inputs(values)  # infeasible inputs (model does not fit) fail here, named
    e.serving_plan(e.Workload(1.0, values["input_tokens_per_request"],
                              values["output_tokens_per_request"]),
                   values["open_model"], values["gpu"], values["precision"])
    readme = wb.active
    readme.title = "README"
    names = ["Inputs", "Summary", "Projection", "Model", "Volume", "Scenarios", "Prices",
             "Catalog"]
    sheets = {n: wb.create_sheet(n) for n in names}
    c.write_catalog(wb, sheets["Catalog"])
    c.write_prices(wb, sheets["Prices"], c.api_models_for(values["api_model"]))
    c.write_inputs(wb, sheets["Inputs"], INPUTS, values)
    model_sheet(wb, sheets["Model"])
    _projection_sheet(sheets["Projection"])
    _volume_sheet(sheets["Volume"])
    _summary_sheet(wb, sheets["Summary"], with_udfs)
    c.write_scenarios(sheets["Scenarios"], INPUTS, SCENARIOS, SCENARIO_NOTES)
    c.write_readme(readme, "LLM TCO: API vs self-hosting vs hybrid", README)
    wb.active = 1
    return wb
