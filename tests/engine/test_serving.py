"""Self-hosted serving: the roofline against published measurements, memory, GPUs, cost."""

import numpy as np
import pytest

import engine as e


def test_llama_3_1_8b_fp8_h100_against_tensorrt_llm():
    # NVIDIA TensorRT-LLM performance overview: Llama-3.1-8B FP8, 1×H100, 1000 in / 1000 out
    # ≈ 15,200 output tokens/s. The roofline must land within ±35 %.
    t = e.throughput("Llama-3.1-8B", "H100-SXM", 1000, 1000, "fp8")
    assert t.gpus_per_replica == 1
    assert t.output_tokens_per_s == pytest.approx(15_200, rel=0.35)


def test_llama_2_70b_h100_against_mlperf_v4_1():
    # MLPerf Inference v4.1, Llama-2-70B offline on 8×H100: ~24,500 tok/s ≈ 3,070 per GPU.
    # The benchmark's OpenOrca samples average roughly 300 input and 300 output tokens
    # (approximate figures of the task's dataset). Within ±35 %.
    t = e.throughput("Llama-2-70B", "H100-SXM", 300, 300, "fp8")
    assert t.output_tokens_per_s_per_gpu == pytest.approx(3_070, rel=0.35)


def test_decode_is_memory_bound_at_small_batch_compute_bound_at_large():
    small = e.throughput("Llama-3.1-8B", "H100-SXM", 1000, 1000, "fp8", max_batch=1)
    large = e.throughput("Llama-2-70B", "H100-SXM", 300, 300, "fp8", gpus_per_replica=2)
    assert small.decode_bound == "memory"
    assert large.decode_bound == "compute"


def test_kv_cache_and_weights_geometry():
    # Llama-3.1-8B: 2 × 32 layers × 8 KV heads × 128 × 2 bytes = 131,072 B/token (bf16)
    assert e.kv_cache_bytes_per_token("Llama-3.1-8B", "bf16") == 131_072
    # Llama-3.3-70B in bf16: 70.6e9 × 2 = 141.2 GB > 72 GB usable of one H100 → 2 GPUs
    assert e.weights_gb("Llama-3.3-70B", "bf16") == pytest.approx(141.2)
    assert e.min_gpus_to_fit("Llama-3.3-70B", "H100-SXM", "bf16") == 2
    # in 80 GB of 4 × L4 (86.4 GB usable) it does not fit → 8 L4s
    assert e.min_gpus_to_fit("Llama-3.3-70B", "L4", "bf16") == 8


def test_model_that_cannot_fit_is_a_clear_error():
    with pytest.raises(e.InputError, match="weights"):
        e.throughput("Llama-3.3-70B", "L4", 1000, 1000, "bf16", gpus_per_replica=1)


def test_gpus_for_peak_with_availability_replicas():
    o = e.SelfHost(finetune=None)
    plan = e.serving_plan(e.Workload(1_000, 1000, 1000), o.model, o.gpu, o.precision)
    assert plan.replicas == 2  # tiny load: the availability minimum
    # 5M requests/day, peak ×2 → 115.7 req/s at peak; one replica does t.requests_per_s;
    # replicas = ceil(115.7 / (rps × 0.7))
    t = e.throughput(o.model, o.gpu, 1000, 1000, o.precision)
    peak = 5e6 / 86_400 * 2
    plan = e.serving_plan(e.Workload(5e6, 1000, 1000), o.model, o.gpu, o.precision)
    assert plan.replicas == np.ceil(peak / (t.requests_per_s * 0.7))
    assert plan.utilisation_at_peak <= 0.7


def test_measured_throughput_overrides_roofline():
    # measured 10,000 output tok/s at 1000 out → 10 req/s; 1M req/day peak ×2 = 23.15 req/s;
    # at 70 %: ceil(23.15 / 7) = 4 replicas
    plan = e.serving_plan(e.Workload(1e6, 1000, 1000), "Llama-3.1-8B", "H100-SXM", "fp8",
                          measured_output_tokens_per_s=10_000)
    assert plan.replicas == 4


def test_rent_and_buy_monthly_cost():
    # rent: 4 × $2.99 × 730 h = $8,730.80
    assert e.gpu_monthly_cost_usd(4, "H100-SXM") == pytest.approx(8730.8)
    # buy: 30,000 / 36 + 0.7 kW × 1.3 × 730 h × $0.12 + $150 = 833.33 + 79.716 + 150
    assert e.gpu_monthly_cost_usd(1, "H100-SXM", "buy") == pytest.approx(
        30_000 / 36 + 0.7 * 1.3 * 730 * 0.12 + 150)
    with pytest.raises(e.InputError, match="mode"):
        e.gpu_monthly_cost_usd(1, "H100-SXM", "lease")


def test_every_catalog_row_has_source_and_date():
    for g in e.gpus().values():
        assert g.spec_source and g.price_source and g.as_of
    for m in e.open_models().values():
        assert m.source and m.as_of
    required_gpus = {"A100-80GB", "H100-SXM", "H200", "L40S", "L4"}
    assert required_gpus <= set(e.gpus())
    assert {"Mistral-7B", "Llama-3.1-8B", "Llama-3.3-70B", "Qwen3-30B-A3B"} <= set(e.open_models())


def test_unknown_gpu_lists_close_matches():
    with pytest.raises(e.UnknownNameError, match="h100"):
        e.gpu_spec("H1000")
