"""The functions of the catalog: argument docs and thin calls into the engine.

Defaults are the engine's (``engine.Workload``, ``engine.SelfHost``, ``engine.Operations``,
``engine.FineTune``); each doc says the unit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

import engine as e
from udfs.catalog import Arg, ExcelFunction, call, define, why
from udfs.excel_errors import NA, NUM


def _f(x: Any) -> float:
    """A scalar engine default as a float (the dataclasses allow arrays too)."""
    return float(x)


def _n(x: Any) -> Any:
    """An engine result as a float, or as a float array when the arguments were arrays (the
    catalog calls an implementation once over a whole range)."""
    a = np.asarray(x, dtype=np.float64)
    return float(a) if a.ndim == 0 else a


_OPS = e.Operations()
_FT = e.FineTune()
_SH = e.SelfHost()

PRICE_FIELDS = {
    "input": "input_usd_per_million_tokens",
    "cached_input": "cached_input_usd_per_million_tokens",
    "cache_write": "cache_write_usd_per_million_tokens",
    "output": "output_usd_per_million_tokens",
    "batch_input": "batch_input_usd_per_million_tokens",
    "batch_cached_input": "batch_cached_input_usd_per_million_tokens",
    "batch_output": "batch_output_usd_per_million_tokens",
    "long_context_threshold": "long_context_threshold_tokens",
    "long_input": "long_input_usd_per_million_tokens",
    "long_cached_input": "long_cached_input_usd_per_million_tokens",
    "long_output": "long_output_usd_per_million_tokens",
    "context_window": "context_window_tokens",
    "provider": "provider",
    "model": "model",
    "catalog_version": "catalog_version",
    "catalog_date": "catalog_date",
    "source": "source",
}
GPU_FIELDS = ("memory_gb", "bandwidth_gb_per_s", "bf16_tflops", "fp8_tflops", "fp4_tflops",
              "int8_tops", "scaleup_gpus", "network_gb_per_s", "software_efficiency",
              "power_w", "rent_usd_per_hour", "purchase_usd", "as_of", "spec_source",
              "price_source")
PRECISIONS = tuple(e.catalogs.BYTES_PER_PARAM)
MODES = ("rent", "buy")
OPTIONS = ("api", "selfhost", "hybrid")
FT_RESULTS = ("one_off", "monthly", "gpu_hours", "compute_per_run")

# Arguments shared by many functions (one doc each).
A_API = Arg("api_model", "API model priced from the catalog, e.g. \"gpt-4o\"", "text",
            required=True)
A_OPEN = Arg("open_model", "Open model to self-host, e.g. \"Llama-3.1-8B\"", "text",
             required=True)
A_GPU = Arg("gpu", "GPU from the catalog, e.g. \"H100-SXM\"", "text", required=True)
A_RPD = Arg("requests_per_day", "Requests per day (average)", required=True, low=0)
A_IN = Arg("input_tokens_per_request", "Input (prompt) tokens per request", required=True,
           low=0)
A_OUT = Arg("output_tokens_per_request", "Output tokens per request", required=True, low=0,
            low_open=True)
A_PREC = Arg("precision", f"Weight precision, one of {', '.join(PRECISIONS)}; default "
             f"{_SH.precision}", "text", _SH.precision, choices=PRECISIONS)
A_MODE = Arg("mode", "\"rent\" (hourly) or \"buy\" (amortised); default rent", "text",
             _SH.mode, choices=MODES)
A_CACHED = Arg("cached_input_share", "Share of input tokens from the prompt cache, 0–1; "
               "default 0", default=0.0, low=0, high=1)
A_BATCH = Arg("batch_share", "Share of requests sent through the batch API, 0–1; default 0",
              default=0.0, low=0, high=1)
A_PEAK = Arg("peak_to_average", "Peak-hour rate ÷ average rate, ≥ 1; default 2", default=2.0,
             low=1)


def _workload(rpd: float, inp: float, out: float, cached: float = 0.0, batch: float = 0.0,
              peak: float = 2.0, growth: float = 0.0) -> e.Workload:
    return e.Workload(rpd, inp, out, cached, batch, growth, peak)


def _selfhost(open_model: str, gpu: str, precision: str, mode: str, **kw: Any) -> e.SelfHost:
    return e.SelfHost(model=open_model, gpu=gpu, precision=precision, mode=mode, **kw)


# --- prices and specs -------------------------------------------------------------------

def _llm_price(model: str, field: str | None, provider: str | None) -> Any:
    p = e.api_price(model, provider or None)

    def value(k: str) -> Any:
        v = getattr(p, PRICE_FIELDS[k])
        # No long-context tier is stored as an infinite threshold, an unpublished figure
        # (a context window) as NaN: say "none", not #NUM!.
        return "none" if isinstance(v, float) and not math.isfinite(v) else v

    if field is None:
        return [["field", "value"], *([k, value(k)] for k in PRICE_FIELDS)]
    v = value(field)
    if v == "none":
        return NA.because(f"{model} has no long-context tier" if field.startswith("long")
                          else f"field {field}: the catalog has no figure for {model}")
    return v


define(ExcelFunction(
    "LLM_PRICE", "API list price of a model (USD per 1M tokens) from the bundled catalog",
    (Arg("model", "API model, e.g. \"gpt-4o\"", "text", required=True),
     Arg("field", "Which price: " + ", ".join(PRICE_FIELDS) + "; blank spills them all",
         "text", None, choices=tuple(PRICE_FIELDS)),
     Arg("provider", "Provider id (openai, anthropic, google…); blank finds it", "text", None)),
    _llm_price, "USD per 1M tokens (or the field's own unit)",
    examples=('=LLM_PRICE("gpt-4o","output") → 10',),
    # _llm_price looks the name up before anything else: an unknown one is #N/A at once.
    unknown=lambda model, provider: e.certainly_unknown(model, provider),
))


def _gpu_spec(gpu: str, field: str | None) -> Any:
    g = e.gpu_spec(gpu)
    if field is None:
        return [["field", "value"],
                *([f, "none" if getattr(g, f) is None else getattr(g, f)] for f in GPU_FIELDS)]
    v = getattr(g, field)
    return NUM.because(f"field {field}: the catalog has no figure for {g.name}") if v is None \
        else v


define(ExcelFunction(
    "GPU_SPEC", "A GPU's specification or indicative price from the bundled catalog",
    (A_GPU, Arg("field", "Which figure: " + ", ".join(GPU_FIELDS) + "; blank spills them all",
                "text", None, choices=GPU_FIELDS)),
    _gpu_spec, "the field's unit (GB, GB/s, TFLOP/s, W, USD)",
    examples=('=GPU_SPEC("H100-SXM","bandwidth_gb_per_s") → 3350',),
))


def _gpu_hourly(gpu: str, mode: str, rent_usd_per_gpu_hour: float | None, life_years: float,
                pue: float, usd_per_kwh: float, hosting_usd_per_gpu_month: float) -> float:
    return _n(e.gpu_monthly_cost_usd(1.0, gpu, mode, rent_usd_per_gpu_hour, None, life_years,
                                     pue, usd_per_kwh, hosting_usd_per_gpu_month)
              ) / e.HOURS_PER_MONTH


define(ExcelFunction(
    "GPU_HOURLY", "Cost of one GPU per hour, rented or bought (amortised + power + hosting)",
    (A_GPU, A_MODE,
     Arg("rent_usd_per_gpu_hour", "Your hourly rent quote; blank uses the catalog's", default=None,
         low=0),
     Arg("life_years", "Depreciation life when bought, years; default 3", default=3.0, low=0,
         low_open=True),
     Arg("pue", "Data-centre power usage effectiveness, ≥ 1; default 1.3", default=1.3, low=1),
     Arg("usd_per_kwh", "Electricity price, USD per kWh; default 0.12", default=0.12, low=0),
     Arg("hosting_usd_per_gpu_month", "Rack, network and host share per GPU, USD per month; "
         "default 150", default=150.0, low=0)),
    _gpu_hourly, "USD per GPU-hour",
    examples=('=GPU_HOURLY("H100-SXM") → 2.99',),
))

# --- API cost ---------------------------------------------------------------------------

#: Your quoted API prices: they replace the catalog's before a discount applies.
_PRICE_ARGS = (
    Arg("input_usd_per_million", "Your quoted input price, USD per 1M tokens; blank uses the "
        "catalog's", default=None, low=0),
    Arg("output_usd_per_million", "Your quoted output price, USD per 1M tokens; blank uses "
        "the catalog's", default=None, low=0),
    Arg("discount", "Negotiated discount on every API price, 0–1 (0.2 = 20 % off); default 0",
        default=0.0, low=0, high=0.999999),
)


def _api(model: str, input_usd_per_million: Any = None, output_usd_per_million: Any = None,
         discount: Any = 0.0) -> Any:
    """The API prices with the caller's quote and discount (the model name when none)."""
    if input_usd_per_million is None and output_usd_per_million is None and not np.any(
            np.asarray(discount if discount is not None else 0.0)):
        return model
    from engine.prices import with_overrides

    return with_overrides(model, input_usd_per_million, output_usd_per_million, discount)


