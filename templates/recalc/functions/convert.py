"""CONVERT: Excel's table of measurement units, prefixes and temperature scales.

Units are case-sensitive names (``"mi"``, ``"Nmi"``, ``"ft^2"``). Some take a decimal
prefix (``"km"``, ``"mg"``, ``"uPa"``, ``"dam"`` or ``"em"`` for deka); ``bit`` and
``byte`` also take the binary prefixes ``ki``, ``Mi`` … ``Yi``. For squared and cubed
units the prefix scales the length (``"km2"`` is 10⁶ m²). An unknown unit, a prefix on a
unit that takes none, or units of different kinds is ``#N/A``.

Which units take prefixes is Excel's own list, checked against every unit × prefix in
the corpus (formulas_test.xlsx 'EXTRA'): besides the SI units it includes ``u``, ``ang``,
``ly``, ``pc``, ``atm``, ``mmHg``, ``cal``, ``eV``, ``Wh``, ``ga``, ``uk_pt`` and ``mph``;
it excludes ``ly2`` and ``ly3``.
"""

from __future__ import annotations

import functools
from typing import Any

from templates.recalc.functions._atp import atp
from templates.recalc.registry import xlfunction
from templates.recalc.values import NA, XLFail

__all__: list[str] = []

_PREFIXES = {
    "Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3,
    "h": 1e2, "da": 1e1, "e": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9,
    "p": 1e-12, "f": 1e-15, "a": 1e-18, "z": 1e-21, "y": 1e-24,
}
_BINARY = {"ki": 2.0 ** 10, "Mi": 2.0 ** 20, "Gi": 2.0 ** 30, "Ti": 2.0 ** 40,
           "Pi": 2.0 ** 50, "Ei": 2.0 ** 60, "Zi": 2.0 ** 70, "Yi": 2.0 ** 80}

#: a prefix's place: decimal prefixes first, then binary ones (see _readings)
_PREFIX_RANK = {p: i for i, p in enumerate([*_PREFIXES, *_BINARY])}
assert max(map(len, _PREFIX_RANK)) <= 2  # _readings looks at a unit's first two letters

_LB = 453.59237  # g, the avoirdupois pound
_IN = 0.0254  # m
_FT = 0.3048
_YD = 0.9144
_MI = 1609.344
_NMI = 1852.0
_LY = 9460730472580800.0
_PICA_PT = _IN / 72
_SURVEY_FT = 1200 / 3937
_LBF = 4.4482216152605  # N
_HP = 550 * _FT * _LBF  # W

# name: (kind, factor to the kind's base unit, prefix allowed, power the prefix is raised to)
# Bases: g, m, s, Pa, N, J, W, T, K (temperature, handled apart), L, m², bit, m/s.
_UNITS: dict[str, tuple[str, float, bool, int]] = {}


def _add(kind: str, factor: float, names: str, prefix: bool = False, power: int = 1) -> None:
    for name in names.split():
        _UNITS[name] = (kind, factor, prefix, power)


