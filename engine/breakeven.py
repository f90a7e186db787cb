"""Breakeven: the volume at which self-hosting costs what the API costs, and the payback time."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out
from engine.api_cost import api_request_cost_usd
from engine.prices import ApiPrice
from engine.selfhost import SelfHost
from engine.serving import serving_plan
from engine.workload import DAYS_PER_MONTH, SECONDS_PER_DAY, Workload


@dataclasses.dataclass(frozen=True)
class Breakeven:
    """Breakeven volumes in tokens/day (input + output) for the workload's request shape.

    ``first_tokens_per_day``: the lowest volume at which self-hosting with whole GPUs (and
    its minimum replicas) costs no more than the API. ``continuous_tokens_per_day``: the same
    with fractional GPUs and no minimum, the figure a straight-line model gives. Both are
    ``inf`` when the API is cheaper at any volume.
    """

    first_tokens_per_day: Any
    continuous_tokens_per_day: Any
    first_requests_per_day: Any
    replicas_at_first: Any
    requests_per_day_per_replica: Any


def breakeven_volume(
    price: ApiPrice | str, workload: Workload, option: SelfHost | None = None
) -> Breakeven:
    """Tokens/day at which self-hosting breaks even with the API (monthly run-rate).

    Parameters
    ----------
    price : API prices or model name.
    workload : request shape (tokens per request, cache and batch shares, peak ratio); its
        volume is ignored.
    option : the self-hosted option.

    Notes
    -----
    Let a = API USD per request, D = days per month, c = requests/day one replica serves at
    the target utilisation and peak ratio, q = monthly cost of one replica, F = fixed monthly
    self-hosting cost, r₀ = minimum replicas. Self-hosting x requests/day costs
    F + q·max(r₀, ⌈x/c⌉); the API costs a·D·x. With whole replicas, r replicas win first at
    x = (F + q·r)/(a·D) provided that is ≤ r·c, so the first winning r is
    r* = max(r₀, ⌈F / (a·D·c − q)⌉) and x_first = (F + q·r*)/(a·D).
    Continuously, F + q·x/c = a·D·x gives x_c = F / (a·D − q/c). Tokens/day = requests/day ×
    tokens per request. One-off costs are left out here; see :func:`breakeven_months`.

    Examples
    --------
    >>> b = breakeven_volume("gpt-4o", Workload(1, 1500, 500))
    >>> round(b.first_tokens_per_day / 1e6, 1), round(b.continuous_tokens_per_day / 1e6, 1)
    (148.0, 117.2)
    """
    o = option or SelfHost()
    unit = workload.replace(requests_per_day=1.0)
    a = np.asarray(api_request_cost_usd(price, unit), dtype=np.float64)
    plan = serving_plan(unit, o.model, o.gpu, o.precision, o.target_utilisation,
                        o.min_replicas, o.measured_output_tokens_per_s)
    n = np.asarray(plan.gpus_per_replica, dtype=np.float64)
    c = (np.asarray(plan.requests_per_s_per_replica) * np.asarray(o.target_utilisation)
         * SECONDS_PER_DAY / np.asarray(workload.peak_to_average, dtype=np.float64))
    q = np.asarray(o.gpu_usd_per_month(n), dtype=np.float64)
    f = np.asarray(o.fixed_usd_per_month(), dtype=np.float64)
    r0 = np.maximum(np.asarray(o.min_replicas, dtype=np.float64), 1.0)
    ad = a * DAYS_PER_MONTH
    margin = ad * c - q  # monthly saving of one full replica's traffic
    with np.errstate(divide="ignore", invalid="ignore"):
        r_star = np.where(margin > 0, np.maximum(r0, np.ceil(f / margin - 1e-12)), np.inf)
        x_first = np.where(margin > 0, (f + q * r_star) / ad, np.inf)
        x_cont = np.where(margin > 0, f / (ad - q / c), np.inf)
    tokens = np.asarray(workload.tokens_per_request, dtype=np.float64)
    return Breakeven(
        first_tokens_per_day=out(x_first * tokens), continuous_tokens_per_day=out(x_cont * tokens),
        first_requests_per_day=out(x_first), replicas_at_first=out(r_star),
        requests_per_day_per_replica=out(c),
    )


def breakeven_months(one_off_usd: ArrayLike, monthly_savings_usd: ArrayLike) -> Any:
    """Months until monthly savings repay one-off costs.

    Notes
    -----
    months = one_off / savings; ``inf`` when savings ≤ 0 (never repaid), 0 with no one-off cost.

    Examples
    --------
    >>> breakeven_months(60_000, 7_500)
    8.0
    """
    c = check(one_off_usd, "one_off_usd")
    s = np.asarray(check(monthly_savings_usd, "monthly_savings_usd", low=None))
    with np.errstate(divide="ignore", invalid="ignore"):
        return out(np.where(c == 0, 0.0, np.where(s > 0, c / s, np.inf)))
