"""The seed article's decision framework: API, HYBRID or SELF-HOST, with reasons.

Source: "Экономика тонкой настройки LLM: API-подход против собственного fine-tuning"
(../shared/seed): APIs stay economical up to a few million tokens/day; own models pay off at
stable loads of tens of millions of tokens/day (40–60 % savings claimed) when the organisation
is mature (product past experiment, high quality requirements, data as an advantage, a
monitoring culture); hybrids in between, moving when load is stable, the API is a large share of
opex and there is enough data to fine-tune.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import operator
from typing import Any

import numpy as np

from engine._arrays import format_fixed
from engine.errors import InputError

#: "До нескольких миллионов токенов в сутки API остаётся экономически оправданным".
API_ONLY_BELOW_TOKENS_PER_DAY = 5e6
#: "Десятки миллионов токенов в сутки": where own models become rational.
SELF_HOST_FROM_TOKENS_PER_DAY = 20e6
#: Maturity signals (of four) needed before self-hosting everything, and before a hybrid.
MATURITY_FOR_SELF_HOST = 3
MATURITY_FOR_HYBRID = 2
#: Savings below this share of the API bill do not pay for the risk of running a model.
MIN_SAVINGS_SHARE = 0.15

STRATEGIES = ("API", "HYBRID", "SELF-HOST")


@dataclasses.dataclass(frozen=True)
class Recommendation:
    """A strategy and the reasons for it, in the order they weighed."""

    strategy: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.strategy}: " + "; ".join(self.reasons)


def recommend_strategy(
    tokens_per_day: float,
    api_monthly_usd: float,
    selfhost_monthly_usd: float,
    load_is_stable: bool = True,
    product_past_experiment: bool = True,
    high_quality_requirements: bool = False,
    data_is_advantage: bool = False,
    monitoring_culture: bool = False,
    enough_training_data: bool = True,
    hybrid_monthly_usd: float | None = None,
) -> Recommendation:
    """Recommend API, HYBRID or SELF-HOST following the seed article's framework.

    Parameters
    ----------
    tokens_per_day : billed tokens/day (input + output).
    api_monthly_usd, selfhost_monthly_usd : monthly cost of each option at that volume.
    load_is_stable : traffic is stable and predictable.
    product_past_experiment, high_quality_requirements, data_is_advantage, monitoring_culture :
        the article's four maturity signals.
    enough_training_data : there is enough data to fine-tune well.
    hybrid_monthly_usd : monthly cost of the best hybrid, if known.

    Notes
    -----
    1. Below 5M tokens/day, or when self-hosting is not ≥ 15 % cheaper and no hybrid is: API.
    2. Self-hosting ≥ 15 % cheaper, ≥ 20M tokens/day, stable load, ≥ 3 of 4 maturity signals
       and enough data: SELF-HOST.
    3. Otherwise, if self-hosting or a hybrid saves ≥ 15 % and ≥ 2 maturity signals: HYBRID
       (the stable core in-house, rare or frontier tasks on the API).
    4. Else API.

    Examples
    --------
    >>> recommend_strategy(2e6, 400, 20_000).strategy
    'API'
    >>> recommend_strategy(60e6, 40_000, 18_000, True, True, True, True, True).strategy
    'SELF-HOST'
    """
    for name, v in (("tokens_per_day", tokens_per_day), ("api_monthly_usd", api_monthly_usd),
                    ("selfhost_monthly_usd", selfhost_monthly_usd)):
        if not isinstance(v, int | float) or v != v or v < 0:
            raise InputError(name, "must be a number >= 0", v)
    maturity = [product_past_experiment, high_quality_requirements, data_is_advantage,
                monitoring_culture]
    score = sum(bool(x) for x in maturity)
    saving = (api_monthly_usd - selfhost_monthly_usd) / api_monthly_usd if api_monthly_usd else 0.0
    hyb_saving = ((api_monthly_usd - hybrid_monthly_usd) / api_monthly_usd
                  if hybrid_monthly_usd is not None and api_monthly_usd else 0.0)
    reasons = [
        f"{tokens_per_day / 1e6:,.1f}M tokens/day",
        f"self-hosting {'saves' if saving >= 0 else 'costs'} {abs(saving):.0%} "
        f"vs the API (${selfhost_monthly_usd:,.0f} vs ${api_monthly_usd:,.0f}/month)",
        f"maturity {score}/4",
    ]
    if tokens_per_day < API_ONLY_BELOW_TOKENS_PER_DAY:
        reasons.insert(0, "volume below a few million tokens/day: the API stays economical")
        return Recommendation("API", tuple(reasons))
    cheap = saving >= MIN_SAVINGS_SHARE
    if (cheap and tokens_per_day >= SELF_HOST_FROM_TOKENS_PER_DAY and load_is_stable
            and score >= MATURITY_FOR_SELF_HOST and enough_training_data):
        reasons.insert(0, "stable load of tens of millions of tokens/day, a mature team and "
                          "enough data: own model")
        return Recommendation("SELF-HOST", tuple(reasons))
    if (cheap or hyb_saving >= MIN_SAVINGS_SHARE) and score >= MATURITY_FOR_HYBRID:
        missing = [n for n, ok in (("stable load", load_is_stable),
                                   ("enough training data", enough_training_data),
                                   ("maturity ≥ 3/4", score >= MATURITY_FOR_SELF_HOST),
                                   ("≥ 20M tokens/day",
                                    tokens_per_day >= SELF_HOST_FROM_TOKENS_PER_DAY))
                   if not ok]
        why = ("self-hosting pays but " + ", ".join(missing) + " missing"
               if missing and cheap else "a hybrid saves money")
        reasons.insert(0, f"{why}: route the predictable core in-house, keep rare or "
                          "frontier tasks on the API")
        return Recommendation("HYBRID", tuple(reasons))
    reasons.insert(0, "self-hosting does not save enough, or the organisation is not ready: "
                      "stay on the API")
    return Recommendation("API", tuple(reasons))


@dataclasses.dataclass(frozen=True)
class _Branches:
    """Which rule of :func:`recommend_strategy` each scenario falls under, and its figures."""

    branch: Any  # int array: 0 API (low volume), 1 SELF-HOST, 2 HYBRID, 3 API (not worth it)
    tokens: Any  # the float arrays as given (not broadcast)
    api: Any
    own: Any
    saving: Any
    score: Any  # int: maturity signals of four
    missing: Any  # int bit mask of _MISSING: what a hybrid lacks before self-hosting
    cheap: Any  # bool: self-hosting saves at least MIN_SAVINGS_SHARE


def _branches(
    tokens_per_day: Any, api_monthly_usd: Any, selfhost_monthly_usd: Any,
    load_is_stable: Any, product_past_experiment: Any, high_quality_requirements: Any,
    data_is_advantage: Any, monitoring_culture: Any, enough_training_data: Any,
    hybrid_monthly_usd: Any,
) -> _Branches:
    """recommend_strategy's rules over arrays (the same arithmetic, element by element)."""
    t = np.asarray(tokens_per_day, dtype=np.float64)
    api = np.asarray(api_monthly_usd, dtype=np.float64)
    own = np.asarray(selfhost_monthly_usd, dtype=np.float64)
    for name, v in (("tokens_per_day", t), ("api_monthly_usd", api),
                    ("selfhost_monthly_usd", own)):
        if np.any(np.isnan(v) | (v < 0)):
            raise InputError(name, "must be a number >= 0", tokens_per_day if v is t else
                             api_monthly_usd if v is api else selfhost_monthly_usd)
    flag = lambda x: np.asarray(x, dtype=bool)  # noqa: E731
    score = sum(flag(x).astype(int) for x in (
        product_past_experiment, high_quality_requirements, data_is_advantage,
        monitoring_culture))
    with np.errstate(divide="ignore", invalid="ignore"):
        saving = np.where(api != 0, (api - own) / np.where(api != 0, api, 1.0), 0.0)
        if hybrid_monthly_usd is None:
            hyb_saving = np.zeros_like(saving)
        else:
            hyb = np.asarray(hybrid_monthly_usd, dtype=np.float64)
            hyb_saving = np.where(api != 0, (api - hyb) / np.where(api != 0, api, 1.0), 0.0)
    cheap = saving >= MIN_SAVINGS_SHARE
    self_host = (cheap & (t >= SELF_HOST_FROM_TOKENS_PER_DAY) & flag(load_is_stable)
                 & (score >= MATURITY_FOR_SELF_HOST) & flag(enough_training_data))
    hybrid = (cheap | (hyb_saving >= MIN_SAVINGS_SHARE)) & (score >= MATURITY_FOR_HYBRID)
    below = t < API_ONLY_BELOW_TOKENS_PER_DAY
    branch = np.where(below, 0, np.where(self_host, 1, np.where(hybrid, 2, 3)))
    missing = sum(np.where(ok, 0, 1 << i) for i, ok in enumerate((
        flag(load_is_stable), flag(enough_training_data), score >= MATURITY_FOR_SELF_HOST,
        t >= SELF_HOST_FROM_TOKENS_PER_DAY)))
    return _Branches(branch, t, api, own, saving, score, missing, cheap)