# weight and mass (gram)
_add("mass", 1.0, "g", True)
_add("mass", 9.80665 * _LB / _FT, "sg")  # g0 · lb / ft
_add("mass", _LB, "lbm")
_add("mass", 1.660538782e-24, "u", True)
_add("mass", 28.349523125, "ozm")
_add("mass", 0.06479891, "grain")
_add("mass", 45359.237, "cwt shweight")
_add("mass", 50802.34544, "uk_cwt lcwt hweight")
_add("mass", 6350.29318, "stone")
_add("mass", 907184.74, "ton")
_add("mass", 1016046.9088, "uk_ton LTON brton")
# distance (meter)
_add("distance", 1.0, "m", True)
_add("distance", _MI, "mi")
_add("distance", _NMI, "Nmi")
_add("distance", _IN, "in")
_add("distance", _FT, "ft")
_add("distance", _YD, "yd")
_add("distance", 1e-10, "ang", True)
_add("distance", 45 * _IN, "ell")
_add("distance", _LY, "ly", True)
_add("distance", 3.0856775812815532e16, "parsec pc", True)
_add("distance", _PICA_PT, "Picapt Pica")
_add("distance", _IN / 6, "pica")
_add("distance", 5280 * _SURVEY_FT, "survey_mi")
# time (second)
_add("time", 365.25 * 86400, "yr")
_add("time", 86400.0, "day d")
_add("time", 3600.0, "hr")
_add("time", 60.0, "mn min")
_add("time", 1.0, "sec s", True)
# pressure (pascal)
_add("pressure", 1.0, "Pa p", True)
_add("pressure", 101325.0, "atm at", True)
_add("pressure", 133.322, "mmHg", True)
_add("pressure", _LBF / (_IN * _IN), "psi")
_add("pressure", 101325.0 / 760, "Torr")
# force (newton)
_add("force", 1.0, "N", True)
_add("force", 1e-5, "dyn dy", True)
_add("force", _LBF, "lbf")
_add("force", 9.80665e-3, "pond", True)
# energy (joule)
_add("energy", 1.0, "J", True)
_add("energy", 1e-7, "e", True)
_add("energy", 4.184, "c", True)
_add("energy", 4.1868, "cal", True)
_add("energy", 1.602176487e-19, "eV ev", True)
_add("energy", _HP * 3600, "HPh hh")
_add("energy", 3600.0, "Wh wh", True)
_add("energy", _FT * _LBF, "flb")
_add("energy", 1055.05585262, "BTU btu")
# power (watt)
_add("power", _HP, "HP h")
_add("power", 735.49875, "PS")
_add("power", 1.0, "W w", True)
# magnetism (tesla)
_add("magnetism", 1.0, "T", True)
_add("magnetism", 1e-4, "ga", True)
# volume (liter: its decimal constants are exact there, as in Excel)
_add("volume", 0.00492892159375, "tsp")
_add("volume", 0.005, "tspm")
_add("volume", 0.01478676478125, "tbs")
_add("volume", 0.0295735295625, "oz")
_add("volume", 0.2365882365, "cup")
_add("volume", 0.473176473, "pt us_pt")
_add("volume", 0.56826125, "uk_pt", True)
_add("volume", 0.946352946, "qt")
_add("volume", 1.1365225, "uk_qt")
_add("volume", 3.785411784, "gal")
_add("volume", 4.54609, "uk_gal")
_add("volume", 1.0, "l L lt", True)
_add("volume", 1e-27, "ang3 ang^3", True, 3)
_add("volume", 158.987294928, "barrel")
_add("volume", 35.23907016688, "bushel")
_add("volume", 28.316846592, "ft3 ft^3")
_add("volume", 0.016387064, "in3 in^3")
_add("volume", _LY ** 3 * 1000, "ly3 ly^3")
_add("volume", 1000.0, "m3 m^3", True, 3)
_add("volume", _MI ** 3 * 1000, "mi3 mi^3")
_add("volume", 764.554857984, "yd3 yd^3")
_add("volume", _NMI ** 3 * 1000, "Nmi3 Nmi^3")
_add("volume", _PICA_PT ** 3 * 1000, "Picapt3 Picapt^3 Pica3 Pica^3")
_add("volume", 2831.6846592, "GRT regton")
_add("volume", 1132.67386368, "MTON")
# area (square meter)
_add("area", 43560 * _FT ** 2, "uk_acre")
_add("area", 43560 * _SURVEY_FT ** 2, "us_acre")
_add("area", 1e-20, "ang2 ang^2", True, 2)
_add("area", 100.0, "ar", True)
_add("area", _FT ** 2, "ft2 ft^2")
_add("area", 1e4, "ha")
_add("area", _IN ** 2, "in2 in^2")
_add("area", _LY ** 2, "ly2 ly^2")
_add("area", 1.0, "m2 m^2", True, 2)
_add("area", 2500.0, "Morgen")
_add("area", _MI ** 2, "mi2 mi^2")
_add("area", _NMI ** 2, "Nmi2 Nmi^2")
_add("area", _PICA_PT ** 2, "Picapt2 Pica2 Pica^2 Picapt^2")
_add("area", _YD ** 2, "yd2 yd^2")
# information (bit)
_add("information", 1.0, "bit", True)
_add("information", 8.0, "byte", True)
# speed (meter per second)
_add("speed", 6080 * _FT / 3600, "admkn")
_add("speed", _NMI / 3600, "kn")
_add("speed", 1 / 3600, "m/h m/hr", True)
_add("speed", 1.0, "m/s m/sec", True)
_add("speed", _MI / 3600, "mph", True)

