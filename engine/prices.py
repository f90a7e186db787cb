"""API token prices from the ``genai-prices`` catalog (offline, versioned), with user overrides.

All prices are US dollars per million tokens. The catalog is the one source of list prices;
users override any field (``ApiPrice.replace``). A price carries the catalog version and the
catalog date so a workbook can snapshot it and be recalculated later with the same answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from decimal import Decimal
from functools import cache
from importlib.metadata import version as _dist_version
from typing import Any

from engine.errors import InputError, UnknownNameError

#: Batch APIs of OpenAI, Anthropic and Google bill 50% of the standard rate (OpenAI Batch API
#: docs, Anthropic Message Batches pricing, Google Gemini Batch Mode pricing, all 2025). Used
#: only when the catalog row has no batch prices of its own.
DEFAULT_BATCH_DISCOUNT = 0.5

#: Warn when the catalog's newest price is older than this (override per call or with
#: the ``LLM_TCO_MAX_PRICE_AGE_DAYS`` environment variable in the command line).
DEFAULT_MAX_PRICE_AGE_DAYS = 180

#: Providers searched first when a model name is ambiguous (the model's own vendor before
#: resellers and clouds that list the same model).
_PREFERRED_PROVIDERS = ("openai", "anthropic", "google", "mistral", "deepseek", "x-ai", "groq")


@dataclasses.dataclass(frozen=True)
class ApiPrice:
    """One model's API prices in USD per million tokens.

    ``long_context_threshold_tokens``: a request whose prompt (input tokens, cached included)
    is above it pays the ``long_*`` rates on all its tokens, as providers bill it.
    ``batch_*`` prices apply to traffic sent through the provider's batch API.
    """

    model: str
    provider: str
    input_usd_per_million_tokens: float
    output_usd_per_million_tokens: float
    cached_input_usd_per_million_tokens: float
    cache_write_usd_per_million_tokens: float
    batch_input_usd_per_million_tokens: float
    batch_output_usd_per_million_tokens: float
    batch_cached_input_usd_per_million_tokens: float
    long_context_threshold_tokens: float = float("inf")
    long_input_usd_per_million_tokens: float = float("nan")
    long_output_usd_per_million_tokens: float = float("nan")
    long_cached_input_usd_per_million_tokens: float = float("nan")
    context_window_tokens: float = float("nan")
    source: str = "user"
    catalog_version: str = ""
    catalog_date: str = ""

    def replace(self, **overrides: float | str) -> ApiPrice:
        """Return a copy with some prices overridden (the source then says so).

        Examples
        --------
        >>> p = api_price("gpt-4o").replace(input_usd_per_million_tokens=2.0)
        >>> p.input_usd_per_million_tokens, p.source.endswith("user override")
        (2.0, True)
        """
        fields = {f.name for f in dataclasses.fields(self)}
        for key, value in overrides.items():
            if key not in fields:
                raise InputError(key, f"is not a price field (one of {sorted(fields)})", value)
            if key.endswith("_usd_per_million_tokens") and not (
                isinstance(value, int | float) and value >= 0
            ):
                raise InputError(key, "must be a number >= 0 (USD per million tokens)", value)
        source = self.source if "source" in overrides else f"{self.source}; user override"
        return dataclasses.replace(self, **{"source": source, **overrides})  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class CatalogInfo:
    """Which price catalog answered: package, version and the newest price date in it."""

    package: str
    version: str
    date: str


def _snapshot() -> Any:
    # Imported lazily: loading the catalog's 1.6 MB data module takes ~0.3 s.
    from genai_prices.data_snapshot import get_snapshot

    return get_snapshot()


@cache
def catalog_info() -> CatalogInfo:
    """The bundled catalog's version and date (newest price-change date found in its data).

    genai-prices does not stamp its data with a date; the newest ``start_date`` of any dated
    price in it (scheduled changes still in the future excluded) is the latest change the
    snapshot knows of, so its prices are current at least to that day.

    Examples
    --------
    >>> catalog_info().package
    'genai-prices'
    """
    from genai_prices import types

    newest = dt.date(2000, 1, 1)
    today = dt.date.today()
    for provider in _snapshot().providers:
        for model in provider.models:
            conditionals = model.prices if isinstance(model.prices, list) else []
            variants = model.price_variants or []
            for item in [*conditionals, *variants]:
                c = item.constraint
                if isinstance(c, types.StartDateConstraint) and newest < c.start_date <= today:
                    newest = c.start_date
    return CatalogInfo("genai-prices", _dist_version("genai-prices"), newest.isoformat())


def check_price_age(
    max_age_days: float = DEFAULT_MAX_PRICE_AGE_DAYS, today: dt.date | None = None
) -> str | None:
    """Warn (and return the message) when the catalog is older than ``max_age_days``."""
    info = catalog_info()
    today = today or dt.date.today()
    age = (today - dt.date.fromisoformat(info.date)).days
    if age > max_age_days:
        msg = (
            f"price catalog {info.package} {info.version} is dated {info.date}, {age} days old "
            f"(limit {max_age_days:g}); upgrade it (pip install -U genai-prices) or override prices"
        )
        warnings.warn(msg, UserWarning, stacklevel=2)
        return msg
    return None


def _to_float(value: Any) -> tuple[float, float, float]:
    """(base price, long-context price, threshold) from a catalog price field."""
    from genai_prices.types import TieredPrices

    if value is None:
        return float("nan"), float("nan"), float("inf")
    if isinstance(value, TieredPrices):
        if not value.tiers:
            return float(value.base), float(value.base), float("inf")
        # Providers publish one long-context tier; the highest applies above its start.
        tier = value.tiers[-1]
        return float(value.base), float(tier.price), float(tier.start)
    return float(Decimal(value)), float(Decimal(value)), float("inf")


@cache
def _known_model_ids() -> tuple[str, ...]:
    return tuple(sorted({m.id.lower() for p in _snapshot().providers for m in p.models}))


@cache
def _known_provider_ids() -> tuple[str, ...]:
    return tuple(sorted(p.id.lower() for p in _snapshot().providers))


@cache
def _is_provider(provider: str) -> bool:
    from genai_prices.data_snapshot import find_provider_by_id

    return find_provider_by_id(_snapshot().providers, provider) is not None


#: Names the catalog does not know, remembered (up to this many) so that a range of the same
#: unknown names, or the next recalculation, does not search the catalog again (~0.5 ms).
_UNKNOWN: dict[tuple[str, str | None], tuple[str, str, Any, str]] = {}
_UNKNOWN_MAX = 100_000


def _find(model: str, provider: str | None) -> tuple[Any, Any]:
    known = _UNKNOWN.get((model, provider))
    if known is not None:
        raise UnknownNameError(*known)
    try:
        return _search(model, provider)
    except UnknownNameError as exc:
        if len(_UNKNOWN) < _UNKNOWN_MAX:
            _UNKNOWN[(model, provider)] = (exc.argument, exc.value, exc._known, exc.what)
        raise


def _search(model: str, provider: str | None) -> tuple[Any, Any]:
    snap = _snapshot()
    ref = model.strip().lower()
    if provider:
        try:
            return snap.find_provider_model(ref, None, provider, None)
        except LookupError:
            if not _is_provider(provider):
                raise UnknownNameError("provider", provider, _known_provider_ids(),
                                       "provider in the price catalog") from None
    else:
        try:
            return snap.find_provider_model(ref, None, None, None)
        except LookupError:
            for pid in _PREFERRED_PROVIDERS:
                try:
                    return snap.find_provider_model(ref, None, pid, None)
                except LookupError:
                    continue
    what = f"model of provider {provider!r}" if provider else "model in the price catalog"
    raise UnknownNameError("model", model, _known_model_ids(), what)


@cache
def api_price(model: str, provider: str | None = None, price_date: str | None = None) -> ApiPrice:
    """List prices of an API model, from the bundled ``genai-prices`` catalog.

    Parameters
    ----------
    model : str
        Model name as the provider's API takes it (``"gpt-4o"``, ``"claude-sonnet-4-5"``).
    provider : str, optional
        Provider id (``"openai"``, ``"anthropic"``, ``"google"``…); found from the name if omitted.
    price_date : str, optional
        ISO date whose prices to use (catalog rows can change price on a date); default today.

    Returns
    -------
    ApiPrice
        Prices in USD per million tokens, with catalog version and date.

    Raises
    ------
    UnknownNameError
        The model is not in the catalog; the message lists close matches.

    Examples
    --------
    >>> p = api_price("gpt-4o")
    >>> p.input_usd_per_million_tokens, p.output_usd_per_million_tokens
    (2.5, 10.0)
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError("model", "must be a model name", model)
    from engine.catalogs import user_prices

    user = user_prices().get(model.strip().lower())
    if user is not None and (not provider or not user["provider"]
                             or user["provider"].lower() == provider.lower()):
        return _user_api_price(user, provider, price_date)
    return _catalog_price(model, provider, price_date)


