"""llm-tco's economics engine: pure functions of numbers and small dataclasses.

Every function takes scalars or numpy arrays (one element per scenario) and broadcasts.
Knows nothing of Excel, xlwings, openpyxl or formulas.

Units live in names: ``*_usd_per_million_tokens``, ``*_per_day``, ``*_usd`` (per month
unless the name says otherwise); rates are fractions (0.6, not 60).
"""

from engine.api_cost import (
    api_cost_usd,
    api_monthly_cost_usd,
    api_request_cost_usd,
    api_usd_per_million_tokens,
)
from engine.breakeven import Breakeven, breakeven_months, breakeven_volume
from engine.catalogs import GPU, OpenModel, gpu_spec, gpus, open_model_spec, open_models
from engine.errors import InputError, UnknownNameError
from engine.finetune import FLOPS_PER_PARAM_TOKEN, FineTune, finetune_cost, training_gpu_hours
from engine.hybrid import HybridOptimum, hybrid_monthly_cost_usd, optimal_hybrid_share
from engine.operations import Operations
from engine.prices import (
    ApiPrice,
    CatalogInfo,
    api_price,
    catalog_info,
    check_price_age,
    list_api_models,
)
from engine.selfhost import SelfHost, SelfHostMonthly, selfhost_monthly_cost
from engine.serving import (
    ServingPlan,
    Throughput,
    gpu_monthly_cost_usd,
    kv_cache_bytes_per_token,
    min_gpus_to_fit,
    serving_plan,
    throughput,
    usd_per_million_output_tokens,
    weights_gb,
)
from engine.strategy import Recommendation, recommend_strategy, strategy_of
from engine.tco import TCO_COLUMNS, TcoTable, npv, tco_month, tco_projection
from engine.workload import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    Workload,
    conversation_input_tokens,
    tokens_estimate,
)

__all__ = [
    "DAYS_PER_MONTH", "FLOPS_PER_PARAM_TOKEN", "GPU", "HOURS_PER_MONTH", "TCO_COLUMNS",
    "ApiPrice", "Breakeven", "CatalogInfo", "FineTune", "HybridOptimum", "InputError",
    "OpenModel", "Operations", "Recommendation", "SelfHost", "SelfHostMonthly", "ServingPlan",
    "TcoTable", "Throughput", "UnknownNameError", "Workload",
    "api_cost_usd", "api_monthly_cost_usd", "api_price", "api_request_cost_usd",
    "api_usd_per_million_tokens", "breakeven_months", "breakeven_volume", "catalog_info",
    "check_price_age", "conversation_input_tokens", "finetune_cost", "gpu_monthly_cost_usd",
    "gpu_spec", "gpus", "hybrid_monthly_cost_usd", "kv_cache_bytes_per_token",
    "list_api_models", "min_gpus_to_fit", "npv", "open_model_spec", "open_models",
    "optimal_hybrid_share", "recommend_strategy", "selfhost_monthly_cost", "serving_plan",
    "strategy_of",
    "tco_month", "tco_projection", "throughput", "tokens_estimate", "training_gpu_hours",
    "usd_per_million_output_tokens", "weights_gb",
]
