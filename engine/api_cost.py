"""What an API bills: token prices, prompt-cache and batch discounts, long-context tiers."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine._arrays import ArrayLike, as_float, check, out
from engine.errors import InputError
from engine.prices import ApiPrice, api_price
from engine.workload import DAYS_PER_MONTH, Workload

_MILLION = 1e6


def _price(price: ApiPrice | str) -> ApiPrice:
    return api_price(price) if isinstance(price, str) else price


def api_cost_usd(
    price: ApiPrice | str,
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    cached_input_tokens: ArrayLike = 0.0,
    batch: ArrayLike = False,
    requests: ArrayLike | None = None,
    cache_write_tokens: ArrayLike = 0.0,
) -> Any:
    """US dollars an API bills for token counts.

    Parameters
    ----------
    price : ApiPrice or str
        Prices (or a model name looked up in the catalog).
    input_tokens : tokens
        Prompt tokens, those served from the cache included.
    output_tokens : tokens
        Generated tokens.
    cached_input_tokens : tokens, optional
        Part of ``input_tokens`` read from the prompt cache (billed at the cached rate).
    batch : bool or 0/1, optional
        Billed through the batch API (true) or standard (false).
    requests : count, optional
        Number of requests the tokens came in. When given, a request whose average prompt
        (``input_tokens / requests``) exceeds the long-context threshold pays the long-context
        rates on all its tokens. When omitted, each request is taken to be under the threshold.
    cache_write_tokens : tokens, optional
        Tokens written to the prompt cache (billed at the cache-write rate, in addition).

    Returns
    -------
    float or ndarray
        Cost in USD.

    Notes
    -----
    cost = [(input − cached)·p_in + cached·p_cached + output·p_out + writes·p_write] / 10⁶,
    with batch or long-context prices substituted when they apply.

    Examples
    --------
    150M tokens/month at 3:1 input:output on gpt-4o ($2.50 in, $10 out per 1M):

    >>> api_cost_usd("gpt-4o", 112.5e6, 37.5e6)
    656.25
    """
    p = _price(price)
    inp = check(input_tokens, "input_tokens")
    outp = check(output_tokens, "output_tokens")
    cached = check(cached_input_tokens, "cached_input_tokens")
    writes = check(cache_write_tokens, "cache_write_tokens")
    if (cached > inp).any():
        raise InputError("cached_input_tokens", "must not exceed input_tokens", cached_input_tokens,
                         where=cached > inp)
    b = as_float(batch, "batch")
    if not np.isin(b, (0.0, 1.0)).all():
        raise InputError("batch", "must be TRUE/FALSE (1/0)", batch)
    long = np.zeros(np.broadcast(inp, b).shape, dtype=bool)
    if requests is not None:
        req = check(requests, "requests", low=0.0, low_open=True)
        long = (inp / req) > p.long_context_threshold_tokens
    in_rate = np.where(
        b == 1.0, p.batch_input_usd_per_million_tokens,
        np.where(long, p.long_input_usd_per_million_tokens, p.input_usd_per_million_tokens),
    )
    cached_rate = np.where(
        b == 1.0, p.batch_cached_input_usd_per_million_tokens,
        np.where(long, p.long_cached_input_usd_per_million_tokens,
                 p.cached_input_usd_per_million_tokens),
    )
    out_rate = np.where(
        b == 1.0, p.batch_output_usd_per_million_tokens,
        np.where(long, p.long_output_usd_per_million_tokens, p.output_usd_per_million_tokens),
    )
    cost = (
        (inp - cached) * in_rate
        + cached * cached_rate
        + outp * out_rate
        + writes * p.cache_write_usd_per_million_tokens
    ) / _MILLION
    return out(cost)


def _workload_cost_usd(p: ApiPrice, w: Workload, requests: Any) -> Any:
    """Cost of ``requests`` requests of the workload's shape (token totals first, then prices,
    so hand arithmetic on monthly token counts reproduces the figure exactly)."""
    req = np.asarray(requests, dtype=np.float64)
    share = np.asarray(w.batch_share, dtype=np.float64)
    inp = req * np.asarray(w.input_tokens_per_request, dtype=np.float64)
    outp = req * np.asarray(w.output_tokens_per_request, dtype=np.float64)
    cached = inp * np.asarray(w.cached_input_share, dtype=np.float64)
    # Requests of zero count still carry their per-request prompt size for the tier test.
    tier_requests = np.where(req > 0, req, 1.0)
    tier_inp = np.where(req > 0, inp, np.asarray(w.input_tokens_per_request, dtype=np.float64))
    std = api_cost_usd(p, tier_inp, outp, np.minimum(cached, tier_inp), False, tier_requests)
    bat = api_cost_usd(p, tier_inp, outp, np.minimum(cached, tier_inp), True, tier_requests)
    std, bat = np.where(req > 0, std, 0.0), np.where(req > 0, bat, 0.0)
    return out(np.where(share == 0, std, (1.0 - share) * std + share * bat))


def api_request_cost_usd(price: ApiPrice | str, workload: Workload) -> Any:
    """Average USD per request for a workload (cache share, batch share and tiers applied).

    Examples
    --------
    >>> api_request_cost_usd("gpt-4o", Workload(1, 1500, 500))   # 1500*2.5e-6 + 500*10e-6
    0.00875
    """
    return _workload_cost_usd(_price(price), workload, 1.0)


def api_monthly_cost_usd(
    price: ApiPrice | str, workload: Workload, days_per_month: ArrayLike = DAYS_PER_MONTH
) -> Any:
    """USD per month the API bills for a workload.

    Notes
    -----
    monthly requests = requests_per_day × days_per_month (default 365/12); their input, cached
    and output tokens are totalled, then priced as in :func:`api_cost_usd`, with the batch
    share at batch prices and the long-context tier judged per request.

    Examples
    --------
    5M tokens/day for 30 days = 150M tokens, 3:1 input:output, gpt-4o at $2.50/$10 per 1M:
    112.5M × 2.5 + 37.5M × 10 = 656.25 USD.

    >>> api_monthly_cost_usd("gpt-4o", Workload(2500, 1500, 500), days_per_month=30)
    656.25
    """
    d = check(days_per_month, "days_per_month", low_open=True)
    return _workload_cost_usd(_price(price), workload, np.asarray(workload.requests_per_day) * d)


def api_usd_per_million_tokens(price: ApiPrice | str, workload: Workload) -> Any:
    """Blended USD per million billed tokens (input + output) for a workload's mix."""
    per_request = api_request_cost_usd(price, workload)
    return out(per_request / np.asarray(workload.tokens_per_request, dtype=np.float64) * _MILLION)