def _user_api_price(row: dict[str, Any], provider: str | None, price_date: str | None
                    ) -> ApiPrice:
    """A user catalog price row, over the bundled catalog's row of that model if there is one."""
    fields = {"input": "input_usd_per_million_tokens",
              "output": "output_usd_per_million_tokens",
              "cached_input": "cached_input_usd_per_million_tokens",
              "cache_write": "cache_write_usd_per_million_tokens",
              "batch_input": "batch_input_usd_per_million_tokens",
              "batch_output": "batch_output_usd_per_million_tokens",
              "batch_cached_input": "batch_cached_input_usd_per_million_tokens",
              "long_context_threshold": "long_context_threshold_tokens",
              "long_input": "long_input_usd_per_million_tokens",
              "long_output": "long_output_usd_per_million_tokens",
              "long_cached_input": "long_cached_input_usd_per_million_tokens",
              "context_window": "context_window_tokens"}
    given = {fields[k]: v for k, v in row.items() if k in fields}
    try:
        base: ApiPrice | None = _catalog_price(row["name"], row["provider"] or provider,
                                               price_date)
    except UnknownNameError:
        base = None
    source = f"{row['source']} (as of {row['as_of']})"
    if base is not None:
        return dataclasses.replace(base, **given, source=f"{base.source}; {source}")
    from engine.catalogs import CatalogError

    for k in ("input", "output"):
        if k not in row:
            raise CatalogError(row["file"], row["line"], k, "is required for a price row of a "
                               "model the bundled price catalog does not have", "")
    inp, out = row["input"], row["output"]
    cached = row.get("cached_input", inp)
    d = 1 - DEFAULT_BATCH_DISCOUNT
    long_in = row.get("long_input", inp)
    return ApiPrice(
        model=row["name"], provider=row["provider"] or provider or "user",
        input_usd_per_million_tokens=inp, output_usd_per_million_tokens=out,
        cached_input_usd_per_million_tokens=cached,
        cache_write_usd_per_million_tokens=row.get("cache_write", inp),
        batch_input_usd_per_million_tokens=row.get("batch_input", inp * d),
        batch_output_usd_per_million_tokens=row.get("batch_output", out * d),
        batch_cached_input_usd_per_million_tokens=row.get("batch_cached_input", cached * d),
        long_context_threshold_tokens=row.get("long_context_threshold", float("inf")),
        long_input_usd_per_million_tokens=long_in,
        long_output_usd_per_million_tokens=row.get("long_output", out),
        long_cached_input_usd_per_million_tokens=row.get("long_cached_input", cached),
        context_window_tokens=row.get("context_window", float("nan")),
        source=source, catalog_version="user", catalog_date=row["as_of"])