define(ExcelFunction(
    "LLM_API_COST", "US dollars an API bills for token counts",
    (Arg("model", "API model, e.g. \"gpt-4o\"", "text", required=True),
     Arg("input_tokens", "Input (prompt) tokens, cached ones included", required=True, low=0),
     Arg("output_tokens", "Output tokens", required=True, low=0),
     Arg("cached_input_tokens", "Part of input_tokens read from the prompt cache; default 0",
         default=0.0, low=0),
     Arg("batch", "TRUE to price at the batch API's rates; default FALSE", "bool", False),
     *_PRICE_ARGS),
    lambda model, input_tokens, output_tokens, cached_input_tokens, batch,
    input_usd_per_million, output_usd_per_million, discount: e.api_cost_usd(
        _api(model, input_usd_per_million, output_usd_per_million, discount), input_tokens,
        output_tokens, cached_input_tokens, batch),
    "USD",
    examples=('=LLM_API_COST("gpt-4o",112500000,37500000) → 656.25',),
))

define(ExcelFunction(
    "LLM_API_MONTHLY", "Monthly API bill for a workload (cache, batch and long-context applied)",
    (A_API, A_RPD, A_IN, A_OUT, A_CACHED, A_BATCH,
     Arg("days_per_month", "Days in a month; default 365/12 = 30.42", default=e.DAYS_PER_MONTH,
         low=0, low_open=True),
     *_PRICE_ARGS),
    lambda api_model, requests_per_day, input_tokens_per_request, output_tokens_per_request,
    cached_input_share, batch_share, days_per_month, input_usd_per_million,
    output_usd_per_million, discount: e.api_monthly_cost_usd(
        _api(api_model, input_usd_per_million, output_usd_per_million, discount),
        _workload(requests_per_day, input_tokens_per_request, output_tokens_per_request,
                  cached_input_share, batch_share),
        days_per_month),
    "USD per month",
    examples=('=LLM_API_MONTHLY("gpt-4o",2500,1500,500,0,0,30) → 656.25',),
))

