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
#: Calibrated efficiencies (achieved ÷ roofline), fitted to the published measurements in
#: ``engine/data/measurements.csv`` (TensorRT-LLM perf-overview, MLPerf Inference v4.1, AMD
#: ROCm vLLM, SGLang; see docs/throughput.md): memory-bound decode reaches ~65 % of HBM
#: bandwidth and compute-bound phases ~40 % of dense peak in tuned engines.
MEMORY_EFFICIENCY = 0.65
COMPUTE_EFFICIENCY = 0.40
#: Mixture-of-experts models reach a smaller share: routing, grouped GEMMs over a few dozen
#: tokens per expert, expert load imbalance and intra-node all-to-all. Fitted on Qwen3-235B,
#: gpt-oss-120b, DeepSeek-R1/V3, Llama-4-Maverick and Qwen3-30B measurements.
MOE_MEMORY_FACTOR = 0.7
MOE_COMPUTE_FACTOR = 0.3


def efficiencies(model: str | OpenModel, gpu: str | GPU) -> tuple[float, float]:
    """(memory, compute) efficiency the roofline uses for this model on this GPU.

    Notes
    -----
    η_mem = 0.65 × (0.7 for a mixture-of-experts model) × the GPU's software_efficiency;
    η_comp = 0.40 × (0.3 for a mixture-of-experts model) × the same (1 for NVIDIA GPUs,
    0.34 for the AMD Instinct series: calibrated, see the GPU catalog's spec_source).

    Examples
    --------
    >>> efficiencies("llama-3.1-8b", "h100")
    (0.65, 0.4)
    >>> [round(x, 4) for x in efficiencies("deepseek-v3", "h200")]
    [0.455, 0.12]
    """
    m, g = open_model_spec(model), gpu_spec(gpu)
    sw = g.software_efficiency
    if m.is_moe:
        return (MEMORY_EFFICIENCY * MOE_MEMORY_FACTOR * sw,
                COMPUTE_EFFICIENCY * MOE_COMPUTE_FACTOR * sw)
    return MEMORY_EFFICIENCY * sw, COMPUTE_EFFICIENCY * sw


@dataclasses.dataclass(frozen=True)
class Throughput:
    """Roofline result for one replica (``gpus_per_replica`` GPUs, tensor/expert parallel)."""

    output_tokens_per_s: Any
    requests_per_s: Any
    batch: Any
    gpus_per_replica: Any
    decode_bound: Any  # "memory", "compute" or "network" per scenario
    decode_output_tokens_per_s: Any = None  # decode alone (prefill elsewhere): batch / step
    nodes: Any = 1.0

    @property
    def output_tokens_per_s_per_gpu(self) -> Any:
        return out(np.asarray(self.output_tokens_per_s) / np.asarray(self.gpus_per_replica))


def weights_gb(model: str | OpenModel, precision: str = "bf16") -> float:
    """Memory the weights take, in GB (10⁹ bytes): all experts of a mixture-of-experts model.

    Examples
    --------
    >>> weights_gb("llama-3.1-8b", "fp8")
    8.03
    """
    m = open_model_spec(model)
    return m.params_b * precision_bytes(precision)


def _kv_precision(precision: str, kv_precision: str | None) -> str:
    kvp = kv_precision or precision
    if precision_bytes(kvp, "kv_precision") < 1.0:
        kvp = "fp8"  # engines do not store a 4-bit KV cache by default
    return kvp


def kv_cache_bytes_per_token(model: str | OpenModel, kv_precision: str = "bf16") -> float:
    """KV-cache bytes per token of context in the layers that keep the whole context.

    Notes
    -----
    Per layer: 2 (K and V) × kv_heads × head_dim elements, or kv_lora_rank +
    qk_rope_head_dim for multi-head latent attention (MLA); × bytes per element × the layers
    without a sliding window. Sliding-window layers hold at most ``sliding_window`` tokens:
    see :func:`kv_cache_bytes`.

    Examples
    --------
    >>> kv_cache_bytes_per_token("llama-3.1-8b", "bf16")   # 2*32*8*128*2
    131072.0
    >>> kv_cache_bytes_per_token("deepseek-v3", "fp8")     # (512+64)*61*1
    35136.0
    """
    m = open_model_spec(model)
    return (m.kv_elements_per_token_layer * (m.layers - m.sliding_layers)
            * precision_bytes(kv_precision, "kv_precision"))