def with_overrides(price: ApiPrice | str, input_usd_per_million_tokens: Any = None,
                   output_usd_per_million_tokens: Any = None, discount: Any = 0.0) -> ApiPrice:
    """Prices with a quoted input/output rate and a negotiated discount applied.

    ``discount`` (0-1) scales every price after the quoted rates are set (0.2: 20 % off
    list). Blank (None) rates keep the catalog's.

    Examples
    --------
    >>> p = with_overrides("gpt-4o", output_usd_per_million_tokens=8.0, discount=0.25)
    >>> p.input_usd_per_million_tokens, p.output_usd_per_million_tokens
    (1.875, 6.0)
    """
    p = api_price(price) if isinstance(price, str) else price
    import numpy as np

    changes: dict[str, Any] = {}
    for field, v in (("input_usd_per_million_tokens", input_usd_per_million_tokens),
                     ("output_usd_per_million_tokens", output_usd_per_million_tokens)):
        if v is not None:
            a = np.asarray(v, dtype=np.float64)
            if np.any(~np.isfinite(a)) or np.any(a < 0):
                raise InputError(field, "must be a number >= 0 (USD per million tokens)", v)
            changes[field] = float(a) if a.ndim == 0 else a
    d = np.asarray(0.0 if discount is None else discount, dtype=np.float64)
    if np.any(~np.isfinite(d)) or np.any(d < 0) or np.any(d >= 1):
        raise InputError("discount", "must be in [0, 1)", discount)
    if not changes and not np.any(d):
        return p
    p = dataclasses.replace(p, **changes, source=f"{p.source}; user override"
                            if changes else p.source)
    if np.any(d):
        keep = 1.0 - (float(d) if d.ndim == 0 else d)
        scaled = {f.name: getattr(p, f.name) * keep for f in dataclasses.fields(p)
                  if f.name.endswith("_usd_per_million_tokens")}
        p = dataclasses.replace(p, **scaled, source=f"{p.source}; discount {discount}")
    return p