# --- self-hosting -----------------------------------------------------------------------

define(ExcelFunction(
    "SELFHOST_THROUGHPUT", "Output tokens per second one replica sustains (roofline, calibrated)",
    (Arg("open_model", A_OPEN.doc, "text", required=True), A_GPU,
     Arg("input_tokens", "Input tokens per request; default 1000", default=1000.0, low=0),
     Arg("output_tokens", "Output tokens per request; default 1000", default=1000.0, low=0,
         low_open=True),
     A_PREC,
     Arg("gpus_per_replica", "GPUs per replica (tensor/expert parallel); blank picks the best "
         "of 1, 2, 4 … 128 (beyond the GPU's NVLink domain: several nodes)", default=None,
         low=1),
     Arg("internode_gb_per_s", "Scale-out network per GPU between nodes, GB/s; blank uses the "
         "GPU catalog's (50 = one 400 Gb/s NIC per GPU)", default=None, low=0, low_open=True)),
    lambda open_model, gpu, input_tokens, output_tokens, precision, gpus_per_replica,
    internode_gb_per_s: e.throughput(open_model, gpu, input_tokens, output_tokens, precision,
                                     gpus_per_replica,
                                     internode_gb_per_s=internode_gb_per_s).output_tokens_per_s,
    "output tokens per second per replica",
    examples=('=SELFHOST_THROUGHPUT("Llama-3.1-8B","H100-SXM",1000,1000,"fp8") → ≈13,700',),
))

_CAPACITY_ARGS = (
    A_PEAK,
    Arg("target_utilisation", "Share of a replica's throughput planned for, 0–1; default 0.7",
        default=0.7, low=0, low_open=True, high=1),
    Arg("min_replicas", "Fewest replicas, for availability; default 2", default=2.0, low=0),
    Arg("measured_output_tokens_per_s", "Your measured output tokens/s per replica; blank "
        "uses the roofline", default=None, low=0, low_open=True),
)


def _gpus(open_model: str, gpu: str, requests_per_day: float, input_tokens_per_request: float,
          output_tokens_per_request: float, precision: str, peak_to_average: float,
          target_utilisation: float, min_replicas: float,
          measured_output_tokens_per_s: float | None) -> float:
    w = _workload(requests_per_day, input_tokens_per_request, output_tokens_per_request,
                  peak=peak_to_average)
    return _n(e.serving_plan(w, open_model, gpu, precision, target_utilisation, min_replicas,
                                measured_output_tokens_per_s).gpus)


define(ExcelFunction(
    "SELFHOST_GPUS", "GPUs needed to serve a workload's peak at a target utilisation",
    (A_OPEN, A_GPU, A_RPD, A_IN, A_OUT, A_PREC, *_CAPACITY_ARGS),
    _gpus, "GPUs",
    examples=('=SELFHOST_GPUS("Llama-3.1-8B","H100-SXM",10000,1500,500) → 2',),
))

