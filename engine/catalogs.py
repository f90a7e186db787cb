"""GPU and open-model catalogs: bundled CSV files, one row per item, each with its source and date.

The CSV files in ``engine/data`` are the one source of these facts; everything else (Excel
dropdowns, template snapshots, docs) derives from what this module loads.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from engine.errors import UnknownNameError

#: Bytes per stored weight (or KV-cache element) for each supported numeric precision.
BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
}


@dataclass(frozen=True)
class GPU:
    """A GPU model's specification and indicative prices, each with its source."""

    name: str
    aliases: tuple[str, ...]
    memory_gb: float
    bandwidth_gb_per_s: float
    bf16_tflops: float
    fp8_tflops: float | None
    int8_tops: float
    power_w: float
    rent_usd_per_hour: float
    purchase_usd: float
    spec_source: str
    price_source: str
    as_of: str

    def peak_tflops(self, precision: str) -> float:
        """Dense peak tensor throughput used for matrix multiplies at ``precision``.

        FP8/INT8 weights use the 8-bit tensor cores where the GPU has them; a GPU without
        FP8 (A100) runs FP8 weights as weight-only quantisation at the BF16 rate. INT4 is
        weight-only (W4A16) everywhere, so it computes at the BF16 rate.
        """
        if precision == "fp8":
            return self.fp8_tflops if self.fp8_tflops is not None else self.bf16_tflops
        if precision == "int8":
            return self.int8_tops
        return self.bf16_tflops


@dataclass(frozen=True)
class OpenModel:
    """An open-weights model's geometry (what memory and throughput depend on)."""

    name: str
    aliases: tuple[str, ...]
    params_b: float
    active_params_b: float
    layers: int
    kv_heads: int
    head_dim: int
    context_tokens: int
    license: str
    source: str
    as_of: str


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("engine").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def gpus() -> dict[str, GPU]:
    """All GPUs in the bundled catalog, keyed by canonical name."""
    out: dict[str, GPU] = {}
    for r in _rows("gpus.csv"):
        out[r["gpu"]] = GPU(
            name=r["gpu"],
            aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
            memory_gb=float(r["memory_gb"]),
            bandwidth_gb_per_s=float(r["bandwidth_gb_per_s"]),
            bf16_tflops=float(r["bf16_tflops"]),
            fp8_tflops=float(r["fp8_tflops"]) if r["fp8_tflops"] else None,
            int8_tops=float(r["int8_tops"]),
            power_w=float(r["power_w"]),
            rent_usd_per_hour=float(r["rent_usd_per_hour"]),
            purchase_usd=float(r["purchase_usd"]),
            spec_source=r["spec_source"],
            price_source=r["price_source"],
            as_of=r["as_of"],
        )
    return out


@cache
def open_models() -> dict[str, OpenModel]:
    """All open models in the bundled catalog, keyed by canonical name."""
    out: dict[str, OpenModel] = {}
    for r in _rows("models.csv"):
        out[r["model"]] = OpenModel(
            name=r["model"],
            aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
            params_b=float(r["params_b"]),
            active_params_b=float(r["active_params_b"]),
            layers=int(r["layers"]),
            kv_heads=int(r["kv_heads"]),
            head_dim=int(r["head_dim"]),
            context_tokens=int(r["context_tokens"]),
            license=r["license"],
            source=r["source"],
            as_of=r["as_of"],
        )
    return out


def _index(items: dict[str, GPU] | dict[str, OpenModel]) -> dict[str, str]:
    idx: dict[str, str] = {}
    for name, item in items.items():
        idx[name.lower()] = name
        for alias in item.aliases:
            idx[alias.lower()] = name
    return idx


def gpu_spec(name: str | GPU, argument: str = "gpu") -> GPU:
    """Look a GPU up by name or alias, case-insensitively.

    Raises
    ------
    UnknownNameError
        When the name is not in the catalog; the message lists close matches.

    Examples
    --------
    >>> gpu_spec("h100").bandwidth_gb_per_s
    3350.0
    """
    if isinstance(name, GPU):
        return name
    idx = _index(gpus())
    key = str(name).strip().lower()
    if key not in idx:
        raise UnknownNameError(argument, str(name), idx.keys(), "GPU")
    return gpus()[idx[key]]


def open_model_spec(name: str | OpenModel, argument: str = "model") -> OpenModel:
    """Look an open model up by name or alias, case-insensitively.

    Examples
    --------
    >>> open_model_spec("llama-3.1-8b").layers
    32
    """
    if isinstance(name, OpenModel):
        return name
    idx = _index(open_models())
    key = str(name).strip().lower()
    if key not in idx:
        raise UnknownNameError(argument, str(name), idx.keys(), "open model")
    return open_models()[idx[key]]


def precision_bytes(precision: str, argument: str = "precision") -> float:
    """Bytes per parameter for a precision name (``"bf16"``, ``"fp8"``, ``"int4"``…)."""
    key = str(precision).strip().lower()
    if key not in BYTES_PER_PARAM:
        raise UnknownNameError(argument, str(precision), BYTES_PER_PARAM, "precision")
    return BYTES_PER_PARAM[key]
