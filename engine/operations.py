"""People and operations: what running a model in-house costs beyond the GPUs."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine._arrays import ArrayLike, check, out


@dataclasses.dataclass(frozen=True)
class Operations:
    """Monthly people and operations costs of self-hosting, plus one-off launch costs.

    The defaults are assumptions for a team that adds one self-hosted model to an existing
    platform; replace them with your own figures.

    Attributes
    ----------
    ml_engineer_fte, sre_fte : full-time equivalents dedicated to the model.
    loaded_usd_per_fte_month : salary + taxes + benefits + overhead per FTE per month
        (16,000 ≈ USD 140k salary × 1.37 loading, a US figure; an assumption).
    mlops_tooling_usd_per_month : monitoring, registry, eval and observability tools.
    compliance_usd_per_month : audit, data-protection reviews, certifications, pro rata.
    downtime_hours_per_month : expected outage hours not covered by a vendor SLA.
    downtime_usd_per_hour : revenue or productivity lost per outage hour.
    setup_usd : one-off engineering to build the serving stack, integration, load tests.
    time_to_market_delay_months : extra months before self-hosting is in production.
    value_usd_per_month : value a month of the product brings (delay × this is lost).
    """

    ml_engineer_fte: ArrayLike = 0.5
    sre_fte: ArrayLike = 0.25
    loaded_usd_per_fte_month: ArrayLike = 16_000.0
    mlops_tooling_usd_per_month: ArrayLike = 1_000.0
    compliance_usd_per_month: ArrayLike = 500.0
    downtime_hours_per_month: ArrayLike = 2.0
    downtime_usd_per_hour: ArrayLike = 250.0
    setup_usd: ArrayLike = 30_000.0
    time_to_market_delay_months: ArrayLike = 1.0
    value_usd_per_month: ArrayLike = 10_000.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            check(getattr(self, f.name), f.name)

    @property
    def people_usd_per_month(self) -> Any:
        """(ML engineers + SRE) × loaded monthly cost per FTE.

        Examples
        --------
        >>> Operations().people_usd_per_month   # 0.75 × 16,000
        12000.0
        """
        fte = check(self.ml_engineer_fte, "ml_engineer_fte") + check(self.sre_fte, "sre_fte")
        return out(fte * check(self.loaded_usd_per_fte_month, "loaded_usd_per_fte_month"))

    @property
    def risk_usd_per_month(self) -> Any:
        """Expected downtime cost: outage hours × cost per hour."""
        return out(check(self.downtime_hours_per_month, "downtime_hours_per_month")
                   * check(self.downtime_usd_per_hour, "downtime_usd_per_hour"))

    @property
    def monthly_usd(self) -> Any:
        """People + tooling + compliance + expected downtime, USD per month.

        Examples
        --------
        >>> Operations().monthly_usd   # 12,000 + 1,000 + 500 + 2 × 250
        14000.0
        """
        return out(self.people_usd_per_month + check(self.mlops_tooling_usd_per_month, "x")
                   + check(self.compliance_usd_per_month, "x") + self.risk_usd_per_month)

    @property
    def time_to_market_usd(self) -> Any:
        """Value lost while self-hosting is not yet live: delay months × value per month."""
        return out(check(self.time_to_market_delay_months, "time_to_market_delay_months")
                   * check(self.value_usd_per_month, "value_usd_per_month"))

    @property
    def one_off_usd(self) -> Any:
        """Set-up engineering + time-to-market loss, USD."""
        return out(check(self.setup_usd, "setup_usd") + self.time_to_market_usd)