def strategy_of(
    tokens_per_day: Any, api_monthly_usd: Any, selfhost_monthly_usd: Any,
    load_is_stable: Any = True, product_past_experiment: Any = True,
    high_quality_requirements: Any = False, data_is_advantage: Any = False,
    monitoring_culture: Any = False, enough_training_data: Any = True,
    hybrid_monthly_usd: Any = None,
) -> Any:
    """The strategy alone (``"API"``, ``"HYBRID"`` or ``"SELF-HOST"``) by the rules of
    :func:`recommend_strategy`, over numpy arrays of scenarios (a string for scalars).

    Examples
    --------
    >>> strategy_of(np.array([2e6, 60e6]), 40_000, 18_000, True, True, True, True, True).tolist()
    ['API', 'SELF-HOST']
    """
    b = _branches(tokens_per_day, api_monthly_usd, selfhost_monthly_usd, load_is_stable,
                  product_past_experiment, high_quality_requirements, data_is_advantage,
                  monitoring_culture, enough_training_data, hybrid_monthly_usd)
    got = np.array(["API", "SELF-HOST", "HYBRID", "API"])[b.branch]
    return got.item() if got.ndim == 0 else got


_LEAD_API_BELOW = "volume below a few million tokens/day: the API stays economical"
_LEAD_SELF_HOST = ("stable load of tens of millions of tokens/day, a mature team and enough "
                   "data: own model")
