"""Self-hosted serving: memory fit, roofline throughput, GPUs needed, and what they cost.

Throughput is a roofline estimate times efficiencies calibrated against published
measurements; a measured figure always overrides it (``measured_output_tokens_per_s``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out
from engine.catalogs import GPU, OpenModel, gpu_spec, open_model_spec, precision_bytes
from engine.errors import InputError
from engine.workload import HOURS_PER_MONTH, SECONDS_PER_DAY, Workload

#: Share of GPU memory usable for weights + KV cache (the rest: activations, CUDA context,
#: fragmentation). vLLM's default ``gpu_memory_utilization`` is 0.9.
USABLE_MEMORY_FRACTION = 0.9
#: Largest batch the serving engine schedules (TensorRT-LLM's default max_batch_size is 2048;
#: vLLM's max_num_seqs 256–1024 by version). Caps the roofline's batch.
MAX_BATCH = 1024
#: Calibrated efficiencies (achieved ÷ roofline). Memory-bound decode reaches ~70 % of HBM
#: bandwidth and compute-bound phases ~45 % of dense peak in tuned engines. Calibrated so the
#: roofline reproduces TensorRT-LLM's published Llama-3.1-8B FP8 H100 figure (~15,200 output
#: tok/s at 1000/1000) and MLPerf Inference v4.1 Llama-2-70B on H100 (~3,070 tok/s per GPU)
#: within ±10 %; see tests/engine/test_serving.py.
MEMORY_EFFICIENCY = 0.70
COMPUTE_EFFICIENCY = 0.45


@dataclasses.dataclass(frozen=True)
class Throughput:
    """Roofline result for one replica (``gpus_per_replica`` GPUs with tensor parallelism)."""

    output_tokens_per_s: Any
    requests_per_s: Any
    batch: Any
    gpus_per_replica: Any
    decode_bound: Any  # "memory" or "compute" per scenario

    @property
    def output_tokens_per_s_per_gpu(self) -> Any:
        return out(np.asarray(self.output_tokens_per_s) / np.asarray(self.gpus_per_replica))


def weights_gb(model: str | OpenModel, precision: str = "bf16") -> float:
    """Memory the weights take, in GB (10⁹ bytes).

    Examples
    --------
    >>> weights_gb("llama-3.1-8b", "fp8")
    8.03
    """
    m = open_model_spec(model)
    return m.params_b * precision_bytes(precision)


def kv_cache_bytes_per_token(model: str | OpenModel, kv_precision: str = "bf16") -> float:
    """KV-cache bytes per token of context.

    Notes
    -----
    2 (K and V) × layers × kv_heads × head_dim × bytes per element.

    Examples
    --------
    >>> kv_cache_bytes_per_token("llama-3.1-8b", "bf16")   # 2*32*8*128*2
    131072.0
    """
    m = open_model_spec(model)
    return 2.0 * m.layers * m.kv_heads * m.head_dim * precision_bytes(kv_precision, "kv_precision")


def min_gpus_to_fit(
    model: str | OpenModel, gpu: str | GPU, precision: str = "bf16",
    context_tokens: ArrayLike = 4096.0, kv_precision: str | None = None,
) -> Any:
    """Fewest GPUs (a power of two, as tensor parallelism needs) that hold the weights and
    the KV cache of at least one sequence of ``context_tokens``.

    Examples
    --------
    >>> min_gpus_to_fit("llama-3.3-70b", "h100", "bf16")   # 141 GB of weights
    2.0
    """
    g = gpu_spec(gpu)
    need = weights_gb(model, precision) * 1e9 + kv_cache_bytes_per_token(
        model, kv_precision or precision
    ) * check(context_tokens, "context_tokens", low_open=True)
    per_gpu = g.memory_gb * 1e9 * USABLE_MEMORY_FRACTION
    n = np.ceil(need / per_gpu)
    return out(np.power(2.0, np.ceil(np.log2(np.maximum(n, 1.0)))))


def throughput(
    model: str | OpenModel,
    gpu: str | GPU,
    input_tokens: ArrayLike = 1000.0,
    output_tokens: ArrayLike = 1000.0,
    precision: str = "bf16",
    gpus_per_replica: ArrayLike | None = None,
    kv_precision: str | None = None,
    max_batch: ArrayLike = MAX_BATCH,
    memory_efficiency: ArrayLike = MEMORY_EFFICIENCY,
    compute_efficiency: ArrayLike = COMPUTE_EFFICIENCY,
) -> Throughput:
    """Sustained throughput of one replica serving requests of a given shape (roofline).

    Parameters
    ----------
    model, gpu : names in the catalogs (or their specs).
    input_tokens, output_tokens : tokens per request.
    precision : weight precision (``"bf16"``, ``"fp8"``, ``"int8"``, ``"int4"``).
    gpus_per_replica : GPUs per model replica (tensor parallel); default the degree among
        1, 2, 4, 8 with the most throughput per GPU (a larger one only if >10 % better).
    kv_precision : KV-cache precision; default the weight precision (FP8 engines keep an FP8
        cache), at least 1 byte.
    max_batch : most concurrent sequences the engine schedules.
    memory_efficiency, compute_efficiency : achieved ÷ peak bandwidth, and ÷ peak FLOP/s.

    Returns
    -------
    Throughput
        Output tokens/s and requests/s per replica, the batch, and the decode bound.

    Notes
    -----
    With weights W bytes, KV bytes per token k, n GPUs of bandwidth B and peak F, active
    parameters P, prompt I and output O tokens, the batch b is what the memory left after the
    weights holds at full context: b = min(max_batch, ⌊(0.9·n·mem − W) / (k·(I+O))⌋).

    - decode step: t = max((W + b·k·(I + O/2)) / (n·B·η_mem), 2·P·b / (n·F·η_comp))
    - prefill of one request: t_p = 2·P·I / (n·F·η_comp)
    - GPU time per request: t_p + O·t/b, so requests/s = 1 / (t_p + O·t/b) and
      output tokens/s = O × requests/s.

    Attention FLOPs and KV reads during prefill are left out (small at these lengths). For a
    mixture-of-experts model P is the activated parameters while W is all of them: at serving
    batch sizes every expert is read each step.

    Examples
    --------
    >>> t = throughput("llama-3.1-8b", "h100", 1000, 1000, "fp8")
    >>> round(t.output_tokens_per_s, -2)
    14900.0
    """
    m = open_model_spec(model)
    g = gpu_spec(gpu)
    inp = check(input_tokens, "input_tokens")
    outp = check(output_tokens, "output_tokens", low_open=True)
    kvp = kv_precision or precision
    if precision_bytes(kvp, "kv_precision") < 1.0:
        kvp = "fp8"  # engines do not store a 4-bit KV cache by default
    if gpus_per_replica is None:
        return _best_replica(m, g, inp, outp, precision, kvp, max_batch, memory_efficiency,
                             compute_efficiency)
    n = check(gpus_per_replica, "gpus_per_replica", low=1.0)
    eta_mem = check(memory_efficiency, "memory_efficiency", low_open=True, high=1.0)
    eta_comp = check(compute_efficiency, "compute_efficiency", low_open=True, high=1.0)
    cap = check(max_batch, "max_batch", low=1.0)

    w_bytes = m.params_b * 1e9 * precision_bytes(precision)
    k = kv_cache_bytes_per_token(m, kvp)
    mem_free = n * g.memory_gb * 1e9 * USABLE_MEMORY_FRACTION - w_bytes
    if np.any(mem_free <= 0):
        raise InputError(
            "gpus_per_replica",
            f"must give enough memory for {m.name}'s {w_bytes / 1e9:.1f} GB of {precision} "
            f"weights on {g.name} ({g.memory_gb:g} GB each)",
            gpus_per_replica,
        )
    batch = np.floor(mem_free / (k * (inp + outp)))
    if np.any(batch < 1):
        raise InputError("input_tokens", "with output_tokens must fit one sequence's KV cache "
                         f"in the memory left after {m.name}'s weights", input_tokens)
    batch = np.minimum(batch, cap)
    flops = g.peak_tflops(precision) * 1e12 * n
    bw = g.bandwidth_gb_per_s * 1e9 * n
    p_active = m.active_params_b * 1e9
    t_mem = (w_bytes + batch * k * (inp + outp / 2)) / (bw * eta_mem)
    t_comp = 2.0 * p_active * batch / (flops * eta_comp)
    t_step = np.maximum(t_mem, t_comp)
    t_prefill = 2.0 * p_active * inp / (flops * eta_comp)
    rps = 1.0 / (t_prefill + outp * t_step / batch)
    bound = np.where(t_mem >= t_comp, "memory", "compute")
    return Throughput(
        output_tokens_per_s=out(outp * rps),
        requests_per_s=out(rps),
        batch=out(batch),
        gpus_per_replica=out(n),
        decode_bound=bound.item() if bound.ndim == 0 else bound,
    )


#: Tensor-parallel degrees tried when the caller does not fix one.
TP_DEGREES = (1.0, 2.0, 4.0, 8.0)
#: A larger replica must give this much more throughput per GPU to be chosen: the roofline
#: leaves out tensor-parallel communication, which favours the smaller replica.
TP_GAIN_REQUIRED = 1.10


def _best_replica(m: OpenModel, g: GPU, inp: Any, outp: Any, precision: str, kvp: str,
                  max_batch: Any, eta_mem: Any, eta_comp: Any) -> Throughput:
    """Throughput at the tensor-parallel degree that serves the request shape best per GPU."""
    shape = np.broadcast(inp, outp).shape
    best: Throughput | None = None
    best_per_gpu = np.zeros(shape)
    for n in TP_DEGREES:
        fits = (n * g.memory_gb * 1e9 * USABLE_MEMORY_FRACTION
                - m.params_b * 1e9 * precision_bytes(precision)
                - kv_cache_bytes_per_token(m, kvp) * (inp + outp)) > 0
        if not np.any(fits):
            continue
        safe_in = np.where(fits, inp, 1.0)
        safe_out = np.where(fits, outp, 1.0)
        t = throughput(m, g, safe_in, safe_out, precision, n, kvp, max_batch, eta_mem, eta_comp)
        per_gpu = np.where(fits, np.asarray(t.output_tokens_per_s) / n, 0.0)
        take = per_gpu > best_per_gpu * TP_GAIN_REQUIRED
        if best is None:
            best, best_per_gpu = t, per_gpu
            continue
        best = Throughput(*(
            out(np.where(take, getattr(t, f.name), getattr(best, f.name)))
            for f in dataclasses.fields(Throughput)
        ))
        best_per_gpu = np.where(take, per_gpu, best_per_gpu)
    if best is None or np.any(best_per_gpu == 0):
        raise InputError("model", f"must fit on up to {TP_DEGREES[-1]:g} x {g.name} at "
                         f"{precision} with this request size", m.name)
    return best


@dataclasses.dataclass(frozen=True)
class ServingPlan:
    """How many GPUs a workload needs and why."""

    gpus: Any
    replicas: Any
    gpus_per_replica: Any
    requests_per_s_per_replica: Any
    peak_requests_per_s: Any
    utilisation_at_peak: Any


def serving_plan(
    workload: Workload,
    model: str | OpenModel,
    gpu: str | GPU,
    precision: str = "bf16",
    target_utilisation: ArrayLike = 0.7,
    min_replicas: ArrayLike = 2,
    measured_output_tokens_per_s: ArrayLike | None = None,
    gpus_per_replica: ArrayLike | None = None,
) -> ServingPlan:
    """GPUs needed to serve a workload's peak at a target utilisation, with spare replicas.

    Parameters
    ----------
    workload : the traffic (average requests/day × peak_to_average gives the peak).
    model, gpu, precision : what is served on what.
    target_utilisation : fraction of a replica's throughput to plan for (0–1]; headroom for
        bursts and latency targets.
    min_replicas : at least this many replicas for availability (2 survives one failure).
    measured_output_tokens_per_s : your measured output tokens/s per replica at this request
        shape; overrides the roofline estimate.
    gpus_per_replica : tensor-parallel degree; default the fewest GPUs that fit the model.

    Notes
    -----
    replicas = max(min_replicas, ⌈peak requests/s ÷ (requests/s per replica × utilisation)⌉);
    GPUs = replicas × GPUs per replica. A workload of zero requests needs zero GPUs.

    Examples
    --------
    >>> p = serving_plan(Workload(100_000, 1000, 1000), "llama-3.1-8b", "h100", "fp8")
    >>> p.gpus, p.replicas
    (2.0, 2.0)
    """
    w = workload
    util = check(target_utilisation, "target_utilisation", low_open=True, high=1.0)
    rmin = check(min_replicas, "min_replicas", low=0.0)
    t = throughput(model, gpu, w.input_tokens_per_request, w.output_tokens_per_request,
                   precision, gpus_per_replica)
    rps = np.asarray(t.requests_per_s, dtype=np.float64)
    if measured_output_tokens_per_s is not None:
        measured = check(measured_output_tokens_per_s, "measured_output_tokens_per_s",
                         low_open=True)
        rps = measured / np.asarray(w.output_tokens_per_request, dtype=np.float64)
    peak = (np.asarray(w.requests_per_day, dtype=np.float64) / SECONDS_PER_DAY
            * np.asarray(w.peak_to_average, dtype=np.float64))
    needed = np.ceil(peak / (rps * util) - 1e-12)
    replicas = np.where(peak > 0, np.maximum(needed, rmin), 0.0)
    n = np.asarray(t.gpus_per_replica, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(replicas > 0, peak / (replicas * rps), 0.0)
    return ServingPlan(
        gpus=out(replicas * n), replicas=out(replicas), gpus_per_replica=out(n),
        requests_per_s_per_replica=out(rps), peak_requests_per_s=out(peak),
        utilisation_at_peak=out(used),
    )


def gpu_monthly_cost_usd(
    gpus: ArrayLike,
    gpu: str | GPU,
    mode: str = "rent",
    rent_usd_per_gpu_hour: ArrayLike | None = None,
    purchase_usd_per_gpu: ArrayLike | None = None,
    life_years: ArrayLike = 3.0,
    pue: ArrayLike = 1.3,
    usd_per_kwh: ArrayLike = 0.12,
    hosting_usd_per_gpu_month: ArrayLike = 150.0,
    hours_per_month: ArrayLike = HOURS_PER_MONTH,
) -> Any:
    """Monthly cost of GPUs, rented or bought.

    Parameters
    ----------
    gpus : number of GPUs (kept on all month).
    gpu : catalog name (defaults for rent, price and power come from it).
    mode : ``"rent"`` (hourly rate × hours) or ``"buy"`` (CAPEX straight-line over the life,
        plus power and hosting).
    rent_usd_per_gpu_hour, purchase_usd_per_gpu : override the catalog's indicative prices.
    life_years : depreciation life of bought GPUs (3 years is the common accounting life).
    pue : data-centre power usage effectiveness (1.3: Uptime Institute 2023 survey average
        ≈ 1.58, modern colocation 1.2–1.4).
    usd_per_kwh : electricity price (0.12: approximate 2024 US average for commercial users,
        EIA Electric Power Monthly).
    hosting_usd_per_gpu_month : rack space, network and host server share per GPU (an
        assumption; replace with your colocation quote).
    hours_per_month : default 8,760 / 12 = 730.

    Notes
    -----
    rent: gpus × rate × hours. buy: gpus × [price / (12·life) + power_W/1000 × pue × hours ×
    usd_per_kwh + hosting].

    Examples
    --------
    >>> gpu_monthly_cost_usd(2, "h100", rent_usd_per_gpu_hour=2.5)   # 2 × 2.5 × 730
    3650.0
    """
    g = gpu_spec(gpu)
    n = check(gpus, "gpus")
    hours = check(hours_per_month, "hours_per_month", high=744.0)
    if mode == "rent":
        rate = check(g.rent_usd_per_hour if rent_usd_per_gpu_hour is None
                     else rent_usd_per_gpu_hour, "rent_usd_per_gpu_hour")
        return out(n * rate * hours)
    if mode == "buy":
        price = check(g.purchase_usd if purchase_usd_per_gpu is None else purchase_usd_per_gpu,
                      "purchase_usd_per_gpu")
        life = check(life_years, "life_years", low_open=True)
        p = check(pue, "pue", low=1.0)
        kwh = check(usd_per_kwh, "usd_per_kwh")
        host = check(hosting_usd_per_gpu_month, "hosting_usd_per_gpu_month")
        power = g.power_w / 1000.0 * p * hours * kwh
        return out(n * (price / (12.0 * life) + power + host))
    raise InputError("mode", "must be 'rent' or 'buy'", mode)


def usd_per_million_output_tokens(
    model: str | OpenModel, gpu: str | GPU, input_tokens: ArrayLike = 1000.0,
    output_tokens: ArrayLike = 1000.0, precision: str = "bf16", utilisation: ArrayLike = 1.0,
    rent_usd_per_gpu_hour: ArrayLike | None = None,
) -> Any:
    """Rented-GPU cost per million output tokens at a utilisation (compute only, no people).

    Examples
    --------
    >>> round(usd_per_million_output_tokens("llama-3.1-8b", "h100", precision="fp8"), 3)
    0.056
    """
    t = throughput(model, gpu, input_tokens, output_tokens, precision)
    rate = gpu_monthly_cost_usd(t.gpus_per_replica, gpu, "rent", rent_usd_per_gpu_hour,
                                hours_per_month=1.0)
    u = check(utilisation, "utilisation", low_open=True, high=1.0)
    return out(np.asarray(rate) / (np.asarray(t.output_tokens_per_s) * 3600.0 * u) * 1e6)


__all__ = [
    "COMPUTE_EFFICIENCY", "MEMORY_EFFICIENCY", "ServingPlan", "Throughput",
    "gpu_monthly_cost_usd", "kv_cache_bytes_per_token", "min_gpus_to_fit", "serving_plan",
    "throughput", "usd_per_million_output_tokens", "weights_gb",
]