_COST_ARGS = (
    Arg("rent_usd_per_gpu_hour", "Your hourly rent quote; blank uses the catalog's",
        default=None, low=0),
    Arg("people_fte", "ML engineers + SRE dedicated, FTE; default "
        f"{_f(_OPS.ml_engineer_fte) + _f(_OPS.sre_fte):g}",
        default=_f(_OPS.ml_engineer_fte) + _f(_OPS.sre_fte), low=0),
    Arg("loaded_usd_per_fte_month", "Loaded cost of one FTE, USD per month; default "
        f"{_f(_OPS.loaded_usd_per_fte_month):,.0f}",
        default=_f(_OPS.loaded_usd_per_fte_month), low=0),
    Arg("operations_usd_per_month", "Tooling + compliance + expected downtime, USD per month; "
        f"default {_f(_OPS.monthly_usd) - _f(_OPS.people_usd_per_month):,.0f}",
        default=_f(_OPS.monthly_usd) - _f(_OPS.people_usd_per_month), low=0),
    Arg("finetune", "TRUE to include the default fine-tuning programme's retraining "
        "(LoRA, 4 runs a year); default TRUE", "bool", True),
)


def _option(open_model: str, gpu: str, precision: str, mode: str, rent: float | None,
            people_fte: float, loaded: float, ops: float, finetune: bool,
            **kw: Any) -> e.SelfHost:
    operations = dataclasses.replace(
        _OPS, ml_engineer_fte=people_fte, sre_fte=0.0, loaded_usd_per_fte_month=loaded,
        mlops_tooling_usd_per_month=ops, compliance_usd_per_month=0.0,
        downtime_hours_per_month=0.0)
    return _selfhost(open_model, gpu, precision, mode, rent_usd_per_gpu_hour=rent,
                     operations=operations, finetune=_FT if finetune else None, **kw)


def _selfhost_monthly(open_model: str, gpu: str, requests_per_day: float,
                      input_tokens_per_request: float, output_tokens_per_request: float,
                      precision: str, mode: str, rent_usd_per_gpu_hour: float | None,
                      people_fte: float, loaded_usd_per_fte_month: float,
                      operations_usd_per_month: float, finetune: bool,
                      peak_to_average: float, purchase_usd_per_gpu: float | None = None,
                      measured_output_tokens_per_s: float | None = None) -> float:
    o = _option(open_model, gpu, precision, mode, rent_usd_per_gpu_hour, people_fte,
                loaded_usd_per_fte_month, operations_usd_per_month, finetune,
                purchase_usd_per_gpu=purchase_usd_per_gpu,
                measured_output_tokens_per_s=measured_output_tokens_per_s)
    w = _workload(requests_per_day, input_tokens_per_request, output_tokens_per_request,
                  peak=peak_to_average)
    return _n(e.selfhost_monthly_cost(w, o).total_usd)


define(ExcelFunction(
    "SELFHOST_MONTHLY_COST", "Monthly cost to self-host a workload: GPUs + people + operations "
    "+ retraining",
    (A_OPEN, A_GPU, A_RPD, A_IN, A_OUT, A_PREC, A_MODE, *_COST_ARGS, A_PEAK,
     Arg("purchase_usd_per_gpu", "Your purchase quote per GPU (buy mode), USD; blank uses the "
         "catalog's", default=None, low=0),
     Arg("measured_output_tokens_per_s", "Your measured output tokens/s per replica; blank "
         "uses the roofline", default=None, low=0, low_open=True)),
    _selfhost_monthly, "USD per month",
    examples=('=SELFHOST_MONTHLY_COST("Llama-3.1-8B","H100-SXM",10000,1500,500) → ≈19,700',),
))

# --- fine-tuning ------------------------------------------------------------------------


def _finetune(open_model: str, training_tokens: float, epochs: float, method: str, gpu: str,
              mfu: float, examples: float, usd_per_example: float, eval_usd_per_run: float,
              retrains_per_year: float, refresh_share: float, result: str) -> float:
    plan = e.FineTune(method, training_tokens, epochs, gpu, mfu, None, examples,
                      usd_per_example, eval_usd_per_run, retrains_per_year, refresh_share)
    c = e.finetune_cost(open_model, plan)
    return _n({"one_off": c.one_off_usd, "monthly": c.monthly_usd,
                  "gpu_hours": c.gpu_hours_per_run,
                  "compute_per_run": c.compute_usd_per_run}[result])


