"""The self-hosted option as a whole: serving GPUs + people and operations + fine-tuning."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out
from engine.catalogs import gpu_spec, open_model_spec, precision_bytes
from engine.finetune import FineTune, finetune_cost
from engine.operations import Operations
from engine.serving import gpu_monthly_cost_usd, serving_plan
from engine.workload import Workload


@dataclasses.dataclass(frozen=True)
class SelfHost:
    """Everything that prices the self-hosted option.

    Attributes
    ----------
    model, gpu, precision : the open model served, on which GPU, at which weight precision.
    mode : ``"rent"`` or ``"buy"`` GPUs (see :func:`engine.serving.gpu_monthly_cost_usd`).
    rent_usd_per_gpu_hour, purchase_usd_per_gpu : overrides of the catalog's indicative prices.
    life_years, pue, usd_per_kwh, hosting_usd_per_gpu_month : ownership costs when bought.
    target_utilisation, min_replicas : capacity planning (see :func:`serving_plan`).
    measured_output_tokens_per_s : measured throughput per replica, overrides the roofline.
    operations : people and operations.
    finetune : fine-tuning programme, or None for serving a base model as is.
    """

    model: str = "Llama-3.1-8B"
    gpu: str = "H100-SXM"
    precision: str = "fp8"
    mode: str = "rent"
    rent_usd_per_gpu_hour: ArrayLike | None = None
    purchase_usd_per_gpu: ArrayLike | None = None
    life_years: ArrayLike = 3.0
    pue: ArrayLike = 1.3
    usd_per_kwh: ArrayLike = 0.12
    hosting_usd_per_gpu_month: ArrayLike = 150.0
    target_utilisation: ArrayLike = 0.7
    min_replicas: ArrayLike = 2.0
    measured_output_tokens_per_s: ArrayLike | None = None
    operations: Operations = dataclasses.field(default_factory=Operations)
    finetune: FineTune | None = dataclasses.field(default_factory=FineTune)

    def __post_init__(self) -> None:
        open_model_spec(self.model)
        gpu_spec(self.gpu)
        precision_bytes(self.precision)

    def replace(self, **changes: Any) -> SelfHost:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def gpus(self, workload: Workload) -> Any:
        """GPUs needed for the workload (0 for no traffic)."""
        return serving_plan(workload, self.model, self.gpu, self.precision,
                            self.target_utilisation, self.min_replicas,
                            self.measured_output_tokens_per_s).gpus

    def gpu_usd_per_month(self, gpus: ArrayLike) -> Any:
        """Monthly cost of ``gpus`` GPUs under this option's rent/buy terms."""
        return gpu_monthly_cost_usd(gpus, self.gpu, self.mode, self.rent_usd_per_gpu_hour,
                                    self.purchase_usd_per_gpu, self.life_years, self.pue,
                                    self.usd_per_kwh, self.hosting_usd_per_gpu_month)

    def fixed_usd_per_month(self) -> Any:
        """Monthly costs that do not depend on volume: people, operations, retraining."""
        ft = finetune_cost(self.model, self.finetune).monthly_usd if self.finetune else 0.0
        return out(np.add(self.operations.monthly_usd, ft))

    def one_off_usd(self) -> Any:
        """Launch costs: set-up, time-to-market loss, first fine-tuning run and its data."""
        ft = finetune_cost(self.model, self.finetune).one_off_usd if self.finetune else 0.0
        return out(np.add(self.operations.one_off_usd, ft))


@dataclasses.dataclass(frozen=True)
class SelfHostMonthly:
    """Monthly self-hosting cost and its parts, USD per month."""

    gpus: Any
    compute_usd: Any
    people_usd: Any
    operations_usd: Any
    finetune_usd: Any
    total_usd: Any


def selfhost_monthly_cost(workload: Workload, option: SelfHost | None = None) -> SelfHostMonthly:
    """USD per month to self-host a workload, split into compute, people, operations, fine-tuning.

    Notes
    -----
    total = GPU cost(GPUs for the peak) + people + (tooling + compliance + downtime) +
    retraining per month. No traffic means no GPUs, but the team and tooling still cost.

    Examples
    --------
    >>> m = selfhost_monthly_cost(Workload(100_000, 1000, 1000), SelfHost(finetune=None))
    >>> m.gpus, round(m.compute_usd, 2), m.total_usd - m.compute_usd   # 2 × 2.99 × 730
    (2.0, 4365.4, 14000.0)
    """
    o = option or SelfHost()
    gpus = o.gpus(workload)
    compute = np.asarray(o.gpu_usd_per_month(gpus))
    ops = o.operations
    people = np.asarray(ops.people_usd_per_month)
    other = np.asarray(ops.monthly_usd) - people
    ft = np.asarray(finetune_cost(o.model, o.finetune).monthly_usd if o.finetune else 0.0)
    return SelfHostMonthly(
        gpus=gpus, compute_usd=out(compute), people_usd=out(people), operations_usd=out(other),
        finetune_usd=out(ft), total_usd=out(compute + people + other + ft),
    )


def check_share(share: ArrayLike, argument: str = "share") -> Any:
    """A traffic share must lie in [0, 1]."""
    return check(share, argument, high=1.0)