def kv_cache_bytes(model: str | OpenModel, context_tokens: ArrayLike,
                   kv_precision: str = "bf16") -> Any:
    """KV-cache bytes of one sequence of ``context_tokens`` tokens.

    Notes
    -----
    e × bytes × [(layers − sliding_layers) × L + sliding_layers × min(L, window)], with e the
    cached elements per token and layer (see :func:`kv_cache_bytes_per_token`).

    Examples
    --------
    >>> kv_cache_bytes("gpt-oss-120b", 4096, "fp8")   # 1024·(18·4096 + 18·128)
    77856768.0
    """
    m = open_model_spec(model)
    ctx = check(context_tokens, "context_tokens")
    per = m.kv_elements_per_token_layer * precision_bytes(kv_precision, "kv_precision")
    full = (m.layers - m.sliding_layers) * ctx
    local = m.sliding_layers * np.minimum(ctx, m.sliding_window) if m.sliding_layers else 0.0
    return out(per * (full + local))


def expert_read_fraction(model: str | OpenModel, batch: ArrayLike) -> Any:
    """Expected share of a mixture-of-experts model's routed experts one decode step reads.

    Notes
    -----
    Each of ``batch`` tokens picks k of E experts per layer; with uniform routing an expert
    is untouched by all of them with probability (1 − k/E)^batch, so the share read is
    1 − (1 − k/E)^batch: k/E for one token, nearly 1 from a few hundred tokens (DeepSeek-V3,
    k/E = 8/256: 96 % at batch 100). 1 for a dense model.

    Examples
    --------
    >>> round(expert_read_fraction("deepseek-v3", 1), 5)
    0.03125
    >>> round(expert_read_fraction("mixtral-8x7b", 4), 3)   # 1 − 0.75⁴
    0.684
    """
    m = open_model_spec(model)
    b = np.asarray(batch, dtype=np.float64)
    if not m.is_moe:
        return out(np.ones_like(b))
    return out(1.0 - np.power(1.0 - m.experts_per_token / m.experts, b))