define(ExcelFunction(
    "FINETUNE_COST", "Fine-tuning cost: first run with its data (one-off), or retraining per "
    "month",
    (A_OPEN,
     Arg("training_tokens", "Tokens in the training set, per epoch", required=True, low=0),
     Arg("epochs", f"Passes over the data per run; default {_f(_FT.epochs):g}",
         default=_f(_FT.epochs), low=0),
     Arg("method", "full, lora or qlora; default lora", "text", _FT.method,
         choices=tuple(e.FLOPS_PER_PARAM_TOKEN)),
     Arg("gpu", f"GPU it trains on (rented); default {_FT.gpu}", "text", _FT.gpu),
     Arg("mfu", f"Model FLOPs utilisation, 0–1; default {_f(_FT.mfu):g}",
         default=_f(_FT.mfu), low=0, low_open=True, high=1),
     Arg("examples", f"Labelled examples; default {_f(_FT.examples):,.0f}",
         default=_f(_FT.examples), low=0),
     Arg("usd_per_example", f"Cost to collect and label one example, USD; default "
         f"{_f(_FT.usd_per_example):g}", default=_f(_FT.usd_per_example), low=0),
     Arg("eval_usd_per_run", f"Evaluation per run, USD; default "
         f"{_f(_FT.eval_usd_per_run):,.0f}", default=_f(_FT.eval_usd_per_run), low=0),
     Arg("retrains_per_year", f"Retraining runs per year; default "
         f"{_f(_FT.retrains_per_year):g}", default=_f(_FT.retrains_per_year), low=0),
     Arg("refresh_share", f"Share of examples relabelled per retraining, 0–1; default "
         f"{_f(_FT.refresh_share):g}", default=_f(_FT.refresh_share), low=0, high=1),
     Arg("result", "one_off (USD), monthly (USD/month), gpu_hours or compute_per_run (USD); "
         "default one_off", "text", "one_off", choices=FT_RESULTS)),
    _finetune, "USD (one-off), USD per month, or GPU-hours",
    examples=('=FINETUNE_COST("Mistral-7B",100000000,1,"full","A100-80GB",0.35,0,0,0,0,0,'
              '"gpu_hours") → 11.05',),
))

# --- TCO, breakeven, hybrid --------------------------------------------------------------

_TCO_TAIL = (
    Arg("monthly_growth", "Traffic growth per month (0.05 = 5%); default 0", default=0.0,
        low=-1, low_open=True),
    Arg("hybrid_share", "Share of requests the hybrid sends in-house, 0–1; default 0.5",
        default=0.5, low=0, high=1),
    A_PREC, A_MODE,
)


def _tco(api_model: str, open_model: str, gpu: str, rpd: float, inp: float, out: float,
         horizon: int, growth: float, share: float, precision: str, mode: str,
         discount: float = 0.1) -> e.TcoTable:
    w = _workload(rpd, inp, out, growth=growth)
    with _growth_overflow(growth):
        return e.tco_projection(api_model, w, _selfhost(open_model, gpu, precision, mode),
                                horizon_months=horizon, hybrid_share=share,
                                discount_rate=discount)


@contextlib.contextmanager
def _growth_overflow(growth: Any) -> Iterator[None]:
    """A volume that becomes infinite only in a later month: blame the growth, not the
    (finite) requests_per_day the user typed."""
    try:
        yield
    except e.InputError as exc:
        if exc.argument in ("requests_per_day", "gpus") and np.any(np.asarray(growth) > 0):
            raise e.InputError("monthly_growth", "grows requests_per_day beyond Excel's "
                               "largest number (1.8e308) within the horizon", growth) from None
        raise


def _tco_monthly(api_model: str, open_model: str, gpu: str, requests_per_day: float,
                 input_tokens_per_request: float, output_tokens_per_request: float,
                 month: float, option: str, monthly_growth: float, hybrid_share: float,
                 precision: str, mode: str) -> float:
    if not np.all(np.mod(month, 1.0) == 0):
        raise e.InputError("month", "must be a whole month number", month,
                           where=np.mod(month, 1.0) != 0)
    w = _workload(requests_per_day, input_tokens_per_request, output_tokens_per_request,
                  growth=monthly_growth)
    with _growth_overflow(monthly_growth):
        t = e.tco_month(api_model, w, _selfhost(open_model, gpu, precision, mode), month,
                        hybrid_share)
    return _n(t[f"{option}_usd"])


define(ExcelFunction(
    "TCO_MONTHLY", "Cost of one option in a given month of the projection (one-offs in month 1)",
    (A_API, A_OPEN, A_GPU, A_RPD, A_IN, A_OUT,
     Arg("month", "Month number, 1 = first", required=True, low=1, high=600),
     Arg("option", "api, selfhost or hybrid; default selfhost", "text", "selfhost",
         choices=OPTIONS),
     *_TCO_TAIL),
    _tco_monthly, "USD in that month",
))


