"""GPU and open-model catalogs: bundled CSV files, one row per item, each with its source and date.

The CSV files in ``engine/data`` are the one source of these facts; everything else (Excel
dropdowns, template snapshots, docs) derives from what this module loads.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine.errors import InputError, UnknownNameError

#: Bytes per stored weight (or KV-cache element) for each supported numeric precision.
#: ``fp4`` is NVFP4/MXFP4: 4-bit values with one 8-bit scale per block of 16 (NVFP4) or 32
#: (MXFP4) values, 4.25-4.5 bits; counted as 4.5 bits (0.5625 bytes), the NVFP4 layout.
BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "fp4": 0.5625,
    "int4": 0.5,
}

#: Attention kinds the KV-cache formula knows: grouped-query (incl. multi-head/-query)
#: attention caches K and V per KV head; multi-head latent attention (DeepSeek-V2/V3, Kimi-K2)
#: caches one compressed latent plus a shared RoPE key per token and layer.
ATTENTION_KINDS = ("gqa", "mla")


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
    fp4_tflops: float | None = None
    scaleup_gpus: float = 8.0
    network_gb_per_s: float = 50.0
    software_efficiency: float = 1.0

    def peak_tflops(self, precision: str) -> float:
        """Dense peak tensor throughput used for matrix multiplies at ``precision``.

        FP8/INT8 weights use the 8-bit tensor cores where the GPU has them; a GPU without
        FP8 (A100) runs FP8 weights as weight-only quantisation at the BF16 rate. FP4
        weights use FP4 tensor cores where the GPU has them (Blackwell, MI355X), else run
        weight-only (W4A16: dequantised to BF16 in the kernel, as vLLM/TensorRT-LLM run
        MXFP4 on Hopper) at the BF16 rate. INT4 is weight-only (W4A16) everywhere, so it
        computes at the BF16 rate.
        """
        if precision == "fp4":
            if self.fp4_tflops is not None:
                return self.fp4_tflops
            precision = "bf16"
        if precision == "fp8":
            return self.fp8_tflops if self.fp8_tflops is not None else self.bf16_tflops
        if precision == "int8":
            return self.int8_tops
        return self.bf16_tflops

    def replace(self, **changes: Any) -> GPU:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class OpenModel:
    """An open-weights model's geometry (what memory and throughput depend on).

    ``expert_params_b``: parameters of all routed experts together (0 for a dense model);
    the rest (attention, embeddings, shared experts, dense layers) is read every step.
    ``sliding_layers`` of the ``layers`` keep only the last ``sliding_window`` tokens in their
    KV cache (0: every layer attends to the whole context).
    """

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
    attention: str = "gqa"
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    sliding_window: int = 0
    sliding_layers: int = 0
    hidden_size: int = 0
    experts: int = 0
    experts_per_token: int = 0
    expert_params_b: float = 0.0

    @property
    def is_moe(self) -> bool:
        return self.experts > 0 and self.expert_params_b > 0

    @property
    def kv_elements_per_token_layer(self) -> float:
        """Cached elements per token per layer: 2·kv_heads·head_dim (K and V), or
        kv_lora_rank + qk_rope_head_dim for multi-head latent attention."""
        if self.attention == "mla":
            return float(self.kv_lora_rank + self.qk_rope_head_dim)
        return 2.0 * self.kv_heads * self.head_dim

    def replace(self, **changes: Any) -> OpenModel:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


# --- loading and validation ------------------------------------------------------------

class CatalogError(InputError):
    """A catalog file broke a rule: names the file, row, column and rule."""

    def __init__(self, file: str, row: int, column: str, rule: str, value: Any) -> None:
        self.file, self.row, self.column = file, row, column
        InputError.__init__(self, f"{file}: row {row}, column {column}:", rule, value)


def _fields(kind: str) -> dict[str, str]:
    """Column → value type for a catalog kind (number, int, text, list, date, optional)."""
    if kind == "gpu":
        return {"aliases": "list", "memory_gb": "pos", "bandwidth_gb_per_s": "pos",
                "bf16_tflops": "pos", "fp8_tflops": "opt", "fp4_tflops": "opt",
                "int8_tops": "pos", "power_w": "pos", "rent_usd_per_hour": "nonneg",
                "purchase_usd": "nonneg", "scaleup_gpus": "pos", "network_gb_per_s": "pos",
                "software_efficiency": "pos", "spec_source": "text", "price_source": "text",
                "as_of": "date"}
    return {"aliases": "list", "params_b": "pos", "active_params_b": "pos", "layers": "int",
            "attention": "choice", "kv_heads": "int", "head_dim": "int",
            "kv_lora_rank": "int0", "qk_rope_head_dim": "int0", "sliding_window": "int0",
            "sliding_layers": "int0", "hidden_size": "int0", "experts": "int0",
            "experts_per_token": "int0", "expert_params_b": "nonneg",
            "context_tokens": "int", "license": "text", "source": "text", "as_of": "date"}


def _convert(kind: str, where: tuple[str, int], column: str, raw: str) -> Any:
    """One cell → its Python value, or CatalogError naming file, row, column and rule."""
    file, row = where
    t = _fields(kind)[column]
    text = raw.strip()
    if t == "list":
        return tuple(a.strip() for a in text.split("|") if a.strip())
    if t in ("text", "choice", "date"):
        if not text:
            raise CatalogError(file, row, column, "must not be blank", raw)
        if t == "choice" and text.lower() not in ATTENTION_KINDS:
            raise CatalogError(file, row, column, "must be one of " + ", ".join(ATTENTION_KINDS),
                               raw)
        if t == "date":
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise CatalogError(file, row, column, "must be an ISO date (YYYY-MM-DD)",
                                   raw) from None
        return text.lower() if t == "choice" else text
    if t == "opt" and not text:
        return None
    try:
        x = float(text.replace(",", "")) if text else float("nan")
    except ValueError:
        raise CatalogError(file, row, column, "must be a number", raw) from None
    if not math.isfinite(x):
        raise CatalogError(file, row, column, "must be a finite number" if text else
                           "must not be blank", raw)
    if t in ("pos", "opt", "int") and x <= 0:
        raise CatalogError(file, row, column, "must be > 0", raw)
    if t in ("nonneg", "int0") and x < 0:
        raise CatalogError(file, row, column, "must be >= 0", raw)
    if t in ("int", "int0"):
        if not x.is_integer():
            raise CatalogError(file, row, column, "must be a whole number", raw)
        return int(x)
    return x


_REQUIRED_NEW = {
    "gpu": ("memory_gb", "bandwidth_gb_per_s", "bf16_tflops", "power_w",
            "rent_usd_per_hour", "purchase_usd"),
    "model": ("params_b", "layers", "kv_heads", "head_dim", "context_tokens"),
}


def _make(kind: str, name: str, values: dict[str, Any], where: tuple[str, int],
          base: GPU | OpenModel | None) -> GPU | OpenModel:
    """A catalog item from converted cells over ``base`` (None: a new item, all required)."""
    file, row = where
    if base is None:
        for col in _REQUIRED_NEW[kind]:
            if col not in values:
                raise CatalogError(file, row, col, f"is required for a new {kind} "
                                   f"(not in the bundled catalog)", "")
        if kind == "gpu":
            values.setdefault("int8_tops", values.get("fp8_tflops") or values["bf16_tflops"])
            for k in ("fp8_tflops", "fp4_tflops"):
                values.setdefault(k, None)
            values.setdefault("aliases", ())
            item: Any = GPU(name=name, **{k: values.pop(k) for k in (
                "aliases", "memory_gb", "bandwidth_gb_per_s", "bf16_tflops", "fp8_tflops",
                "int8_tops", "power_w", "rent_usd_per_hour", "purchase_usd", "spec_source",
                "price_source", "as_of")})
        else:
            values.setdefault("active_params_b", values["params_b"])
            values.setdefault("aliases", ())
            values.setdefault("license", "unknown")
            item = OpenModel(name=name, **{k: values.pop(k) for k in (
                "aliases", "params_b", "active_params_b", "layers", "kv_heads", "head_dim",
                "context_tokens", "license", "source", "as_of")})
        return _checked(item.replace(**values), where)
    return _checked(base.replace(**values), where)


def _checked(item: GPU | OpenModel, where: tuple[str, int]) -> Any:
    """Rules between columns of one row."""
    file, row = where
    if isinstance(item, OpenModel):
        if item.active_params_b > item.params_b:
            raise CatalogError(file, row, "active_params_b", "must be <= params_b",
                               item.active_params_b)
        if item.expert_params_b >= item.params_b and item.expert_params_b > 0:
            raise CatalogError(file, row, "expert_params_b", "must be < params_b",
                               item.expert_params_b)
        if item.expert_params_b > 0 and not 0 < item.experts_per_token <= item.experts:
            raise CatalogError(file, row, "experts_per_token",
                               "must be between 1 and experts for a mixture-of-experts model",
                               item.experts_per_token)
        if item.sliding_layers > item.layers:
            raise CatalogError(file, row, "sliding_layers", "must be <= layers",
                               item.sliding_layers)
        if item.sliding_layers > 0 and item.sliding_window <= 0:
            raise CatalogError(file, row, "sliding_window", "must be > 0 when sliding_layers "
                               "is", item.sliding_window)
        if item.attention == "mla" and item.kv_lora_rank <= 0:
            raise CatalogError(file, row, "kv_lora_rank", "must be > 0 for mla attention",
                               item.kv_lora_rank)
    return item


def _read_csv(text: str) -> list[dict[str, str]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def _rows(filename: str) -> list[dict[str, str]]:
    from importlib import resources  # when a bundled table is first read, not at import

    text = resources.files("engine").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _bundled(kind: str) -> dict[str, Any]:
    filename, key = ("gpus.csv", "gpu") if kind == "gpu" else ("models.csv", "model")
    out: dict[str, Any] = {}
    for i, r in enumerate(_rows(filename), start=2):
        where = (f"engine/data/{filename}", i)
        vals = {c: _convert(kind, where, c, v) for c, v in r.items() if c != key}
        out[r[key]] = _make(kind, r[key], vals, where, None)
    return out


# --- the user's catalog file ---------------------------------------------------------------

#: Environment variable naming the user catalog file ("" turns the per-user file off).
CATALOG_ENV = "LLM_TCO_CATALOG"
#: Columns of a price row (USD per 1M tokens; thresholds and windows in tokens).
PRICE_COLUMNS = ("provider", "input", "output", "cached_input", "cache_write", "batch_input",
                 "batch_output", "batch_cached_input", "long_context_threshold", "long_input",
                 "long_output", "long_cached_input", "context_window")
KINDS = ("gpu", "model", "price")

_explicit: list[Path | None] = []  # set by use_catalog(); [] means "discover"


def default_catalog_path() -> Path:
    """The per-user catalog file: ``$XDG_CONFIG_HOME/llm-tco/catalog.csv`` (default
    ``~/.config/llm-tco/catalog.csv``); on Windows ``%APPDATA%\\llm-tco\\catalog.csv``."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "llm-tco" / "catalog.csv"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "llm-tco" / "catalog.csv"


