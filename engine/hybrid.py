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

    share: Any  # float, or an array over scenarios
    monthly_usd: Any
    api_only_usd: Any
    selfhost_only_usd: Any


def optimal_hybrid_share(
    price: ApiPrice | str, workload: Workload, option: SelfHost | None = None,
    min_inhouse_share: ArrayLike = 0.0, must_stay_on_api_share: ArrayLike = 0.0,
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
    lo = np.asarray(check(min_inhouse_share, "min_inhouse_share", high=1.0))
    hi = 1.0 - np.asarray(check(must_stay_on_api_share, "must_stay_on_api_share", high=1.0))
    if np.any(lo > hi):
        raise InputError("min_inhouse_share", "plus must_stay_on_api_share must not exceed 1",
                         (min_inhouse_share, must_stay_on_api_share), where=lo > hi)
    o = option or SelfHost()
    plan = serving_plan(workload, o.model, o.gpu, o.precision, o.target_utilisation,
                        o.min_replicas, o.measured_output_tokens_per_s)
    peak_per_share = (np.asarray(workload.requests_per_day, dtype=np.float64) / SECONDS_PER_DAY
                      * np.asarray(workload.peak_to_average, dtype=np.float64))
    per_replica = np.asarray(plan.requests_per_s_per_replica, dtype=np.float64) * np.asarray(
        o.target_utilisation, dtype=np.float64)
    shape = np.broadcast(lo, hi, peak_per_share, per_replica).shape
    lo, hi = np.broadcast_to(lo, shape), np.broadcast_to(hi, shape)
    candidates = [lo, hi]
    # Between step edges, cost falls with the share; at the edges s_r = r·c/V it is
    # A·(1 − s_r) + F + q·r, linear in r, so only the extreme edges in [lo, hi] (and the
    # edge of the minimum replica count) can be the minimum: no need to try every r.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        live = (peak_per_share > 0) & (per_replica > 0)
        step = np.where(live, per_replica / np.where(live, peak_per_share, 1.0), 1.0)
        rmin = np.maximum(np.asarray(o.min_replicas, dtype=np.float64), 1.0)
        r_first = np.maximum(np.ceil(lo / step - 1e-12), 1.0)
        r_last = np.floor(hi / step + 1e-12)
        for r in (r_first, r_last, rmin):
            edge = r * step
            take = live & np.isfinite(r) & (lo <= edge) & (edge <= hi)
            candidates.append(np.where(take, edge, hi))  # hi again where no edge: harmless
    # Ties go to the smaller share (less to run in-house): sort, then the first minimum.
    shares = np.sort(np.stack(np.broadcast_arrays(*candidates)), axis=0)
    costs = np.asarray(hybrid_monthly_cost_usd(price, workload, o, shares))
    best = np.argmin(np.broadcast_to(costs, shares.shape), axis=0)
    pick = lambda a: out(np.take_along_axis(  # noqa: E731
        np.broadcast_to(a, shares.shape), best[None, ...], axis=0)[0])
    return HybridOptimum(
        share=pick(shares), monthly_usd=pick(costs),
        api_only_usd=out(api_monthly_cost_usd(price, workload)),
        selfhost_only_usd=out(selfhost_monthly_cost(workload, o).total_usd),
    )