def _tco_table(api_model: str, open_model: str, gpu: str, requests_per_day: float,
               input_tokens_per_request: float, output_tokens_per_request: float,
               horizon_months: float, monthly_growth: float, hybrid_share: float,
               precision: str, mode: str, discount_rate: float) -> list[list[Any]]:
    if not float(horizon_months).is_integer():
        raise e.InputError("horizon_months", "must be a whole number of months", horizon_months)
    t = _tco(api_model, open_model, gpu, requests_per_day, input_tokens_per_request,
             output_tokens_per_request, int(horizon_months), monthly_growth, hybrid_share,
             precision, mode, discount_rate)
    return [list(e.TCO_COLUMNS), *t.rows()]


define(ExcelFunction(
    "TCO_TABLE", "Monthly TCO table (spills, with a header row): API, self-host, hybrid, "
    "cumulative, savings",
    (A_API, A_OPEN, A_GPU, A_RPD, A_IN, A_OUT,
     Arg("horizon_months", "Months to project, 1–600; default 36", default=36.0, low=1,
         high=600),
     *_TCO_TAIL,
     Arg("discount_rate", "Annual discount rate for NPV; default 0.10", default=0.1, low=-1,
         low_open=True)),
    _tco_table, "a table: one row per month, columns " + ", ".join(e.TCO_COLUMNS), spills=True,
))


def _breakeven(api_model: str, open_model: str, gpu: str, input_tokens_per_request: float,
               output_tokens_per_request: float, continuous: bool, precision: str, mode: str,
               cached_input_share: float, batch_share: float, peak_to_average: float,
               input_usd_per_million: float | None = None,
               output_usd_per_million: float | None = None, discount: float = 0.0,
               rent_usd_per_gpu_hour: float | None = None,
               purchase_usd_per_gpu: float | None = None,
               measured_output_tokens_per_s: float | None = None) -> float:
    w = _workload(1.0, input_tokens_per_request, output_tokens_per_request, cached_input_share,
                  batch_share, peak_to_average)
    o = _selfhost(open_model, gpu, precision, mode, rent_usd_per_gpu_hour=rent_usd_per_gpu_hour,
                  purchase_usd_per_gpu=purchase_usd_per_gpu,
                  measured_output_tokens_per_s=measured_output_tokens_per_s)
    b = e.breakeven_volume(_api(api_model, input_usd_per_million, output_usd_per_million,
                                discount), w, o)
    return _n(b.continuous_tokens_per_day if continuous else b.first_tokens_per_day)


define(ExcelFunction(
    "BREAKEVEN_TOKENS", "Tokens/day from which self-hosting costs no more than the API "
    "(#NUM! if never)",
    (A_API, A_OPEN, A_GPU, A_IN, A_OUT,
     Arg("continuous", "TRUE for the straight-line figure (fractional GPUs); default FALSE: "
         "the first volume that wins with whole GPUs", "bool", False),
     A_PREC, A_MODE, A_CACHED, A_BATCH, A_PEAK, *_PRICE_ARGS,
     Arg("rent_usd_per_gpu_hour", "Your hourly rent quote; blank uses the catalog's",
         default=None, low=0),
     Arg("purchase_usd_per_gpu", "Your purchase quote per GPU (buy mode), USD; blank uses the "
         "catalog's", default=None, low=0),
     Arg("measured_output_tokens_per_s", "Your measured output tokens/s per replica; blank "
         "uses the roofline", default=None, low=0, low_open=True)),
    _breakeven, "tokens per day (input + output)",
    infinite="never breaks even: at this request shape (input_tokens_per_request, "
    "output_tokens_per_request) one more replica costs more than the api_model traffic it "
    "takes over, at any volume",
))

ONPREM_RESULTS = ("breakeven_months", "capex", "electricity_monthly", "api_equivalent_monthly",
                  "net_saving_monthly", "tokens_monthly")


