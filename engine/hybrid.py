"""Hybrid routing: part of the traffic to the own model, the rest to an API."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out
from engine.api_cost import api_monthly_cost_usd
from engine.errors import InputError
from engine.prices import ApiPrice
from engine.selfhost import SelfHost, selfhost_monthly_cost
from engine.serving import serving_plan
from engine.workload import SECONDS_PER_DAY, Workload


def hybrid_monthly_cost_usd(
    price: ApiPrice | str, workload: Workload, option: SelfHost | None = None,
    share: ArrayLike = 0.5,
) -> Any:
    """USD per month when ``share`` of requests go to the own model and the rest to the API.

    Notes
    -----
    hybrid(s) = API(workload × (1 − s)) + [s > 0] × self-host(workload × s). At s = 0 nothing
    is self-hosted (no team, no GPUs): the cost is the API's; at s = 1 it is self-hosting's.

    Examples
    --------
    >>> w = Workload(10_000, 1500, 500)
    >>> hybrid_monthly_cost_usd("gpt-4o", w, share=0) == api_monthly_cost_usd("gpt-4o", w)
    True
    """
    s = check(share, "share", high=1.0)
    o = option or SelfHost()
    api = np.asarray(api_monthly_cost_usd(price, workload.scaled(1.0 - s)))
    own = np.asarray(selfhost_monthly_cost(workload.scaled(s), o).total_usd)
    return out(api + np.where(s > 0, own, 0.0))


@dataclasses.dataclass(frozen=True)
class HybridOptimum:
    """The cost-minimising share and what it costs."""

    share: float
    monthly_usd: float
    api_only_usd: float
    selfhost_only_usd: float


def optimal_hybrid_share(
    price: ApiPrice | str, workload: Workload, option: SelfHost | None = None,
    min_inhouse_share: float = 0.0, must_stay_on_api_share: float = 0.0,
) -> HybridOptimum:
    """The routed share in [min_inhouse_share, 1 − must_stay_on_api_share] that costs least.

    Parameters
    ----------
    min_inhouse_share : share that must stay in-house (data that may not leave, say).
    must_stay_on_api_share : share that must stay on the API (rare or frontier-quality tasks).

    Notes
    -----
    Self-hosting cost is a step function of whole replicas while the API cost falls linearly
    with the share, so within one replica count cost falls as the share grows: the minimum lies
    at s = 0 (if allowed), at the bounds, or where a replica count is exactly full
    (s = r × requests per replica ÷ requests); at those edges cost is linear in r, so the
    extreme edges in the allowed range, the bounds and s = 0 are the candidates evaluated.

    Examples
    --------
    >>> opt = optimal_hybrid_share("gpt-4o", Workload(10_000, 1500, 500))
    >>> opt.share   # at 15M tokens/day the fixed team cost dominates: stay on the API
    0.0
    """
    lo, hi = float(min_inhouse_share), 1.0 - float(must_stay_on_api_share)
    check(lo, "min_inhouse_share", high=1.0)
    check(must_stay_on_api_share, "must_stay_on_api_share", high=1.0)
    if lo > hi:
        raise InputError("min_inhouse_share", "plus must_stay_on_api_share must not exceed 1",
                         (min_inhouse_share, must_stay_on_api_share))
    o = option or SelfHost()
    plan = serving_plan(workload, o.model, o.gpu, o.precision, o.target_utilisation,
                        o.min_replicas, o.measured_output_tokens_per_s)
    peak_per_share = (float(np.asarray(workload.requests_per_day)) / SECONDS_PER_DAY
                      * float(np.asarray(workload.peak_to_average)))
    per_replica = float(np.asarray(plan.requests_per_s_per_replica)) * float(
        np.asarray(o.target_utilisation))
    candidates = {lo, hi}
    if peak_per_share > 0 and per_replica > 0:
        # Between step edges, cost falls with the share; at the edges s_r = r·c/V it is
        # A·(1 − s_r) + F + q·r, linear in r, so only the extreme edges in [lo, hi] (and the
        # edge of the minimum replica count) can be the minimum: no need to try every r.
        step = per_replica / peak_per_share  # share one replica carries
        rmin = max(float(np.asarray(o.min_replicas)), 1.0)
        r_first = max(np.ceil(lo / step - 1e-12), 1.0)
        r_last = np.floor(hi / step + 1e-12)
        for r in {r_first, r_last, rmin}:
            if np.isfinite(r) and lo <= r * step <= hi:
                candidates.add(float(r * step))
    shares = np.array(sorted(candidates))
    costs = np.array([hybrid_monthly_cost_usd(price, workload, o, s) for s in shares])
    best = int(np.argmin(costs))  # ties go to the smaller share: less to run in-house
    return HybridOptimum(
        share=float(shares[best]), monthly_usd=float(costs[best]),
        api_only_usd=float(api_monthly_cost_usd(price, workload)),
        selfhost_only_usd=float(selfhost_monthly_cost(workload, o).total_usd),
    )