# temperature scales: (to Celsius, from Celsius); K and kel take prefixes
_TEMPERATURE = {
    "C": (lambda x: x, lambda c: c),
    "F": (lambda x: (x - 32) / 1.8, lambda c: c * 1.8 + 32),
    "K": (lambda x: x - 273.15, lambda c: c + 273.15),
    "Rank": (lambda x: x / 1.8 - 273.15, lambda c: (c + 273.15) * 1.8),
    "Reau": (lambda x: x * 1.25, lambda c: c / 1.25),
}
_TEMP_ALIASES = {"C": "C", "cel": "C", "F": "F", "fah": "F", "K": "K", "kel": "K",
                 "Rank": "Rank", "Reau": "Reau"}


@functools.lru_cache(maxsize=4096)  # a sheet of conversions repeats its units
def _readings(unit: str) -> tuple[tuple[str, float, str | None], ...]:
    """Every way Excel can read ``unit``: (kind, factor, temperature scale or None),
    the unit as written first, then a prefix and a unit that takes one (``"pc"`` is a
    parsec and a picocalorie)."""
    out: list[tuple[str, float, str | None]] = []
    if unit in _UNITS:
        out.append((_UNITS[unit][0], _UNITS[unit][1], None))
    if unit in _TEMP_ALIASES:
        out.append(("temperature", 1.0, _TEMP_ALIASES[unit]))
    # the prefixes the unit starts with (none is longer than two letters), in the order
    # of the tables
    for p in sorted({unit[:1], unit[:2]} & _PREFIX_RANK.keys(), key=_PREFIX_RANK.__getitem__):
        if len(unit) == len(p):
            continue
        table = _BINARY if p in _BINARY else _PREFIXES
        scale = table[p]
        rest = unit[len(p):]
        if rest in ("K", "kel") and table is _PREFIXES:
            out.append(("temperature", scale, "K"))
            continue
        entry = _UNITS.get(rest)
        if entry is None or not entry[2]:
            continue
        kind, factor, _prefix, power = entry
        if table is _BINARY and kind != "information":
            continue
        out.append((kind, factor * scale ** power, None))
    return tuple(out)


@xlfunction("CONVERT", "any, any, any")
@atp("n, v, v")
def CONVERT(number: float, from_unit: Any, to_unit: Any) -> float:
    """Converts a number from one measurement system to another.

    Notes
    -----
    ``number × factor(from) / factor(to)`` within a kind of unit; temperatures go through
    degrees Celsius (``C·1.8 + 32`` for Fahrenheit, ``C + 273.15`` for kelvin, Rankine
    and Réaumur likewise), a prefixed kelvin scaling the kelvin value. Speeds are kept in
    m/s as Excel does (``CONVERT(1,"kn","m/hr")`` is 1852.0000000000002 there too).

    Examples
    --------
    >>> from templates.recalc.functions import xlcall
    >>> xlcall("CONVERT", 1.0, "lbm", "kg"), xlcall("CONVERT", 68.0, "F", "C")
    (0.45359237, 20.0)
    >>> xlcall("CONVERT", 2.5, "ft", "sec"), xlcall("CONVERT", 1.0, "kibyte", "bit")
    (ExcelError('#N/A'), 8192.0)
    """
    if type(from_unit) is not str or type(to_unit) is not str:
        raise XLFail(NA, "units are text")
    for kind_f, factor_f, temp_f in _readings(from_unit):
        for kind_t, factor_t, temp_t in _readings(to_unit):
            if kind_f != kind_t:
                continue
            if temp_f is not None and temp_t is not None:
                to_c = _TEMPERATURE[temp_f][0]
                from_c = _TEMPERATURE[temp_t][1]
                if temp_f == temp_t:
                    return number * factor_f / factor_t
                return from_c(to_c(number * factor_f)) / factor_t
            return number * factor_f / factor_t
    raise XLFail(NA, f"cannot convert {from_unit!r} to {to_unit!r}")