def _onprem(api_model: str, open_model: str, gpu: str, gpus: float,
            input_tokens_per_request: float, output_tokens_per_request: float, precision: str,
            result: str, purchase_usd_per_gpu: float | None, hours_per_month: float,
            usd_per_kwh: float, utilisation: float, pue: float,
            input_usd_per_million: float | None, output_usd_per_million: float | None,
            discount: float, measured_output_tokens_per_s: float | None) -> Any:
    from engine.onprem import onprem_purchase

    p = onprem_purchase(_api(api_model, input_usd_per_million, output_usd_per_million, discount),
                        open_model, gpu, gpus, input_tokens_per_request,
                        output_tokens_per_request, precision, purchase_usd_per_gpu,
                        hours_per_month, usd_per_kwh, utilisation, pue, 0.0,
                        measured_output_tokens_per_s)
    return _n({"breakeven_months": p.breakeven_months, "capex": p.capex_usd,
               "electricity_monthly": p.electricity_usd_per_month,
               "api_equivalent_monthly": p.api_equivalent_usd_per_month,
               "net_saving_monthly": p.net_saving_usd_per_month,
               "tokens_monthly": p.tokens_per_month}[result])


define(ExcelFunction(
    "ONPREM_PURCHASE", "On-premise purchase view: GPUs bought once against the API bill for the "
    "tokens they produce (months to break even)",
    (A_API, A_OPEN, A_GPU,
     Arg("gpus", "GPUs bought; default 8", default=8.0, low=1),
     Arg("input_tokens_per_request", "Input tokens per request; default 1000", default=1000.0,
         low=0),
     Arg("output_tokens_per_request", "Output tokens per request; default 1000",
         default=1000.0, low=0, low_open=True),
     A_PREC,
     Arg("result", "breakeven_months, capex (USD), electricity_monthly, "
         "api_equivalent_monthly, net_saving_monthly (USD/month) or tokens_monthly; default "
         "breakeven_months", "text", "breakeven_months", choices=ONPREM_RESULTS),
     Arg("purchase_usd_per_gpu", "Your purchase quote per GPU, USD; blank uses the catalog's",
         default=None, low=0),
     Arg("hours_per_month", "Operating hours per month, ≤ 744; default 730", default=730.0,
         low=0, high=744),
     Arg("usd_per_kwh", "Electricity price, USD per kWh; default 0.12", default=0.12, low=0),
     Arg("utilisation", "Share of operating hours the GPUs are busy, 0–1; default 1",
         default=1.0, low=0, high=1),
     Arg("pue", "Power usage effectiveness, ≥ 1; default 1 (the GPUs' own watts)",
         default=1.0, low=1),
     *_PRICE_ARGS,
     Arg("measured_output_tokens_per_s", "Your measured output tokens/s per replica; blank "
         "uses the roofline", default=None, low=0, low_open=True)),
    _onprem, "months (or USD, USD per month, tokens per month: see result)",
    infinite="never breaks even: the electricity costs more than the API would charge for "
    "the tokens these GPUs produce",
    examples=('=ONPREM_PURCHASE("gpt-4o","gpt-oss-120b","H200",8,1000,1000,"fp4") → months',),
))

define(ExcelFunction(
    "BREAKEVEN_MONTHS", "Months until monthly savings repay one-off costs (#NUM! if never)",
    (Arg("one_off_usd", "One-off costs, USD", required=True, low=0),
     Arg("monthly_savings_usd", "Savings per month, USD (API cost − self-host cost)",
         required=True)),
    lambda one_off_usd, monthly_savings_usd: e.breakeven_months(one_off_usd, monthly_savings_usd),
    "months",
    examples=("=BREAKEVEN_MONTHS(60000,7500) → 8",),
    infinite="never breaks even: monthly_savings_usd must be > 0 to repay one_off_usd",
))


def _hybrid_cost(api_model: str, open_model: str, gpu: str, requests_per_day: float,
                 input_tokens_per_request: float, output_tokens_per_request: float,
                 share: float, precision: str, mode: str) -> float:
    w = _workload(requests_per_day, input_tokens_per_request, output_tokens_per_request)
    return _n(e.hybrid_monthly_cost_usd(api_model, w, _selfhost(open_model, gpu, precision,
                                                                   mode), share))


define(ExcelFunction(
    "HYBRID_COST", "Monthly cost when a share of requests goes in-house and the rest to the API",
    (A_API, A_OPEN, A_GPU, A_RPD, A_IN, A_OUT,
     Arg("share", "Share of requests served by the own model, 0–1", required=True, low=0,
         high=1),
     A_PREC, A_MODE),
    _hybrid_cost, "USD per month",
))


def _hybrid_share(api_model: str, open_model: str, gpu: str, requests_per_day: float,
                  input_tokens_per_request: float, output_tokens_per_request: float,
                  min_inhouse_share: float, must_stay_on_api_share: float, precision: str,
                  mode: str) -> float:
    w = _workload(requests_per_day, input_tokens_per_request, output_tokens_per_request)
    return e.optimal_hybrid_share(api_model, w, _selfhost(open_model, gpu, precision, mode),
                                  min_inhouse_share, must_stay_on_api_share).share


