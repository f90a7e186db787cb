"""Total cost of ownership month by month: API, self-hosting and hybrid, with NPV and payback."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, FloatArray, check
from engine.api_cost import api_monthly_cost_usd
from engine.errors import InputError
from engine.prices import ApiPrice
from engine.selfhost import SelfHost, selfhost_monthly_cost
from engine.workload import Workload

#: Column order of :meth:`TcoTable.rows` (and of the Excel ``TCO_TABLE`` spill).
TCO_COLUMNS = (
    "month", "requests_per_day", "tokens_per_day", "api_usd", "selfhost_usd", "hybrid_usd",
    "gpus", "api_cumulative_usd", "selfhost_cumulative_usd", "hybrid_cumulative_usd",
    "savings_usd", "cumulative_savings_usd",
)


@dataclasses.dataclass(frozen=True)
class TcoTable:
    """Monthly projection. Each field is an array whose last axis is the month (1…horizon)."""

    month: FloatArray
    requests_per_day: FloatArray
    tokens_per_day: FloatArray
    api_usd: FloatArray
    selfhost_usd: FloatArray
    hybrid_usd: FloatArray
    gpus: FloatArray
    api_cumulative_usd: FloatArray
    selfhost_cumulative_usd: FloatArray
    hybrid_cumulative_usd: FloatArray
    savings_usd: FloatArray
    cumulative_savings_usd: FloatArray
    npv_savings_usd: Any
    payback_month: Any

    def rows(self) -> list[list[float]]:
        """The table as rows (one per month) in :data:`TCO_COLUMNS` order, for one scenario."""
        cols = [np.broadcast_to(getattr(self, c), self.month.shape) for c in TCO_COLUMNS]
        return [[float(col[i]) for col in cols] for i in range(self.month.shape[-1])]


def monthly_discount_rate(annual_rate: ArrayLike) -> Any:
    """Monthly rate equivalent to an annual one: (1 + r)^(1/12) − 1.

    Examples
    --------
    >>> round(monthly_discount_rate(0.1), 6)
    0.007974
    """
    r = check(annual_rate, "discount_rate", low=-1.0, low_open=True)
    return _scalar(np.power(1.0 + r, 1.0 / 12.0) - 1.0)


def npv(annual_rate: ArrayLike, cashflows: ArrayLike) -> Any:
    """Net present value of monthly cash flows paid at the end of months 1, 2, … .

    Notes
    -----
    NPV = Σₘ CFₘ / (1 + r_m)^m with r_m = (1 + annual)^(1/12) − 1 — Excel's
    ``NPV(r_m, CF₁:CFₙ)`` convention (first flow discounted one period).

    Examples
    --------
    >>> round(npv(0.0, [100, 100]), 2)
    200.0
    """
    cf = np.asarray(cashflows, dtype=np.float64)
    rm = np.asarray(monthly_discount_rate(annual_rate))[..., None]
    m = np.arange(1, cf.shape[-1] + 1, dtype=np.float64)
    return _scalar(np.sum(cf / np.power(1.0 + rm, m), axis=-1))


def tco_projection(
    price: ApiPrice | str,
    workload: Workload,
    option: SelfHost | None = None,
    horizon_months: int = 36,
    hybrid_share: ArrayLike = 0.5,
    discount_rate: ArrayLike = 0.10,
) -> TcoTable:
    """Month-by-month cost of the API, self-hosting and a hybrid over a horizon.

    Parameters
    ----------
    price : API prices or model name.
    workload : traffic in month 1; grows by ``monthly_growth`` each month.
    option : the self-hosted option.
    horizon_months : months projected (1–600).
    hybrid_share : share of requests the hybrid routes to the own model.
    discount_rate : annual rate for the NPV of savings (0.10 = 10 %).

    Returns
    -------
    TcoTable
        Monthly costs, cumulative costs, savings (API − self-hosting), NPV of the savings and
        the payback month (first month whose cumulative savings are ≥ 0; ``nan`` if none).

    Notes
    -----
    Self-hosting's one-off costs (set-up, time-to-market loss, first fine-tuning and its data)
    fall in month 1; the hybrid pays them too when its share is above 0.

    Examples
    --------
    >>> t = tco_projection("gpt-4o", Workload(100_000, 1500, 500), horizon_months=12)
    >>> round(float(t.api_usd[0]), 2), float(t.gpus[0])
    (26614.58, 2.0)
    """
    if not isinstance(horizon_months, int | np.integer) or not 1 <= horizon_months <= 600:
        raise InputError("horizon_months", "must be a whole number from 1 to 600", horizon_months)
    o = option or SelfHost()
    s = np.asarray(check(hybrid_share, "hybrid_share", high=1.0))[..., None]
    months = np.arange(1, horizon_months + 1, dtype=np.float64)
    grown = workload.replace(
        **{f.name: np.asarray(getattr(workload, f.name), dtype=np.float64)[..., None]
           for f in dataclasses.fields(workload)}
    ).at_month(months)
    api = np.asarray(api_monthly_cost_usd(price, grown), dtype=np.float64)
    own = selfhost_monthly_cost(grown, o)
    one_off = np.asarray(o.one_off_usd(), dtype=np.float64)[..., None]
    first = (months == 1.0) * one_off
    selfhost = np.asarray(own.total_usd) + first
    hyb_api = np.asarray(api_monthly_cost_usd(price, grown.scaled(1.0 - s)))
    hyb_own = np.asarray(selfhost_monthly_cost(grown.scaled(s), o).total_usd) + first
    hybrid = hyb_api + np.where(s > 0, hyb_own, 0.0)
    savings = api - selfhost
    cum_sav = np.cumsum(savings, axis=-1)
    ok = cum_sav >= 0
    payback = np.where(ok.any(axis=-1), np.argmax(ok, axis=-1) + 1.0, np.nan)
    shape = np.broadcast(api, selfhost, hybrid).shape
    b = lambda x: np.broadcast_to(np.asarray(x, dtype=np.float64), shape)  # noqa: E731
    return TcoTable(
        month=b(months), requests_per_day=b(grown.requests_per_day),
        tokens_per_day=b(grown.tokens_per_day), api_usd=b(api), selfhost_usd=b(selfhost),
        hybrid_usd=b(hybrid), gpus=b(own.gpus),
        api_cumulative_usd=np.cumsum(b(api), axis=-1),
        selfhost_cumulative_usd=np.cumsum(b(selfhost), axis=-1),
        hybrid_cumulative_usd=np.cumsum(b(hybrid), axis=-1),
        savings_usd=b(savings), cumulative_savings_usd=b(cum_sav),
        npv_savings_usd=_scalar(npv(discount_rate, b(savings))),
        payback_month=_scalar(payback),
    )


def tco_month(
    price: ApiPrice | str,
    workload: Workload,
    option: SelfHost | None = None,
    month: ArrayLike = 1,
    hybrid_share: ArrayLike = 0.5,
) -> dict[str, Any]:
    """The API, self-hosting and hybrid cost of one month of :func:`tco_projection` (keys
    ``api_usd``, ``selfhost_usd``, ``hybrid_usd``), the month given per scenario.

    The same arithmetic as the projection's column for that month, without computing the
    months before it: a million scenarios each asking for its own month cost one pass.

    Examples
    --------
    >>> w = Workload(100_000, 1500, 500, monthly_growth=0.05)
    >>> float(tco_month("gpt-4o", w, month=3)["api_usd"]) == float(
    ...     tco_projection("gpt-4o", w, horizon_months=3).api_usd[2])
    True
    """
    m = check(month, "month", low=1.0, high=600.0)
    if np.any(m != np.floor(m)):
        raise InputError("month", "must be a whole month number from 1 to 600", month,
                         where=m != np.floor(m))
    o = option or SelfHost()
    s = np.asarray(check(hybrid_share, "hybrid_share", high=1.0))
    grown = workload.at_month(m)
    first = (m == 1.0) * np.asarray(o.one_off_usd(), dtype=np.float64)
    api = np.asarray(api_monthly_cost_usd(price, grown), dtype=np.float64)
    selfhost = np.asarray(selfhost_monthly_cost(grown, o).total_usd) + first
    hyb_api = np.asarray(api_monthly_cost_usd(price, grown.scaled(1.0 - s)))
    hyb_own = np.asarray(selfhost_monthly_cost(grown.scaled(s), o).total_usd) + first
    hybrid = hyb_api + np.where(s > 0, hyb_own, 0.0)
    shape = np.broadcast(api, selfhost, hybrid).shape
    return {k: _scalar(np.broadcast_to(v, shape)) for k, v in
            (("api_usd", api), ("selfhost_usd", selfhost), ("hybrid_usd", hybrid))}


def _scalar(x: Any) -> Any:
    a = np.asarray(x)
    return a.item() if a.ndim == 0 else a