_LEAD_HYBRID_TAIL = ": route the predictable core in-house, keep rare or frontier tasks on the API"
_LEAD_NOT_READY = ("self-hosting does not save enough, or the organisation is not ready: "
                   "stay on the API")
#: What a hybrid lacks before self-hosting, in recommend_strategy's order (bit i of a mask).
_MISSING = ("stable load", "enough training data", "maturity ≥ 3/4", "≥ 20M tokens/day")
#: "STRATEGY: lead reason; " by code: 0 low volume, 1 self-host, 2 + mask a hybrid missing
#: what the mask says (self-hosting cheap), 18 a hybrid that saves money, 19 not worth it.
_PREFIXES = (
    [f"API: {_LEAD_API_BELOW}; ", f"SELF-HOST: {_LEAD_SELF_HOST}; "]
    + [f"HYBRID: {'self-hosting pays but ' + ', '.join(m for i, m in enumerate(_MISSING) if mask >> i & 1) + ' missing' if mask else 'a hybrid saves money'}{_LEAD_HYBRID_TAIL}; "  # noqa: E501
       for mask in range(16)]
    + [f"HYBRID: a hybrid saves money{_LEAD_HYBRID_TAIL}; ", f"API: {_LEAD_NOT_READY}; "])
_REST = "M tokens/day; self-hosting {} {}% vs the API (${} vs ${}/month); maturity {}/4"


def strategy_texts(
    tokens_per_day: Any, api_monthly_usd: Any, selfhost_monthly_usd: Any,
    load_is_stable: Any = True, product_past_experiment: Any = True,
    high_quality_requirements: Any = False, data_is_advantage: Any = False,
    monitoring_culture: Any = False, enough_training_data: Any = True,
    hybrid_monthly_usd: Any = None,
) -> Any:
    """``str(recommend_strategy(...))`` (strategy and reasons) over numpy arrays of scenarios,
    character for character, without a Python call per scenario.

    Returns
    -------
    A numpy object array of ``str`` (a ``str`` for scalars).

    Examples
    --------
    >>> strategy_texts(np.array([2e6]), 400, 20_000).tolist() == [str(recommend_strategy(
    ...     2e6, 400, 20_000))]
    True
    """
    b = _branches(tokens_per_day, api_monthly_usd, selfhost_monthly_usd, load_is_stable,
                  product_past_experiment, high_quality_requirements, data_is_advantage,
                  monitoring_culture, enough_training_data, hybrid_monthly_usd)
    code = np.where(b.branch == 2, np.where(b.cheap, 2 + b.missing, 18),
                    np.where(b.branch == 3, 19, b.branch))
    # Each piece is written on its own argument's shape (a scalar price once, not per
    # scenario), the numbers by format_fixed (Python's formatting, once per distinct text).
    rest = (np.where(b.saving >= 0, "saves", "costs"),
            format_fixed(np.abs(b.saving) * 100, 0, grouping=False),  # "{:.0%}": ×100, .0f
            format_fixed(b.own, 0), format_fixed(b.api, 0), np.asarray(b.score))
    head = (code, format_fixed(b.tokens / 1e6, 1))
    shape = np.broadcast_shapes(*(p.shape for p in head + rest))
    n = math.prod(shape)

    def column(p: Any) -> Any:
        return (itertools.repeat(str(p.item()), n) if p.size == 1 else
                np.broadcast_to(p, shape).reshape(-1).tolist())

    # Concatenated by Python, a few pieces per scenario (numpy's string concatenation copies
    # the growing text once per piece and measured ~5 µs a scenario; this ~0.3 µs).
    if all(p.size == 1 for p in rest):
        tails: Any = itertools.repeat(_REST.format(*(str(p.item()) for p in rest)), n)
    else:
        tails = map(_REST.format, *map(column, rest))
    prefixes = map(_PREFIXES.__getitem__, np.broadcast_to(code, shape).reshape(-1).tolist())
    text = np.empty(n, dtype=object)
    text[:] = list(map(operator.add, map(operator.add, prefixes, column(head[1])), tails))
    return text.item() if not shape else text.reshape(shape)