define(ExcelFunction(
    "HYBRID_SHARE", "The share of requests to route in-house that costs least, under "
    "constraints",
    (A_API, A_OPEN, A_GPU, A_RPD, A_IN, A_OUT,
     Arg("min_inhouse_share", "Share that must stay in-house, 0–1; default 0", default=0.0,
         low=0, high=1),
     Arg("must_stay_on_api_share", "Share that must stay on the API, 0–1; default 0",
         default=0.0, low=0, high=1),
     A_PREC, A_MODE),
    _hybrid_share, "share of requests, 0–1",
))

# --- strategy and helpers -----------------------------------------------------------------


def _strategy(tokens_per_day: float, api_monthly_usd: float, selfhost_monthly_usd: float,
              load_is_stable: bool, product_past_experiment: bool,
              high_quality_requirements: bool, data_is_advantage: bool,
              monitoring_culture: bool, enough_training_data: bool, with_reasons: bool) -> str:
    if np.ndim(tokens_per_day) + np.ndim(api_monthly_usd) + np.ndim(selfhost_monthly_usd) > 0:
        # A range: every cell at once, the reasons written as recommend_strategy writes them.
        return (e.strategy_texts if with_reasons else e.strategy_of)(
            tokens_per_day, api_monthly_usd, selfhost_monthly_usd, load_is_stable,
            product_past_experiment, high_quality_requirements, data_is_advantage,
            monitoring_culture, enough_training_data)
    r = e.recommend_strategy(tokens_per_day, api_monthly_usd, selfhost_monthly_usd,
                             load_is_stable, product_past_experiment, high_quality_requirements,
                             data_is_advantage, monitoring_culture, enough_training_data)
    return str(r) if with_reasons else r.strategy


define(ExcelFunction(
    "LLM_STRATEGY", "API, HYBRID or SELF-HOST, following the seed article's decision framework",
    (Arg("tokens_per_day", "Billed tokens per day (input + output)", required=True, low=0),
     Arg("api_monthly_usd", "API cost per month, USD", required=True, low=0),
     Arg("selfhost_monthly_usd", "Self-hosting cost per month, USD", required=True, low=0),
     Arg("load_is_stable", "Traffic is stable and predictable; default TRUE", "bool", True),
     Arg("product_past_experiment", "The product is past the experiment stage; default TRUE",
         "bool", True),
     Arg("high_quality_requirements", "Quality and predictability are critical; default FALSE",
         "bool", False),
     Arg("data_is_advantage", "Your data is a competitive advantage; default FALSE", "bool",
         False),
     Arg("monitoring_culture", "A culture of monitoring and owning ML systems; default FALSE",
         "bool", False),
     Arg("enough_training_data", "Enough data to fine-tune well; default TRUE", "bool", True),
     Arg("with_reasons", "TRUE to append the reasons; default FALSE", "bool", False)),
    _strategy, "text: API, HYBRID or SELF-HOST",
))


def _tokens_estimate(text_or_characters: Any, chars_per_token: float) -> float:
    if isinstance(text_or_characters, str):
        try:
            chars = float(text_or_characters.strip())
        except ValueError:
            chars = float(len(text_or_characters))
    elif isinstance(text_or_characters, bool):
        chars = float(len("TRUE" if text_or_characters else "FALSE"))
    else:
        chars = np.asarray(text_or_characters, dtype=np.float64)  # a number, or many
    return _n(e.tokens_estimate(chars, chars_per_token))


define(ExcelFunction(
    "TOKENS_ESTIMATE", "Tokens in a text (or a character count): characters ÷ characters per "
    "token, rounded up",
    (Arg("text_or_characters", "The text itself, or its number of characters", "any",
         required=True),
     Arg("chars_per_token", "Characters per token; default 4 (English; ~2–3 for Russian or "
         "code)", default=4.0, low=0, low_open=True)),
    _tokens_estimate, "tokens",
    examples=('=TOKENS_ESTIMATE("Hello, world") → 3',),
))


define(ExcelFunction(
    "LLM_WHY", "Why a call of an llm-tco function gives an error: the reason as text (\"\" if "
    "none)",
    (Arg("function_name", "Name of the function, e.g. \"LLM_API_COST\"", "text", required=True),
     *(Arg(f"arg{i}", f"Argument {i} of that function, as in the failing call", "any", None,
           table=True) for i in range(1, 16))),
    lambda function_name, **args: why(function_name, *_trim(list(args.values()))),
    "text",
    examples=('=LLM_WHY("LLM_API_COST","gpt-4oo",1,1) → "model must name a known model…"',),
))


def _trim(values: list[Any]) -> list[Any]:
    while values and values[-1] is None:
        values.pop()
    return values


__all__ = ["call"]
