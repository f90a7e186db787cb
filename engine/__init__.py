"""llm-tco's economics engine: pure functions of numbers and small dataclasses.

Every function takes scalars or numpy arrays (one element per scenario) and broadcasts.
Knows nothing of Excel, xlwings, openpyxl or formulas.

Units live in names: ``*_usd_per_million_tokens``, ``*_per_day``, ``*_usd`` (per month
unless the name says otherwise); rates are fractions (0.6, not 60).

The names load on first use (``from engine import api_price`` works as before): the
command line imports ``engine.errors`` for every command and must not pay for numpy and
the price catalog unless a command computes with them.
"""

from __future__ import annotations

import importlib

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WHERE = {
    "ApiPrice": "engine.prices",
    "Breakeven": "engine.breakeven",
    "CatalogError": "engine.catalogs",
    "CatalogInfo": "engine.prices",
    "DAYS_PER_MONTH": "engine.workload",
    "FLOPS_PER_PARAM_TOKEN": "engine.finetune",
    "FineTune": "engine.finetune",
    "GPU": "engine.catalogs",
    "HOURS_PER_MONTH": "engine.workload",
    "HybridOptimum": "engine.hybrid",
    "InputError": "engine.errors",
    "OpenModel": "engine.catalogs",
    "OnPremPurchase": "engine.onprem",
    "Operations": "engine.operations",
    "Recommendation": "engine.strategy",
    "SelfHost": "engine.selfhost",
    "SelfHostMonthly": "engine.selfhost",
    "ServingPlan": "engine.serving",
    "TCO_COLUMNS": "engine.tco",
    "TcoTable": "engine.tco",
    "Throughput": "engine.serving",
    "UnknownNameError": "engine.errors",
    "Workload": "engine.workload",
    "api_cost_usd": "engine.api_cost",
    "api_monthly_cost_usd": "engine.api_cost",
    "api_price": "engine.prices",
    "api_request_cost_usd": "engine.api_cost",
    "api_usd_per_million_tokens": "engine.api_cost",
    "breakeven_months": "engine.breakeven",
    "breakeven_volume": "engine.breakeven",
    "catalog_info": "engine.prices",
    "certainly_unknown": "engine.prices",
    "check_price_age": "engine.prices",
    "conversation_input_tokens": "engine.workload",
    "finetune_cost": "engine.finetune",
    "gpu_monthly_cost_usd": "engine.serving",
    "gpu_spec": "engine.catalogs",
    "gpus": "engine.catalogs",
    "hybrid_monthly_cost_usd": "engine.hybrid",
    "kv_cache_bytes_per_token": "engine.serving",
    "list_api_models": "engine.prices",
    "min_gpus_to_fit": "engine.serving",
    "npv": "engine.tco",
    "open_model_spec": "engine.catalogs",
    "open_models": "engine.catalogs",
    "onprem_purchase": "engine.onprem",
    "optimal_hybrid_share": "engine.hybrid",
    "recommend_strategy": "engine.strategy",
    "selfhost_monthly_cost": "engine.selfhost",
    "serving_plan": "engine.serving",
    "strategy_of": "engine.strategy",
    "strategy_texts": "engine.strategy",
    "tco_month": "engine.tco",
    "tco_projection": "engine.tco",
    "throughput": "engine.serving",
    "tokens_estimate": "engine.workload",
    "training_gpu_hours": "engine.finetune",
    "usd_per_million_output_tokens": "engine.serving",
    "use_catalog": "engine.catalogs",
    "user_catalog_path": "engine.catalogs",
    "weights_gb": "engine.serving",
    "with_overrides": "engine.prices",
}

__all__ = [
    "DAYS_PER_MONTH",
    "FLOPS_PER_PARAM_TOKEN",
    "GPU",
    "HOURS_PER_MONTH",
    "TCO_COLUMNS",
    "ApiPrice",
    "Breakeven",
    "CatalogError",
    "CatalogInfo",
    "FineTune",
    "HybridOptimum",
    "InputError",
    "OnPremPurchase",
    "OpenModel",
    "Operations",
    "Recommendation",
    "SelfHost",
    "SelfHostMonthly",
    "ServingPlan",
    "TcoTable",
    "Throughput",
    "UnknownNameError",
    "Workload",
    "api_cost_usd",
    "api_monthly_cost_usd",
    "api_price",
    "api_request_cost_usd",
    "api_usd_per_million_tokens",
    "breakeven_months",
    "breakeven_volume",
    "catalog_info",
    "certainly_unknown",
    "check_price_age",
    "conversation_input_tokens",
    "finetune_cost",
    "gpu_monthly_cost_usd",
    "gpu_spec",
    "gpus",
    "hybrid_monthly_cost_usd",
    "kv_cache_bytes_per_token",
    "list_api_models",
    "min_gpus_to_fit",
    "npv",
    "onprem_purchase",
    "open_model_spec",
    "open_models",
    "optimal_hybrid_share",
    "recommend_strategy",
    "selfhost_monthly_cost",
    "serving_plan",
    "strategy_of",
    "strategy_texts",
    "tco_month",
    "tco_projection",
    "throughput",
    "tokens_estimate",
    "training_gpu_hours",
    "usd_per_million_output_tokens",
    "use_catalog",
    "user_catalog_path",
    "weights_gb",
    "with_overrides",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
