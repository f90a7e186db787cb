"""The catalog as classic xlwings UDFs: point xlwings' "UDF Modules" at ``udfs.xlwings_udfs``.

Every function of :data:`udfs.FUNCTIONS` becomes a module attribute of the same Excel name,
decorated with ``@xw.func(category="LLM TCO")``, one ``@xw.arg`` per argument carrying its
doc (shown in Excel's Insert Function dialog) and ``@xw.ret`` with the description. Arguments
are read as 2-D ranges with error cells as their text (``err_to_str=True``: without it
xlwings turns ``#N/A`` into an empty cell and the error would be lost), so ranges give arrays
and errors propagate. An Excel error result is handed to Excel as a real error value
(a COM ``VT_ERROR`` variant) on Windows, not as text.

On Linux and macOS without Excel, xlwings' decorators do nothing; :func:`build_udfs` lets the
exporter apply xlwings' own decorators explicitly (``addin.vba``).

Never uses ``xlwings.pro`` or ``xlwings.server`` (their licence is non-commercial).
"""

from __future__ import annotations

import inspect
import os
import sys
import types
from collections.abc import Callable
from typing import Any

import xlwings as xw

from udfs.catalog import CATEGORY, FUNCTIONS, ExcelFunction, call
from udfs.excel_errors import ExcelError

#: Excel's XlCVError number → the HRESULT a COM VT_ERROR variant carries (0x800A0000 + n),
#: as xlwings' own reader maps them (xlwings/_xlwindows.py ``cell_errors``).
_HRESULT_BASE = -2146828288


def _com_error(err: ExcelError) -> Any:
    """A real Excel error value for COM, where pywin32 exists; the text elsewhere."""
    try:
        import pythoncom
        from win32com.client import VARIANT
    except ImportError:
        return str(err)
    return VARIANT(pythoncom.VT_ERROR, _HRESULT_BASE + err.code)


def to_excel(value: Any) -> Any:
    """A catalog result → what xlwings writes to the calling cell(s)."""
    if isinstance(value, ExcelError):
        return _com_error(value)
    if isinstance(value, list):
        return [[to_excel(c) for c in row] for row in value]
    return value


def _udf(fn: ExcelFunction) -> Callable[..., Any]:
    def udf(*args: Any) -> Any:
        return to_excel(call(fn.name, *args))

    params = [
        inspect.Parameter(a.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=inspect.Parameter.empty if a.required else None)
        for a in fn.args
    ]
    udf.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    udf.__name__ = udf.__qualname__ = fn.name
    udf.__doc__ = fn.description
    udf.__annotations__ = {}
    udf.__module__ = __name__
    return udf


def legacy_spill() -> bool:
    """Whether to resize tables with xlwings' legacy array formulas (Excel 2016/2019).

    Excel 365/2021 spill a returned list of rows natively, so by default results carry no
    ``expand`` option. Excel without dynamic arrays needs xlwings' ``expand="table"``, which
    rewrites the calling cell as a CSE array formula of the table's size (xlwings calls it
    "legacy dynamic arrays"); set ``LLM_TCO_LEGACY_SPILL=1`` in the environment Excel's
    Python starts with to get it for the table functions (``TCO_TABLE``, ``LLM_PRICE``…).
    """
    return os.environ.get("LLM_TCO_LEGACY_SPILL", "").strip() in ("1", "true", "TRUE", "yes")


def build_udfs(
    func: Callable[..., Any] = xw.func, arg: Callable[..., Any] = xw.arg,
    ret: Callable[..., Any] = xw.ret, legacy: bool | None = None,
) -> types.SimpleNamespace:
    """Every catalog function decorated with the given xlwings decorators, by Excel name.

    ``legacy`` (default :func:`legacy_spill`) adds ``expand="table"`` to the functions that
    return tables.
    """
    legacy = legacy_spill() if legacy is None else legacy
    out = {}
    for fn in FUNCTIONS.values():
        f = _udf(fn)
        for a in reversed(fn.args):
            f = arg(a.name, ndim=2, err_to_str=True, doc=a.doc[:255])(f)
        # The description Excel shows is the function's docstring (xlwings reads __doc__);
        # Excel 365 spills lists of rows natively, so only legacy Excel needs expand.
        f = (ret(expand="table") if legacy and fn.spills else ret())(f)
        f = func(category=CATEGORY)(f)
        out[fn.name] = f
    return types.SimpleNamespace(**out)


for _name, _f in vars(build_udfs()).items():
    setattr(sys.modules[__name__], _name, _f)
