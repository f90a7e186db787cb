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
from typing import Any

import numpy as np

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
    t = np.asarray(tokens_per_day, dtype=np.float64)
    api = np.asarray(api_monthly_usd, dtype=np.float64)
    own = np.asarray(selfhost_monthly_usd, dtype=np.float64)
    for name, v in (("tokens_per_day", t), ("api_monthly_usd", api),
                    ("selfhost_monthly_usd", own)):
        if np.any(np.isnan(v) | (v < 0)):
            raise InputError(name, "must be a number >= 0", tokens_per_day if v is t else
                             api_monthly_usd if v is api else selfhost_monthly_usd)
    score = sum(np.asarray(x, dtype=bool).astype(int) for x in (
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
    self_host = (cheap & (t >= SELF_HOST_FROM_TOKENS_PER_DAY)
                 & np.asarray(load_is_stable, dtype=bool) & (score >= MATURITY_FOR_SELF_HOST)
                 & np.asarray(enough_training_data, dtype=bool))
    hybrid = (cheap | (hyb_saving >= MIN_SAVINGS_SHARE)) & (score >= MATURITY_FOR_HYBRID)
    below = t < API_ONLY_BELOW_TOKENS_PER_DAY
    got = np.where(below, "API", np.where(self_host, "SELF-HOST", np.where(hybrid, "HYBRID",
                                                                           "API")))
    return got.item() if got.ndim == 0 else got