def weight_bytes_read(model: str | OpenModel, precision: str, batch: ArrayLike) -> Any:
    """Weight bytes one decode step at ``batch`` sequences reads: the dense part (attention,
    embeddings, shared experts) always, the routed experts by :func:`expert_read_fraction`."""
    m = open_model_spec(model)
    bpp = precision_bytes(precision) * 1e9
    dense = (m.params_b - m.expert_params_b) * bpp
    return out(dense + m.expert_params_b * bpp * np.asarray(expert_read_fraction(m, batch)))


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
    >>> min_gpus_to_fit("kimi-k2", "h100", "fp8")          # 1,026 GB: two 8-GPU nodes
    16.0
    """
    g = gpu_spec(gpu)
    need = weights_gb(model, precision) * 1e9 + np.asarray(kv_cache_bytes(
        model, check(context_tokens, "context_tokens", low_open=True),
        _kv_precision(precision, kv_precision)))
    per_gpu = g.memory_gb * 1e9 * USABLE_MEMORY_FRACTION
    n = np.ceil(need / per_gpu)
    return out(np.power(2.0, np.ceil(np.log2(np.maximum(n, 1.0)))))


#: Achieved share of the scale-out network's bandwidth (InfiniBand/RoCE all-to-all).
NETWORK_EFFICIENCY = 0.6
#: Bytes per token and expert a cross-node all-to-all moves per MoE layer: FP8 dispatch (1)
#: + BF16 combine (2), as DeepEP does (DeepSeek-V3 technical report, §3.4).
ALL_TO_ALL_BYTES = 3.0


def throughput(
    model: str | OpenModel,
    gpu: str | GPU,
    input_tokens: ArrayLike = 1000.0,
    output_tokens: ArrayLike = 1000.0,
    precision: str = "bf16",
    gpus_per_replica: ArrayLike | None = None,
    kv_precision: str | None = None,
    max_batch: ArrayLike = MAX_BATCH,
    memory_efficiency: ArrayLike | None = None,
    compute_efficiency: ArrayLike | None = None,
    internode_gb_per_s: ArrayLike | None = None,
    network_efficiency: ArrayLike = NETWORK_EFFICIENCY,
) -> Throughput:
    """Sustained throughput of one replica serving requests of a given shape (roofline).

    Parameters
    ----------
    model, gpu : names in the catalogs (or their specs).
    input_tokens, output_tokens : tokens per request.
    precision : weight precision (``"bf16"``, ``"fp8"``, ``"int8"``, ``"fp4"``, ``"int4"``);
        FP4 computes on FP4 tensor cores where the GPU has them (see ``GPU.peak_tflops``).
    gpus_per_replica : GPUs per model replica; default the degree among 1, 2, 4 … 128 with
        the most throughput per GPU (a larger one only if >10 % better). A replica larger
        than the GPU's scale-up domain (``scaleup_gpus``, 8 in an HGX node, 72 in an NVL72
        rack) spans nodes and pays the scale-out network.
    kv_precision : KV-cache precision; default the weight precision (FP8 engines keep an FP8
        cache), at least 1 byte.
    max_batch : most concurrent sequences the engine schedules.
    memory_efficiency, compute_efficiency : achieved ÷ peak bandwidth, and ÷ peak FLOP/s;
        default the calibrated :func:`efficiencies` for this model and GPU.
    internode_gb_per_s : scale-out bandwidth per GPU, GB/s (default the GPU row's
        ``network_gb_per_s``: 50 for one 400 Gb/s NIC per GPU).
    network_efficiency : achieved ÷ peak scale-out bandwidth.

    Returns
    -------
    Throughput
        Output tokens/s and requests/s per replica, the batch, the decode bound, the
        decode-only rate and the nodes a replica spans.

    Notes
    -----
    With all weights W bytes (every expert is held), KV bytes of a sequence kv(L), n GPUs of
    bandwidth B and dense peak F at the precision, active parameters P, prompt I and output
    O tokens, the batch is what the memory left after the weights holds at full context:
    b = min(max_batch, ⌊(0.9·n·mem − W) / kv(I+O)⌋).

    - weights read per decode step: R(b) = W_dense + W_experts·(1 − (1 − k/E)^b)
      (:func:`expert_read_fraction`; = W for a dense model)
    - decode step: t = max((R(b) + b·kv(I + O/2)) / (n·B·η_mem), 2·P·b / (n·F·η_comp), t_net)
    - across N = ⌈n / scaleup⌉ > 1 nodes, a MoE layer's all-to-all moves
      3 bytes × hidden × k per token off-node with probability 1 − 1/N:
      t_net = layers·b·k·hidden·3·(1 − 1/N) / (n·net·η_net) (dense models: pipeline stages
      pass b·hidden·2 bytes per node boundary)
    - prefill of one request: t_p = max(2·P·I / (n·F·η_comp), the same all-to-all for I tokens)
    - GPU time per request: t_p + O·t/b, so requests/s = 1 / (t_p + O·t/b) and
      output tokens/s = O × requests/s; decode alone (prefill disaggregated): b / t.

    Attention FLOPs and KV reads during prefill are left out (small at these lengths).

    Examples
    --------
    >>> t = throughput("llama-3.1-8b", "h100", 1000, 1000, "fp8")
    >>> round(t.output_tokens_per_s, -2)
    13700.0
    """
    m = open_model_spec(model)
    g = gpu_spec(gpu)
    inp = check(input_tokens, "input_tokens")
    outp = check(output_tokens, "output_tokens", low_open=True)
    kvp = _kv_precision(precision, kv_precision)
    net = check(g.network_gb_per_s if internode_gb_per_s is None else internode_gb_per_s,
                "internode_gb_per_s", low_open=True)
    eta_net = check(network_efficiency, "network_efficiency", low_open=True, high=1.0)
    cal_mem, cal_comp = efficiencies(m, g)
    memory_efficiency = cal_mem if memory_efficiency is None else memory_efficiency
    compute_efficiency = cal_comp if compute_efficiency is None else compute_efficiency
    if gpus_per_replica is None:
        return _best_replica(m, g, inp, outp, precision, kvp, max_batch, memory_efficiency,
                             compute_efficiency, net, eta_net)
    n = check(gpus_per_replica, "gpus_per_replica", low=1.0)
    eta_mem = check(memory_efficiency, "memory_efficiency", low_open=True, high=1.0)
    eta_comp = check(compute_efficiency, "compute_efficiency", low_open=True, high=1.0)
    cap = check(max_batch, "max_batch", low=1.0)

    w_bytes = m.params_b * 1e9 * precision_bytes(precision)
    mem_free = n * g.memory_gb * 1e9 * USABLE_MEMORY_FRACTION - w_bytes
    if np.any(mem_free <= 0):
        raise InputError(
            "gpus_per_replica",
            f"must give enough memory for {m.name}'s {w_bytes / 1e9:.1f} GB of {precision} "
            f"weights on {g.name} ({g.memory_gb:g} GB each)",
            gpus_per_replica,
        )
    kv_seq = np.asarray(kv_cache_bytes(m, inp + outp, kvp))
    batch = np.floor(mem_free / kv_seq)
    if np.any(batch < 1):
        raise InputError("input_tokens", "with output_tokens must fit one sequence's KV cache "
                         f"in the memory left after {m.name}'s weights", input_tokens)
    batch = np.minimum(batch, cap)
    flops = g.peak_tflops(precision) * 1e12 * n
    bw = g.bandwidth_gb_per_s * 1e9 * n
    p_active = m.active_params_b * 1e9
    kv_read = np.asarray(kv_cache_bytes(m, inp + outp / 2, kvp))
    t_mem = (np.asarray(weight_bytes_read(m, precision, batch)) + batch * kv_read) / (bw * eta_mem)
    t_comp = 2.0 * p_active * batch / (flops * eta_comp)
    nodes = np.ceil(n / g.scaleup_gpus - 1e-12)
    off_node = np.where(nodes > 1, 1.0 - 1.0 / nodes, 0.0)
    hidden = float(m.hidden_size)
    if m.is_moe:  # bytes per token crossing nodes, per step
        per_token = m.layers * m.experts_per_token * hidden * ALL_TO_ALL_BYTES * off_node
    else:
        per_token = 2.0 * hidden * (nodes - 1.0)
    net_bw = n * net * 1e9 * eta_net
    t_net = batch * per_token / net_bw
    t_step = np.maximum(np.maximum(t_mem, t_comp), t_net)
    t_prefill = np.maximum(2.0 * p_active * inp / (flops * eta_comp), inp * per_token / net_bw)
    rps = 1.0 / (t_prefill + outp * t_step / batch)
    bound = np.where(t_step == t_net, "network",
                     np.where(t_mem >= t_comp, "memory", "compute"))
    return Throughput(
        output_tokens_per_s=out(outp * rps),
        requests_per_s=out(rps),
        batch=out(batch),
        gpus_per_replica=out(n),
        decode_bound=bound.item() if bound.ndim == 0 else bound,
        decode_output_tokens_per_s=out(batch / t_step),
        nodes=out(nodes),
    )


#: Replica sizes tried when the caller does not fix one (beyond 8: multi-node replicas).
TP_DEGREES = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
#: The automatic replica size spans nodes only on GPUs with a data-centre scale-out network
#: (≥ 200 Gb/s per GPU); PCIe inference cards (L4, A10G, GeForce) stay within one node.
MULTI_NODE_MIN_NETWORK_GB_PER_S = 25.0
#: A larger replica must give this much more throughput per GPU to be chosen: the roofline
#: leaves out tensor-parallel communication, which favours the smaller replica.
TP_GAIN_REQUIRED = 1.10


def _best_replica(m: OpenModel, g: GPU, inp: Any, outp: Any, precision: str, kvp: str,
                  max_batch: Any, eta_mem: Any, eta_comp: Any, net: Any = None,
                  eta_net: Any = NETWORK_EFFICIENCY) -> Throughput:
    """Throughput at the replica size that serves the request shape best per GPU."""
    shape = np.broadcast(inp, outp).shape
    best: Throughput | None = None
    best_per_gpu = np.zeros(shape)
    kv_seq = np.asarray(kv_cache_bytes(m, np.asarray(inp) + np.asarray(outp), kvp))
    for n in TP_DEGREES:
        if n > g.scaleup_gpus and g.network_gb_per_s < MULTI_NODE_MIN_NETWORK_GB_PER_S:
            break  # PCIe cards on a slow network: replicas stay within one node
        fits = (n * g.memory_gb * 1e9 * USABLE_MEMORY_FRACTION
                - m.params_b * 1e9 * precision_bytes(precision) - kv_seq) > 0
        if not np.any(fits):
            continue
        safe_in = np.where(fits, inp, 1.0)
        safe_out = np.where(fits, outp, 1.0)
        t = throughput(m, g, safe_in, safe_out, precision, n, kvp, max_batch, eta_mem,
                       eta_comp, net, eta_net)
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
    0.061
    """
    t = throughput(model, gpu, input_tokens, output_tokens, precision)
    rate = gpu_monthly_cost_usd(t.gpus_per_replica, gpu, "rent", rent_usd_per_gpu_hour,
                                hours_per_month=1.0)
    u = check(utilisation, "utilisation", low_open=True, high=1.0)
    return out(np.asarray(rate) / (np.asarray(t.output_tokens_per_s) * 3600.0 * u) * 1e6)


__all__ = [
    "COMPUTE_EFFICIENCY",
    "MEMORY_EFFICIENCY",
    "MOE_COMPUTE_FACTOR",
    "MOE_MEMORY_FACTOR",
    "NETWORK_EFFICIENCY",
    "ServingPlan",
    "Throughput",
    "efficiencies",
    "expert_read_fraction",
    "gpu_monthly_cost_usd",
    "kv_cache_bytes",
    "kv_cache_bytes_per_token",
    "min_gpus_to_fit",
    "serving_plan",
    "throughput",
    "usd_per_million_output_tokens",
    "weight_bytes_read",
    "weights_gb",
]
