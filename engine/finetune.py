"""Fine-tuning an open model: training compute, data preparation, evaluation, retraining cadence."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out
from engine.catalogs import GPU, OpenModel, gpu_spec, open_model_spec
from engine.errors import InputError

#: Training FLOPs per parameter per token, by method.
#: - full: 6 = 2 (forward) + 4 (backward: activation and weight gradients) — Kaplan et al.
#:   2020, "Scaling Laws for Neural Language Models", C ≈ 6·N·D.
#: - lora: 4 — the frozen base weights need no weight gradients, which saves 2 of the 6;
#:   adapter FLOPs are < 1 % at ranks 8–64 (Hu et al. 2021, LoRA).
#: - qlora: 5 — as LoRA, plus dequantising the 4-bit base weights in every forward and
#:   backward matmul; ≈ +25 % is an assumption in line with the slowdown Dettmers et al. 2023
#:   (QLoRA) report; measure yours and override with ``flops_per_param_token``.
FLOPS_PER_PARAM_TOKEN: dict[str, float] = {"full": 6.0, "lora": 4.0, "qlora": 5.0}

#: Model FLOPs utilisation of fine-tuning jobs: 35–45 % is typical of well-tuned dense
#: training on A100/H100 (Llama 2 paper reports ~40 % on A100 for pre-training); LoRA jobs
#: on one node usually reach less. 0.35 is the default.
DEFAULT_MFU = 0.35


@dataclasses.dataclass(frozen=True)
class FineTune:
    """A fine-tuning programme: one initial run, then periodic retraining.

    Attributes
    ----------
    method : ``"full"``, ``"lora"`` or ``"qlora"``.
    training_tokens : tokens in the training set (per epoch).
    epochs : passes over the training set per run.
    gpu : GPU the training runs on (rented).
    mfu : model FLOPs utilisation achieved (0–1].
    rent_usd_per_gpu_hour : override of the catalog's indicative rate.
    examples : labelled examples prepared for the first run.
    usd_per_example : cost to collect, clean and label one example.
    eval_usd_per_run : evaluation per run (human review, eval-set upkeep, LLM-judge calls).
    retrains_per_year : retraining runs per year after the first.
    refresh_share : share of examples newly labelled for each retraining (0–1).
    """

    method: str = "lora"
    training_tokens: ArrayLike = 20e6
    epochs: ArrayLike = 3.0
    gpu: str = "H100-SXM"
    mfu: ArrayLike = DEFAULT_MFU
    rent_usd_per_gpu_hour: ArrayLike | None = None
    examples: ArrayLike = 10_000.0
    usd_per_example: ArrayLike = 1.0
    eval_usd_per_run: ArrayLike = 2_000.0
    retrains_per_year: ArrayLike = 4.0
    refresh_share: ArrayLike = 0.2

    def __post_init__(self) -> None:
        if self.method not in FLOPS_PER_PARAM_TOKEN:
            raise InputError("method", f"must be one of {sorted(FLOPS_PER_PARAM_TOKEN)}",
                             self.method)
        gpu_spec(self.gpu, "finetune gpu")
        for name in ("training_tokens", "epochs", "examples", "usd_per_example",
                     "eval_usd_per_run", "retrains_per_year"):
            check(getattr(self, name), name)
        check(self.mfu, "mfu", low_open=True, high=1.0)
        check(self.refresh_share, "refresh_share", high=1.0)


def training_gpu_hours(
    model: str | OpenModel, training_tokens: ArrayLike, epochs: ArrayLike = 1.0,
    method: str = "lora", gpu: str | GPU = "H100-SXM", mfu: ArrayLike = DEFAULT_MFU,
) -> Any:
    """GPU-hours one fine-tuning run takes.

    Notes
    -----
    FLOPs = f · N · D · E with f from :data:`FLOPS_PER_PARAM_TOKEN`, N the parameters (all of
    them for a mixture of experts would overstate: the activated ones are used), D tokens,
    E epochs; GPU-hours = FLOPs / (peak BF16 FLOP/s × MFU × 3600).

    Examples
    --------
    Full fine-tune of Mistral-7B on 100M tokens, 1 epoch, on A100 at 35 % MFU:
    6 × 7.24e9 × 1e8 / (312e12 × 0.35 × 3600) = 4.344e18 / 3.931e17 = 11.05 GPU-hours.

    >>> round(training_gpu_hours("mistral-7b", 1e8, 1, "full", "a100", 0.35), 2)
    11.05
    """
    m = open_model_spec(model)
    g = gpu_spec(gpu)
    if method not in FLOPS_PER_PARAM_TOKEN:
        raise InputError("method", f"must be one of {sorted(FLOPS_PER_PARAM_TOKEN)}", method)
    d = check(training_tokens, "training_tokens")
    e = check(epochs, "epochs")
    u = check(mfu, "mfu", low_open=True, high=1.0)
    flops = FLOPS_PER_PARAM_TOKEN[method] * m.active_params_b * 1e9 * d * e
    return out(flops / (g.bf16_tflops * 1e12 * u * 3600.0))


@dataclasses.dataclass(frozen=True)
class FineTuneCost:
    """USD of a fine-tuning programme, split so a workbook can show each part."""

    gpu_hours_per_run: Any
    compute_usd_per_run: Any
    initial_data_usd: Any
    refresh_data_usd_per_run: Any
    eval_usd_per_run: Any
    one_off_usd: Any
    monthly_usd: Any


def finetune_cost(model: str | OpenModel, plan: FineTune | None = None) -> FineTuneCost:
    """One-off and monthly cost of fine-tuning ``model`` under ``plan``.

    Notes
    -----
    per run = GPU-hours × rate + evaluation; one-off = first run + examples × usd_per_example;
    monthly = retrains_per_year / 12 × (per run + refresh_share × examples × usd_per_example).

    Examples
    --------
    >>> c = finetune_cost("llama-3.1-8b", FineTune(rent_usd_per_gpu_hour=3.0))
    >>> round(c.gpu_hours_per_run, 2), round(c.one_off_usd, 2)   # 4*8.03e9*20e6*3 FLOPs
    (1.55, 12004.64)
    """
    p = plan or FineTune()
    g = gpu_spec(p.gpu)
    hours = np.asarray(training_gpu_hours(model, p.training_tokens, p.epochs, p.method, g, p.mfu))
    rate = check(g.rent_usd_per_hour if p.rent_usd_per_gpu_hour is None
                 else p.rent_usd_per_gpu_hour, "rent_usd_per_gpu_hour")
    compute = hours * rate
    data = np.multiply(p.examples, p.usd_per_example)
    refresh = np.multiply(p.refresh_share, data)
    per_run = compute + np.asarray(p.eval_usd_per_run)
    monthly = np.asarray(p.retrains_per_year) / 12.0 * (per_run + refresh)
    return FineTuneCost(
        gpu_hours_per_run=out(hours), compute_usd_per_run=out(compute),
        initial_data_usd=out(data), refresh_data_usd_per_run=out(refresh),
        eval_usd_per_run=out(np.asarray(p.eval_usd_per_run, dtype=np.float64)),
        one_off_usd=out(per_run + data), monthly_usd=out(monthly),
    )
