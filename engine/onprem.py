"""The on-premise purchase view: GPUs bought once against the API bill for the tokens they make.

Published on-premise studies (Pan et al. 2025, arXiv 2509.18101) compare a one-off hardware
purchase with what an API would charge for the tokens that hardware can produce, paying only
electricity while it runs: electricity = watts × operating hours × USD per kWh. This is the
view beside the amortised TCO of :mod:`engine.selfhost` (which spreads the purchase over a
depreciation life and adds hosting, people and operations).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out
from engine.api_cost import api_request_cost_usd
from engine.catalogs import gpu_spec, open_model_spec
from engine.prices import ApiPrice
from engine.serving import throughput
from engine.workload import HOURS_PER_MONTH, Workload


@dataclasses.dataclass(frozen=True)
class OnPremPurchase:
    """The purchase view, USD (per month where the name says so)."""

    capex_usd: Any
    replicas: Any
    gpus_per_replica: Any
    requests_per_month: Any
    tokens_per_month: Any
    electricity_usd_per_month: Any
    api_equivalent_usd_per_month: Any
    net_saving_usd_per_month: Any
    breakeven_months: Any


def onprem_purchase(
    price: ApiPrice | str,
    model: str,
    gpu: str,
    gpus: ArrayLike = 8.0,
    input_tokens: ArrayLike = 1000.0,
    output_tokens: ArrayLike = 1000.0,
    precision: str = "fp8",
    purchase_usd_per_gpu: ArrayLike | None = None,
    hours_per_month: ArrayLike = HOURS_PER_MONTH,
    usd_per_kwh: ArrayLike = 0.12,
    utilisation: ArrayLike = 1.0,
    pue: ArrayLike = 1.0,
    other_usd_per_month: ArrayLike = 0.0,
    measured_output_tokens_per_s: ArrayLike | None = None,
    gpus_per_replica: ArrayLike | None = None,
    cached_input_share: ArrayLike = 0.0,
    batch_share: ArrayLike = 0.0,
) -> OnPremPurchase:
    """Buy ``gpus`` GPUs once; how many months until the API bill they avoid repays them.

    Parameters
    ----------
    price : API prices (or model name) the tokens would otherwise be bought at.
    model, gpu, precision : what is served on what (the roofline of :func:`throughput`).
    gpus : GPUs bought (whole replicas of them serve; the rest idle).
    input_tokens, output_tokens : request shape.
    purchase_usd_per_gpu : your quote; default the catalog's indicative price.
    hours_per_month : operating hours per month (730 = around the clock).
    usd_per_kwh : electricity price.
    utilisation : share of the operating hours the GPUs are busy, 0–1.
    pue : power usage effectiveness (1.0: the GPU's own watts only, as the studies count).
    other_usd_per_month : anything else paid monthly (hosting, support); default 0.
    measured_output_tokens_per_s : your measured output tokens/s per replica.
    gpus_per_replica : replica size; default the roofline's choice.
    cached_input_share, batch_share : how the API would have billed the same requests.

    Notes
    -----
    replicas = ⌊gpus / GPUs per replica⌋; requests/month = replicas × requests/s × 3600 ×
    hours × utilisation; API equivalent = requests/month × API USD per request;
    electricity = gpus × W / 1000 × hours × PUE × USD/kWh (idle GPUs draw power too);
    capex = gpus × purchase price; months to break even = capex / (API equivalent −
    electricity − other), ``inf`` if that is ≤ 0.

    Examples
    --------
    >>> p = onprem_purchase("gpt-4o", "Llama-3.3-70B", "H100-SXM", 8, 1000, 1000, "fp8",
    ...                     purchase_usd_per_gpu=30_000)
    >>> p.capex_usd, round(p.electricity_usd_per_month, 2)   # 8 × 0.7 kW × 730 h × 0.12
    (240000.0, 490.56)
    """
    g = gpu_spec(gpu)
    open_model_spec(model)
    n_bought = check(gpus, "gpus", low=1.0)
    hours = check(hours_per_month, "hours_per_month", high=744.0)
    kwh = check(usd_per_kwh, "usd_per_kwh")
    util = check(utilisation, "utilisation", high=1.0)
    p = check(pue, "pue", low=1.0)
    other = check(other_usd_per_month, "other_usd_per_month")
    unit_price = check(g.purchase_usd if purchase_usd_per_gpu is None else purchase_usd_per_gpu,
                       "purchase_usd_per_gpu")
    t = throughput(model, gpu, input_tokens, output_tokens, precision, gpus_per_replica)
    n = np.asarray(t.gpus_per_replica, dtype=np.float64)
    rps = np.asarray(t.requests_per_s, dtype=np.float64)
    outp = np.asarray(check(output_tokens, "output_tokens", low_open=True), dtype=np.float64)
    if measured_output_tokens_per_s is not None:
        rps = check(measured_output_tokens_per_s, "measured_output_tokens_per_s",
                    low_open=True) / outp
    replicas = np.floor(n_bought / n + 1e-12)
    if np.any(replicas < 1):
        from engine.errors import InputError

        raise InputError("gpus", f"must hold at least one replica ({float(np.max(n)):g} "
                         f"x {g.name} for {model})", gpus)
    requests = replicas * rps * 3600.0 * hours * util
    w = Workload(1.0, input_tokens, output_tokens, cached_input_share, batch_share)
    api = requests * np.asarray(api_request_cost_usd(price, w), dtype=np.float64)
    elec = n_bought * g.power_w / 1000.0 * hours * p * kwh
    capex = n_bought * unit_price
    net = api - elec - other
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(net > 0, capex / net, np.inf)
    tokens = requests * (np.asarray(input_tokens, dtype=np.float64) + outp)
    return OnPremPurchase(
        capex_usd=out(capex), replicas=out(replicas), gpus_per_replica=out(n),
        requests_per_month=out(requests), tokens_per_month=out(tokens),
        electricity_usd_per_month=out(elec), api_equivalent_usd_per_month=out(api),
        net_saving_usd_per_month=out(net), breakeven_months=out(months),
    )


__all__ = ["OnPremPurchase", "onprem_purchase"]
