"""API token prices from the ``genai-prices`` catalog (offline, versioned), with user overrides.

All prices are US dollars per million tokens. The catalog is the one source of list prices;
users override any field (``ApiPrice.replace``). A price carries the catalog version and the
catalog date so a workbook can snapshot it and be recalculated later with the same answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import operator
import re
import warnings
import zlib
from decimal import Decimal
from functools import cache
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
    # importlib.metadata only here: its import (email, zipfile …) is 10-15 ms of every
    # process that loads the engine, and only the catalog's description needs it
    from importlib.metadata import version as _dist_version

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


# --- names certainly not in the catalog, many at once ------------------------------------
#
# genai-prices finds a model by trying each model's match rule (equals / starts_with /
# ends_with / contains / regex, combined by and / or) in Python: ~0.5 ms a name. A range of
# a million distinct names the catalog does not know must not pay that per name. Every rule
# implies a *necessary* condition on the name — a literal it must equal, start or end with,
# or contain — so a name meeting none of the conditions of any rule matches nothing, and is
# certainly unknown. Names that meet one are searched as before (the answer is always the
# search's; the conditions only skip searches that cannot succeed).

#: A necessary condition: (kind, lower-case literal), kind "eq", "pre", "suf" or "sub".
_Need = frozenset[tuple[str, str]]


def _best(cands: list[_Need]) -> _Need | None:
    """The most selective of several conditions that all must hold (its weakest literal
    longest); None when there is none."""
    useful = [c for c in cands if c and all(lit for _, lit in c)]
    if not useful:
        return None
    return max(useful, key=lambda c: (min(len(lit) for _, lit in c), -len(c)))


def _regex_need(items: Any, at_start: bool) -> _Need | None:
    """A necessary condition of a parsed regex sequence (``re._parser`` items), or None."""
    from re import _constants as k  # the parser's opcodes (CPython 3.11+)

    cands: list[_Need] = []
    run: set[str] = {""}
    run_at_start = at_start

    def flush() -> None:
        if run != {""}:
            kind = "pre" if run_at_start else "sub"
            cands.append(frozenset((kind, r) for r in run))

    for op, av in items:
        if op is k.LITERAL:
            run = {r + chr(av).lower() for r in run}
            continue
        if op is k.IN and av and len(av) <= 8 and all(o is k.LITERAL for o, _ in av) \
                and len(run) * len(av) <= 64:
            run = {r + chr(c).lower() for r in run for _, c in av}
            continue
        if op in (k.AT, k.ASSERT, k.ASSERT_NOT):  # zero width: the text run goes on
            continue
        flush()
        starts = at_start and run == {""} and run_at_start
        run, run_at_start = {""}, False
        if op is k.SUBPATTERN:
            cands.append(_regex_need(av[-1], starts) or frozenset())
        elif op is k.BRANCH:
            alts = [_regex_need(alt, starts) for alt in av[1]]
            if all(a is not None for a in alts):
                cands.append(frozenset().union(*alts))
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, getattr(k, "POSSESSIVE_REPEAT", None)) \
                and av[0] >= 1:
            cands.append(_regex_need(av[2], starts) or frozenset())
        at_start = False
    flush()
    return _best(cands)


def _need(clause: Any) -> _Need | None:
    """A necessary condition of a genai-prices match clause on a lower-case name, or None
    (a clause this module does not understand, or one that matches almost anything)."""
    import re._parser

    kind = type(clause).__name__
    if kind == "ClauseEquals":
        return frozenset({("eq", clause.equals.lower())})
    if kind == "ClauseStartsWith":
        return frozenset({("pre", clause.starts_with.lower())})
    if kind == "ClauseEndsWith":
        return frozenset({("suf", clause.ends_with.lower())})
    if kind == "ClauseContains":
        return frozenset({("sub", clause.contains.lower())})
    if kind == "ClauseOr":
        parts = [_need(c) for c in clause.or_]
        return None if any(p is None for p in parts) else frozenset().union(*parts)
    if kind == "ClauseAnd":
        return _best([p for p in map(_need, clause.and_) if p is not None])
    if kind == "ClauseRegex":
        try:
            parsed = re._parser.parse(clause.regex)
        except re.error:
            return None
        return _regex_need(list(parsed), True)
    return None


def _trie(words: set[str], anchored: bool) -> Any:
    """One compiled regex matching any of ``words`` (as a trie: one branch per next
    character, not one per word: ~0.3 µs a name against 300 words)."""
    tree: dict[str, Any] = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def rx(node: dict[str, Any]) -> str:
        if "" in node:  # a word ends here: any longer word is a longer match, not needed
            return ""
        alts = [re.escape(ch) + rx(sub) for ch, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    body = rx(tree) if words else "(?!)"
    return re.compile(body).match if anchored else re.compile(body).search


_GRAM_BITS = 20  # tables of 2^20 window hashes: few false hits among ~4,000 literals


def _gram_hash(codes: Any, width: int) -> Any:
    """A hash (``_GRAM_BITS`` bits) of each ``width``-character window (3 or 4) of a uint32
    array of code points: 7 bits a character (code points beyond ASCII folded in), mixed by
    a multiplication. A collision only lets a name through to the exact tests."""
    import numpy as np

    out = np.empty(max(codes.size - width + 1, 0), dtype=np.uint32)
    step = 1 << 18  # windows per pass: the temporaries stay in the CPU cache
    seven = np.uint32(7)
    for lo in range(0, out.size, step):
        c = codes[lo:lo + step + width - 1]
        if int(c.max(initial=0)) >= 128:
            # ASCII stays itself (whether or not its block has other characters); others
            # fold to 64-127.
            c = np.where(c < 128, c, (c ^ (c >> seven)) & np.uint32(63) | np.uint32(64))
        m = c.size - width + 1
        h = c[:m].copy()
        for j in range(1, width):
            h <<= seven
            h |= c[j:j + m]
        with np.errstate(over="ignore"):
            h *= np.uint32(0x9E3779B1)
        out[lo:lo + step] = h >> np.uint32(32 - _GRAM_BITS)
    return out


def _window_hash(window: str) -> int:
    """_gram_hash of one window, in plain Python (the filter hashes ~8,000 literals' windows
    once; numpy per window would cost 20 µs each)."""
    h = 0
    for ch in window:
        c = ord(ch)
        h = h << 7 | (c if c < 128 else (c ^ c >> 7) & 63 | 64)
    return (h * 0x9E3779B1 & 0xFFFFFFFF) >> (32 - _GRAM_BITS)


def _codes(text: str) -> Any:
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


@dataclasses.dataclass(frozen=True)
class _Filter:
    """The necessary conditions of a set of rules, ready to test many names."""

    equals: frozenset[str]
    prefix: Any  # compiled match (a trie of the literals)
    suffix: Any  # matched against the reversed name
    contains: Any
    #: Pre-screen. A literal of 4+ characters is in a name only if both of its two least
    #: likely 4-character windows are: each literal has a bit (one of 32), set at the hash
    #: of its first window in the low 32 bits of ``windows`` and of its second in the high
    #: 32 (one table, so one gather a window); a name whose windows' bits in the two halves
    #: share none holds no such literal. A 3-character literal a name must start with, end
    #: with or contain is a hash in ``three`` (None: there is none). A name passing neither,
    #: nor the short literals, meets no condition and needs no regex.
    windows: Any
    three: Any
    #: Literals under 3 characters, and those of 3 a name must equal (a length test, not a
    #: pass over every 3-character window).
    short: tuple[tuple[str, str], ...]

    def maybe(self, name: str) -> bool:
        return (name in self.equals or self.prefix(name) is not None
                or self.suffix(name[::-1]) is not None or self.contains(name) is not None)


#: English letter frequencies in % (Lewand, "Cryptological Mathematics", 2000): the window
#: chosen for a literal is the least likely one in ordinary names, so that a column of names
#: made of common words and numbers ("model-1234", "prov-7") passes the pre-screen rarely.
_LETTER_PERCENT = dict(zip("etaoinshrdlcumwfgypbvkjxqz", (
    12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0,
    1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07), strict=True))


def _likely(window: str) -> float:
    """How likely a window of characters is in an ordinary name (digits and signs: 10 %)."""
    return math.prod(_LETTER_PERCENT.get(c, 10.0) for c in window)


def _filter(needs: list[_Need | None], extra_equals: set[str] = frozenset()) -> _Filter | None:
    import numpy as np

    if any(n is None for n in needs):
        return None
    by: dict[str, set[str]] = {"eq": set(extra_equals), "pre": set(), "suf": set(), "sub": set()}
    for n in needs:
        for kind, lit in n or ():
            by[kind].add(lit)
    literals = {lit for lits in by.values() for lit in lits}
    size = 1 << _GRAM_BITS
    first, second = np.zeros(size, dtype=np.uint32), np.zeros(size, dtype=np.uint32)
    three = np.zeros(size, dtype=bool)
    for lit in literals:
        if len(lit) == 3:
            if lit in by["pre"] | by["suf"] | by["sub"]:
                three[_window_hash(lit)] = True
        elif len(lit) > 3:
            ws = sorted(dict.fromkeys(lit[i:i + 4] for i in range(len(lit) - 3)), key=_likely)
            bit = np.uint32(1 << zlib.crc32(lit.encode()) % 32)
            first[_window_hash(ws[0])] |= bit
            second[_window_hash(ws[-1] if len(ws) == 1 else ws[1])] |= bit
    short = tuple(sorted((k, lit) for k, lits in by.items() for lit in lits
                         if len(lit) < 3 or (len(lit) == 3 and k == "eq")))
    windows = first.astype(np.uint64) | second.astype(np.uint64) << np.uint64(32)
    return _Filter(frozenset(by["eq"]), _trie(by["pre"], True),
                   _trie({s[::-1] for s in by["suf"]}, True), _trie(by["sub"], False),
                   windows, three if three.any() else None, short)


@cache
def _model_filter() -> _Filter | None:
    needs: list[_Need | None] = []
    for p in _snapshot().providers:
        if p.model_match is not None:
            needs.append(_need(p.model_match))
        needs += [_need(m.match) for m in p.models]
    return _filter(needs)


@cache
def _provider_filter() -> _Filter | None:
    providers = _snapshot().providers
    needs = [_need(p.provider_match) for p in providers if p.provider_match is not None]
    return _filter(needs, {p.id.lower() for p in providers})


def certainly_unknown(models: Any, providers: Any) -> Any:
    """For each (model, provider) pair, True where :func:`api_price` certainly raises
    :class:`UnknownNameError` (the model, or the provider, is in no rule of the catalog);
    False where it may not (then only the search can tell).

    Parameters
    ----------
    models : model names, as ``api_price`` takes them (a sequence), or one name (a ``str``)
        for every pair.
    providers : provider ids (None or "" for none), one per pair, or one id (a ``str`` or
        None) for every pair.

    Returns
    -------
    A numpy bool array, one element per pair (one pair when both are single).

    Notes
    -----
    Each rule of the catalog implies a literal the (lower-case) name must equal, start with,
    end with or contain; a name with none of the literals of any rule cannot match. Not
    decided here (False): blank names, names in the user price catalog, names with a compact
    date (genai-prices rewrites ``-20251211`` to ``-2025-12-11`` and searches again), the
    provider "litellm" (whose model names carry a provider prefix), and everything when a
    rule is of a kind this module does not read. A single model (or provider) is screened
    once, not once per pair (a range of a million providers for one model).

    Examples
    --------
    >>> certainly_unknown(["gpt-4o", "no-such-model-1", "gpt-4o"], [None, None, "nobody"]).tolist()
    [False, True, True]
    >>> certainly_unknown("gpt-4o", ["openai", "nobody"]).tolist()
    [False, True]
    """
    import numpy as np
    from genai_prices import types

    from engine.catalogs import user_prices

    models = [models] if isinstance(models, str) else list(models)
    providers = [providers] if providers is None or isinstance(providers, str) \
        else list(providers)
    n = max(len(models), len(providers))
    if len(models) not in (1, n) or len(providers) not in (1, n):
        raise ValueError(f"{len(models)} models against {len(providers)} providers")
    mf, pf = _model_filter(), _provider_filter()
    if mf is None or pf is None or not set(map(type, models)) <= {str}:
        return np.zeros(n, dtype=bool)
    dated = getattr(types, "_COMPACT_DATE_RE", None)
    if dated is None:  # a genai-prices without it may rewrite names some other way
        return np.zeros(n, dtype=bool)
    # One pass per test over all names, each at C speed (map over compiled regexes and a
    # set): ~0.6 µs a name, where a Python loop calling _Filter.maybe is ~1.7 µs.
    # Stripped, not lower-cased: the screen lower-cases (see _maybe).
    refs = list(map(str.strip, models))
    user = user_prices()
    named = np.fromiter(map(bool, refs), dtype=bool, count=len(refs))
    if user:
        named &= ~np.fromiter(map(user.__contains__, map(str.lower, refs)), dtype=bool,
                              count=len(refs))
    # Per provider: given (not blank), "litellm" (its model names carry a provider prefix:
    # only the search can tell) and in no provider rule. Each of the two sides has one
    # element, or one per pair; they broadcast.
    given = np.fromiter(map(bool, providers), dtype=bool, count=len(providers))
    lite = np.zeros(len(providers), dtype=bool)
    no_provider = np.zeros(len(providers), dtype=bool)
    if given.any():
        at = np.flatnonzero(given)
        pids = list(map(str.strip, map(str, providers if at.size == len(providers) else
                                       map(providers.__getitem__, at.tolist()))))
        # "litellm" in any case: only names of its 7 characters are lower-cased to see.
        seven = np.flatnonzero(np.fromiter(map(len, pids), dtype=np.int64, count=at.size) == 7)
        lite[at[seven]] = [pids[i].lower() == "litellm" for i in seven.tolist()]
        no_provider[at] = ~lite[at] & ~_maybe(pf, pids)
    searched = np.broadcast_to(named & ~lite, (n,))
    out = searched & np.broadcast_to(no_provider, (n,))
    # The model side where the provider does not decide (once per model when one is given
    # for every pair).
    need = searched & ~out
    if len(models) == 1:
        if need.any():
            out |= need & ~_maybe(mf, refs, dated)[0]
        return out
    at = np.flatnonzero(need)
    out[at] = ~_maybe(mf, [refs[i] for i in at.tolist()] if at.size < n else refs, dated)
    return out


def _screen(f: _Filter, names: list[str], dated: bool) -> Any:
    """The pre-screen of _maybe for one block of names (lower-cased here): False where a
    name certainly meets none of the filter's conditions (nor, with ``dated``, has a compact
    date)."""
    import numpy as np

    n = len(names)
    text = "\n".join(names)
    if not text.isascii():
        # Lower case may change a length beyond ASCII ("İ" is two characters lower-cased).
        names = list(map(str.lower, names))
        text = "\n".join(names)
    lengths = np.fromiter(map(len, names), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    codes = np.concatenate([_codes(text), np.zeros(4, dtype=np.uint32)])
    # ASCII lower case at numpy speed, not a new string per name (str.lower makes one even
    # when there is nothing to change: ~55 MB and 0.1 s over a million names).
    codes += np.uint32(32) * ((codes >= 65) & (codes <= 90))
    # Windows that run across the "\n" between two names only ever add false hits.
    h4 = _gram_hash(codes, 4)
    both = np.bitwise_or.reduceat(f.windows[h4], starts)
    screen = (both & np.uint64(0xFFFFFFFF)) & (both >> np.uint64(32)) != 0
    if f.three is not None:
        hits = np.flatnonzero(f.three[_gram_hash(codes, 3)])
        screen[np.searchsorted(starts, hits, side="right") - 1] = True
    if dated:  # genai-prices' compact dates start "-20": those names too
        dash = np.flatnonzero((codes[:-2] == 45) & (codes[1:-1] == 50) & (codes[2:] == 48))
        screen[np.searchsorted(starts, dash, side="right") - 1] = True
    for kind, lit in f.short:
        if kind == "eq":
            screen |= lengths == len(lit)
        elif kind == "pre":
            head = np.ones(n, dtype=bool)
            for j, ch in enumerate(lit):
                head &= (lengths > j) & (codes[starts + j] == ord(ch))
            screen |= head
        else:  # a short substring or suffix: every name may have it
            screen[:] = True
    return screen


def _maybe(f: _Filter, names: list[str], dated: Any = None) -> Any:
    """_Filter.maybe over many names (bool array) of the names lower-cased (they are given
    as they are): the window pre-screen over all of them at numpy speed, the exact tests
    (one C-speed pass each) on those it lets through. With ``dated`` (a compiled regex),
    names it finds in are "maybe" too."""
    import numpy as np

    n = len(names)
    screen = np.zeros(n, dtype=bool)
    block = 1 << 16  # names per pass: the window arrays stay small
    for lo in range(0, n, block):
        screen[lo:lo + block] = _screen(f, names[lo:lo + block], dated is not None)
    at = np.flatnonzero(screen)
    sub = [names[i].lower() for i in at.tolist()]
    m = len(sub)
    none = itertools.repeat(None)
    got = np.fromiter(map(f.equals.__contains__, sub), dtype=bool, count=m)
    tests = [(f.prefix, sub), (f.contains, sub),
             (f.suffix, map(operator.itemgetter(slice(None, None, -1)), sub))]
    if dated is not None:
        tests.append((dated.search, sub))
    for test, arg in tests:
        got |= np.fromiter(map(operator.is_not, map(test, arg), none), dtype=bool, count=m)
    out = np.zeros(n, dtype=bool)
    out[at] = got
    return out