def _catalog_price(model: str, provider: str | None, price_date: str | None) -> ApiPrice:
    prov, info = _find(model, provider)
    when = dt.datetime.combine(
        dt.date.fromisoformat(price_date) if price_date else dt.date.today(),
        dt.time(12, 0),
        tzinfo=dt.UTC,
    )
    std = info.get_prices(when)
    batch = info.get_prices(when, {"processing": "batch"})
    has_batch = any(v.when.get("processing") == "batch" for v in (info.price_variants or []))

    inp, long_inp, threshold = _to_float(std.input_mtok)
    out, long_out, t_out = _to_float(std.output_mtok)
    cached, long_cached, _ = _to_float(std.cache_read_mtok)
    write, _, _ = _to_float(std.cache_write_mtok)
    if inp != inp or out != out:  # NaN: no token prices (an image or audio-only model)
        raise InputError("model", "must be a text model with input and output token prices", model)
    if cached != cached:  # no cache discount published: cached tokens bill as input
        cached, long_cached = inp, long_inp
    if write != write:
        write = inp
    if has_batch:
        b_in, _, _ = _to_float(batch.input_mtok)
        b_out, _, _ = _to_float(batch.output_mtok)
        b_cached, _, _ = _to_float(batch.cache_read_mtok)
        if b_cached != b_cached:
            b_cached = b_in
    else:
        b_in, b_out, b_cached = (x * (1 - DEFAULT_BATCH_DISCOUNT) for x in (inp, out, cached))
    cat = catalog_info()
    return ApiPrice(
        model=info.id,
        provider=prov.id,
        input_usd_per_million_tokens=inp,
        output_usd_per_million_tokens=out,
        cached_input_usd_per_million_tokens=cached,
        cache_write_usd_per_million_tokens=write,
        batch_input_usd_per_million_tokens=b_in,
        batch_output_usd_per_million_tokens=b_out,
        batch_cached_input_usd_per_million_tokens=b_cached,
        long_context_threshold_tokens=min(threshold, t_out),
        long_input_usd_per_million_tokens=long_inp if threshold < float("inf") else inp,
        long_output_usd_per_million_tokens=long_out if t_out < float("inf") else out,
        long_cached_input_usd_per_million_tokens=long_cached,
        context_window_tokens=float(info.context_window or "nan"),
        source=f"{cat.package} {cat.version} ({prov.name}: {', '.join(prov.pricing_urls or [])})",
        catalog_version=cat.version,
        catalog_date=cat.date,
    )


def list_api_models(provider: str | None = None) -> list[tuple[str, str]]:
    """(provider, model) pairs in the catalog that have text token prices, sorted."""
    out = []
    for p in _snapshot().providers:
        if provider and p.id != provider:
            continue
        for m in p.models:
            out.append((p.id, m.id))
    return sorted(out)