def user_catalog_path() -> Path | None:
    """The user catalog in effect: :func:`use_catalog`'s file, else ``$LLM_TCO_CATALOG``,
    else the per-user file if it exists; None when there is none."""
    if _explicit:
        return _explicit[0]
    env = os.environ.get(CATALOG_ENV)
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    p = default_catalog_path()
    return p if p.is_file() else None


def use_catalog(path: str | Path | None) -> Path | None:
    """Merge this user catalog file over the bundled one from now on (None: bundled only).

    The file is read and validated at once; a bad file raises :class:`CatalogError` and
    leaves the catalog as it was.
    """
    p = Path(path).expanduser() if path is not None else None
    if p is not None:
        _parse_user(p)  # validate before switching
    _explicit[:] = [p]
    reset_catalogs()
    return p


def reset_catalogs() -> None:
    """Forget loaded catalogs (after the user file or the environment changed)."""
    for f in (gpus, open_models, user_prices, _user_rows):
        f.cache_clear()
    from engine import prices

    prices.api_price.cache_clear()


@cache
def _user_rows() -> tuple[Path | None, tuple[tuple[int, dict[str, str]], ...]]:
    p = user_catalog_path()
    if p is None:
        return None, ()
    return p, tuple(_parse_user(p))


def _parse_user(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a user catalog file (line number, cells), checked for shape and columns."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogError(name, 0, "-", "must be an existing file (the user catalog)",
                           name) from None
    except OSError as exc:
        raise CatalogError(name, 0, "-", f"must be readable ({exc.strerror})", name) from None
    lines = text.splitlines()
    numbered = [(i, ln) for i, ln in enumerate(lines, start=1)
                if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        return []
    reader = csv.reader([ln for _, ln in numbered])
    header = [h.strip() for h in next(reader)]
    for col in ("kind", "name"):
        if col not in header:
            raise CatalogError(name, numbered[0][0], col, "must be a column of the header row",
                               ",".join(header))
    allowed = {"kind", "name", "source", *_fields("gpu"), *_fields("model"), *PRICE_COLUMNS}
    for col in header:
        if col not in allowed:
            raise CatalogError(name, numbered[0][0], col, "is not a catalog column (see "
                               "docs/catalog.md)", col)
    out = []
    for (line, _), cells in zip(numbered[1:], reader, strict=True):
        if len(cells) > len(header):
            raise CatalogError(name, line, "-", f"must have at most {len(header)} cells, as "
                               "the header", len(cells))
        row = {h: (cells[j] if j < len(cells) else "") for j, h in enumerate(header)}
        kind = row["kind"].strip().lower()
        if kind not in KINDS:
            raise CatalogError(name, line, "kind", "must be one of " + ", ".join(KINDS),
                               row["kind"])
        if not row["name"].strip():
            raise CatalogError(name, line, "name", "must not be blank", row["name"])
        own = {"gpu": set(_fields("gpu")), "model": set(_fields("model")),
               "price": {*PRICE_COLUMNS, "as_of"}}[kind] | {"kind", "name", "source"}
        for col, v in row.items():
            if v.strip() and col not in own:
                raise CatalogError(name, line, col, f"is not a column of a {kind} row", v)
        if not row.get("source", "").strip() and not any(
                row.get(c, "").strip() for c in ("spec_source", "price_source")):
            raise CatalogError(name, line, "source", "must say where the figures come from",
                               "")
        if not row.get("as_of", "").strip():
            raise CatalogError(name, line, "as_of", "must give the date of the figures "
                               "(YYYY-MM-DD)", "")
        row["kind"] = kind
        out.append((line, row))
    for line, row in out:  # convert now, so the whole file is validated on load
        _user_item(name, line, row)
    return out


def _user_item(file: str, line: int, row: dict[str, str]) -> Any:
    kind = row["kind"]
    where = (file, line)
    if kind == "price":
        return _user_price(file, line, row)
    fields = _fields(kind)
    vals = {c: _convert(kind, where, c, v) for c, v in row.items()
            if c in fields and v.strip()}
    src = row.get("source", "").strip()
    idx = _index(_bundled_cached(kind))
    base_name = idx.get(row["name"].strip().lower())
    base = _bundled_cached(kind)[base_name] if base_name else None
    if kind == "gpu":
        if src:
            spec_cols = {"memory_gb", "bandwidth_gb_per_s", "bf16_tflops", "fp8_tflops",
                         "fp4_tflops", "int8_tops", "power_w", "scaleup_gpus",
                         "network_gb_per_s", "software_efficiency"}
            if base is None or spec_cols & vals.keys():
                vals.setdefault("spec_source", f"user catalog {file}: {src}")
            if base is None or {"rent_usd_per_hour", "purchase_usd"} & vals.keys():
                vals.setdefault("price_source", f"user catalog {file}: {src}")
        vals.setdefault("spec_source", base.spec_source if base else "")
        vals.setdefault("price_source", base.price_source if base else "")
    elif src:
        vals["source"] = f"user catalog {file}: {src}"
    return _make(kind, base_name or row["name"].strip(), vals, where, base)


def _user_price(file: str, line: int, row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": row["name"].strip(), "provider": row.get("provider", "").strip(),
                           "source": f"user catalog {file}: {row.get('source', '').strip()}",
                           "as_of": row["as_of"].strip(), "line": line, "file": file}
    try:
        dt.date.fromisoformat(out["as_of"])
    except ValueError:
        raise CatalogError(file, line, "as_of", "must be an ISO date (YYYY-MM-DD)",
                           out["as_of"]) from None
    for col in PRICE_COLUMNS[1:]:
        v = row.get(col, "").strip()
        if not v:
            continue
        try:
            x = float(v.replace(",", ""))
        except ValueError:
            raise CatalogError(file, line, col, "must be a number", v) from None
        if not math.isfinite(x) or x < 0:
            raise CatalogError(file, line, col, "must be a finite number >= 0", v)
        out[col] = x
    return out


@cache
def _bundled_cached(kind: str) -> dict[str, Any]:
    return _bundled(kind)


def _merged(kind: str) -> dict[str, Any]:
    out = dict(_bundled_cached(kind))
    path, rows = _user_rows()
    for line, row in rows:
        if row["kind"] == kind:
            item = _user_item(str(path), line, row)
            out[item.name] = item
    return out


@cache
def gpus() -> dict[str, GPU]:
    """All GPUs: the bundled catalog with the user catalog file merged over it, by name."""
    return _merged("gpu")


@cache
def open_models() -> dict[str, OpenModel]:
    """All open models: bundled, with the user catalog file merged over it, by name."""
    return _merged("model")


@cache
def user_prices() -> dict[str, dict[str, Any]]:
    """API price rows of the user catalog file, by lower-case model name."""
    path, rows = _user_rows()
    return {r["name"].strip().lower(): _user_price(str(path), line, r)
            for line, r in rows if r["kind"] == "price"}


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
