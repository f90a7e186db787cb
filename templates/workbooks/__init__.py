"""Prefilled workbook templates: native-formula TCO models a finance team can open anywhere.

>>> sorted(TEMPLATES)
['api-vs-selfhost', 'finetune', 'hybrid']
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from engine.errors import InputError
from templates.workbooks import _common, api_vs_selfhost, finetune, hybrid

_MODULES = {m.NAME: m for m in (api_vs_selfhost, hybrid, finetune)}

#: Template name → one-line description.
TEMPLATES: dict[str, str] = {name: m.DESCRIPTION for name, m in _MODULES.items()}


def scenarios(name: str) -> dict[str, str]:
    """The template's scenario names → description."""
    return dict(_module(name).SCENARIO_NOTES)


def inputs_of(name: str) -> list[_common.Input]:
    """The template's inputs (name, default, unit, note)."""
    return list(_module(name).INPUTS)


def _module(name: str) -> Any:
    if name not in _MODULES:
        raise InputError("template", "must be one of " + ", ".join(_MODULES), name)
    return _MODULES[name]


def build_workbook(name: str, inputs: Mapping[str, Any] | None = None,
                   scenario: str | None = None, with_udfs: bool = False) -> Workbook:
    """The template as an openpyxl Workbook (not saved)."""
    return _module(name).build(Workbook(), inputs, scenario, with_udfs)


def template_bytes(name: str, inputs: Mapping[str, Any] | None = None,
                   scenario: str | None = None, with_udfs: bool = False) -> bytes:
    """The template's xlsx bytes (deterministic: same inputs, same bytes)."""
    return _common.workbook_bytes(build_workbook(name, inputs, scenario, with_udfs))


def build_template(name: str, path: str | os.PathLike[str],
                   inputs: dict[str, Any] | None = None, scenario: str | None = None,
                   with_udfs: bool = False, cache_values: bool = True) -> Path:
    """Write template ``name`` to ``path`` (atomically) and return the path.

    Parameters
    ----------
    name : a key of :data:`TEMPLATES`.
    path : where to write the .xlsx.
    inputs : input name → value (the Inputs sheet's ``in_<name>`` without ``in_``); unknown
        names or bad values raise :class:`engine.errors.InputError` naming them.
    scenario : a scenario of the template's Scenarios sheet, loaded into the Inputs first.
    with_udfs : add cross-check cells that call the llm-tco add-in's functions.
    cache_values : store each formula's computed value in the file (as Excel does on save),
        so viewers that do not recalculate — previews, pandas, openpyxl — show the numbers
        and ``llm-tco check`` finds the workbook fresh. Excel and LibreOffice recalculate
        on open either way.
    """
    from templates.recalc.atomic import atomic_write_bytes

    data = template_bytes(name, inputs, scenario, with_udfs)
    p = Path(path)
    atomic_write_bytes(p, data)
    if cache_values:
        from templates.recalc.writeback import write_back

        write_back(p, in_place=True)
    return p


__all__ = ["TEMPLATES", "build_template", "build_workbook", "inputs_of", "scenarios",
           "template_bytes"]
