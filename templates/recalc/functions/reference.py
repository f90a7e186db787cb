"""Reference functions and the information functions that ask the workbook.

ROW, COLUMN, AREAS, OFFSET, INDIRECT, ADDRESS, FORMULATEXT, ISFORMULA, SHEET, SHEETS,
CELL, INFO, HYPERLINK and GETPIVOTDATA. They receive references unevaluated (argument
kinds ``ref``/``any``) and the evaluation context (the formula's cell and the workbook).

Volatility: Excel marks OFFSET, INDIRECT, CELL and INFO volatile — it recalculates them on
every change because their precedents are not known in advance. Their values are
deterministic functions of the workbook here (OFFSET and INDIRECT read their target on
demand), so they are registered non-volatile: the corpus comparison compares them. The
answers that genuinely depend on Excel's session (``CELL`` without a reference — Excel
uses the *selected* cell, we use the formula's cell; ``INFO("directory")`` …) say so in
their docstrings.
"""

from __future__ import annotations

import math
import os
import re
import weakref
from typing import Any

from templates.recalc.parser import MAX_COL, MAX_ROW, FormulaSyntaxError, col_letters, parse
from templates.recalc.registry import MISSING, xlfunction
from templates.recalc.values import (
    NA,
    REF,
    VALUE,
    Array,
    ExcelError,
    MultiRef,
    Ref,
    XLFail,
    to_number,
)

__all__: list[str] = []

_OMITTED = object()  # an optional argument not written at all (Python default)




def _cell_of(ctx: Any) -> tuple[str, int, int]:
    cell = getattr(ctx, "cell", None)
    if cell is None:
        raise XLFail(VALUE, "no formula cell (called outside a workbook)")
    return cell


def _single(ref: Any) -> Ref:
    """A reference argument as one area: errors propagate, several areas are ``#REF!``
    (what Excel gives ROW/COLUMN of a union), non-references ``#VALUE!``."""
    if type(ref) is ExcelError:
        raise XLFail(ref)
    if isinstance(ref, MultiRef):
        if len(ref.areas) == 1:
            return ref.areas[0]
        raise XLFail(REF, "a reference of several areas")
    if not isinstance(ref, Ref):
        raise XLFail(VALUE, "the argument must be a reference")
    return ref


def _clip(ref: Ref) -> tuple[int, int, int, int]:
    """``ref``'s bounds cut to the sheet's used extent the way the workbook cuts a
    whole-column or whole-row range it reads (``range_rows``), so ``ROW(A:A)`` lines up
    with the values of ``A:A`` in an array formula and does not build a million rows."""
    r1, c1, r2, c2 = ref.r1, ref.c1, ref.r2, ref.c2
    extent = getattr(ref.book, "_extent", None)
    if extent is None:
        return r1, c1, r2, c2
    max_r, max_c = extent.get(ref.sheet, (0, 0))
    if r2 - r1 > 4096:
        r2 = min(r2, max(max_r, r1))
    if c2 - c1 > 256:
        c2 = min(c2, max(max_c, c1))
    return r1, c1, r2, c2


# --- ROW, COLUMN, AREAS -------------------------------------------------------------------


@xlfunction("ROW", "ref?", context=True)
def ROW(ctx: Any, reference: Any = None) -> Any:
    """Returns the row number of a reference (of the formula's cell when omitted).

    Over a reference of several cells, an array formula gets the column of its row
    numbers (one row: a 1×1 array, which Excel repeats over the formula's area); a
    formula that is not an array formula gets the first.
    """
    if reference is None or reference is MISSING:
        return float(_cell_of(ctx)[1])
    ref = _single(reference)
    if not ref.is_cell and getattr(ctx, "array_mode", True):
        r1, _, r2, _ = _clip(ref)
        return Array([[float(r)] for r in range(r1, r2 + 1)])
    return float(ref.r1)


@xlfunction("COLUMN", "ref?", context=True)
def COLUMN(ctx: Any, reference: Any = None) -> Any:
    """Returns the column number of a reference (of the formula's cell when omitted).

    Over a reference of several cells, an array formula gets the row of its column
    numbers (one column: a 1×1 array, which Excel repeats over the formula's area); a
    formula that is not an array formula gets the first.
    """
    if reference is None or reference is MISSING:
        return float(_cell_of(ctx)[2])
    ref = _single(reference)
    if not ref.is_cell and getattr(ctx, "array_mode", True):
        _, c1, _, c2 = _clip(ref)
        return Array([[float(c) for c in range(c1, c2 + 1)]])
    return float(ref.c1)


@xlfunction("AREAS", "ref")
def AREAS(reference: Any) -> Any:
    """Returns the number of areas in a reference (``(A1:B2,D4)`` has 2)."""
    if type(reference) is ExcelError:
        return reference
    if isinstance(reference, MultiRef):
        return float(len(reference.areas))
    if isinstance(reference, Ref):
        return 1.0
    return VALUE


# --- OFFSET ---------------------------------------------------------------------------


def _size(v: Any, default: int) -> int:
    if v is None or v is MISSING or v is _OMITTED:
        return default
    return math.trunc(to_number(v))


@xlfunction("OFFSET", "ref, number, number, scalar?, scalar?")
def OFFSET(reference: Any, rows: float, cols: float, height: Any = _OMITTED,
           width: Any = _OMITTED) -> Any:
    """Returns a reference offset from a given reference by rows and columns, with the
    given height and width (those of ``reference`` when omitted or left empty).

    Notes
    -----
    Offsets, height and width are truncated toward zero. A height or width of 0 is
    ``#REF!``; a negative one extends the result up or left from the offset cell
    (Excel's long-standing undocumented behaviour). A result off the sheet is ``#REF!``.
    Array arguments make the call element-wise, each element the top-left value of its
    reference (Excel keeps an array of references there, which only functions such as
    SUBTOTAL could use).
    Excel treats OFFSET as volatile; its value is a deterministic function of the
    workbook, so it is registered non-volatile here.
    """
    if type(reference) is ExcelError:
        return reference
    if isinstance(reference, MultiRef):
        if len(reference.areas) != 1:
            return VALUE
        reference = reference.areas[0]
    if not isinstance(reference, Ref):
        return VALUE
    h = _size(height, reference.nrows)
    w = _size(width, reference.ncols)
    if h == 0 or w == 0:
        return REF
    r1 = reference.r1 + math.trunc(rows)
    c1 = reference.c1 + math.trunc(cols)
    r2, c2 = r1 + h - 1, c1 + w - 1
    if h < 0:
        r1, r2 = r1 + h + 1, r1
    if w < 0:
        c1, c2 = c1 + w + 1, c1
    if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
        return REF
    return Ref(reference.book, reference.sheet, r1, c1, r2, c2)


# --- INDIRECT -------------------------------------------------------------------------

_R1C1_PART = re.compile(r"(?:R(\[[+-]?\d+\]|\d+)?)?(?:C(\[[+-]?\d+\]|\d+)?)?", re.I)


def _r1c1_coord(tok: str | None, here: int) -> int:
    if tok is None:
        return here
    if tok.startswith("["):
        return here + int(tok[1:-1])
    return int(tok)


def _r1c1_part(text: str, here_r: int, here_c: int) -> tuple[int, int, int, int]:
    """One side of an R1C1 reference as (r1, c1, r2, c2): ``R2C3``, ``R[-1]C``, ``R2``
    (a whole row), ``C[1]`` (a whole column), ``RC`` (the formula's cell)."""
    m = _R1C1_PART.fullmatch(text)
    if not m or not text:
        raise XLFail(REF, f"{text!r} is not an R1C1 reference")
    has_r = text[:1].upper() == "R"
    has_c = "C" in text.upper()
    if has_r and has_c:
        r = _r1c1_coord(m.group(1), here_r)
        c = _r1c1_coord(m.group(2), here_c)
        return r, c, r, c
    if has_r:
        r = _r1c1_coord(m.group(1), here_r)
        return r, 1, r, MAX_COL
    c = _r1c1_coord(m.group(2), here_c)
    return 1, c, MAX_ROW, c


def _split_sheet(text: str) -> tuple[str | None, str]:
    if "!" not in text:
        return None, text
    sheet, _, rest = text.rpartition("!")
    if len(sheet) >= 2 and sheet[0] == "'" and sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    elif "'" in sheet:
        raise XLFail(REF, f"bad sheet name in {text!r}")
    return sheet, rest


def _indirect_r1c1(ctx: Any, text: str) -> Ref:
    sheet, rest = _split_sheet(text)
    here_sheet, here_r, here_c = _cell_of(ctx)
    book = ctx.book
    s = here_sheet if sheet is None else book.sheet_of(sheet)
    a, sep, b = rest.partition(":")
    r1, c1, r2, c2 = _r1c1_part(a, here_r, here_c)
    if sep:
        p1, q1, p2, q2 = _r1c1_part(b, here_r, here_c)
        r1, c1, r2, c2 = min(r1, p1), min(c1, q1), max(r2, p2), max(c2, q2)
    if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
        raise XLFail(REF, f"{text!r} is outside the sheet")
    return Ref(book, s, r1, c1, r2, c2)


def _as_ref(ctx: Any, node: tuple) -> Any:
    """A parsed reference (or defined name, structured reference, range of them) as the
    reference it denotes; anything else is ``#REF!``."""
    kind = node[0]
    book = ctx.book
    here = _cell_of(ctx)[0]
    if kind == "paren":
        return _as_ref(ctx, node[1])
    if kind == "ref":
        _, sheet, r1, c1, r2, c2, _abs = node
        s = here if sheet is None else book.sheet_of(sheet)
        return Ref(book, s, r1, c1, r2, c2)
    if kind == "name":
        scope = book.sheet_of(node[2]) if node[2] else here
        fn = book.name_fn(node[1], scope)
        v = fn() if fn is not None else REF
        if isinstance(v, (Ref, MultiRef)):
            return v
        raise XLFail(REF, f"name {node[1]!r} is not a reference")
    if kind == "table":
        from templates.recalc.workbook import Unsupported, _Compiler

        try:
            return _Compiler(book, _cell_of(ctx), False).table(node[1])
        except Unsupported as exc:
            raise XLFail(REF, str(exc)) from None
    if kind == "op" and node[1] == ":":
        a, b = _as_ref(ctx, node[2]), _as_ref(ctx, node[3])
        if isinstance(a, Ref) and isinstance(b, Ref) and a.sheet == b.sheet:
            return Ref(book, a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2),
                       max(a.c2, b.c2))
    raise XLFail(REF, "the text is not a reference")


@xlfunction("INDIRECT", "text, bool?", context=True)
def INDIRECT(ctx: Any, ref_text: str, a1: Any = True) -> Any:
    """Returns the reference specified by a text string: A1 style (``"B2"``,
    ``"'My Sheet'!A1:C3"``, ``"A:A"``, a defined name, a table reference) or, with
    ``a1`` FALSE, R1C1 style (``"R2C3"``, ``"R[-1]C"``, ``"Sheet2!R1C1:R3C2"``, relative
    parts counted from the formula's cell).

    Notes
    -----
    Text that is not a reference on a sheet of this workbook is ``#REF!`` (references
    into other workbooks are not opened). Excel treats INDIRECT as volatile; its value is
    a deterministic function of the workbook, so it is registered non-volatile here.
    """
    if ctx is None or getattr(ctx, "book", None) is None:
        return REF
    text = ref_text.strip()
    if not text or text.startswith("="):
        return REF
    if a1 is False:
        return _indirect_r1c1(ctx, text)
    try:
        tree = parse(text)
    except FormulaSyntaxError:
        return REF
    return _as_ref(ctx, tree)


# --- ADDRESS ---------------------------------------------------------------------------


_SHEET_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789_.[]")


def _needs_quotes(sheet: str) -> bool:
    # a loop, not a character class: a class with the range U+00C0 … U+FFFF costs the
    # regex compiler about 7 ms on the first ADDRESS with a sheet name
    if sheet[:1].isdecimal() or any(ch not in _SHEET_NAME_CHARS
                                    and not "\u00c0" <= ch <= "\uffff" for ch in sheet):
        return True
    # a name that reads as a cell (A1, R1C1) must be quoted to stay a sheet name
    return bool(re.fullmatch(r"[A-Za-z]{1,3}\d+|R\d*C?\d*", sheet, re.I)) and sheet != ""


@xlfunction("ADDRESS", "int, int, int?, bool?, text?")
def ADDRESS(row: float, column: float, abs_num: float = 1.0, a1: bool = True,
            sheet_text: Any = None) -> Any:
    """Returns a reference as text to a single cell: ``ADDRESS(2,3)`` is ``"$C$2"``.

    ``abs_num`` 1 absolute, 2 absolute row, 3 absolute column, 4 relative; ``a1`` FALSE
    gives R1C1 style (relative parts are the numbers in brackets, ``R[2]C[3]``); a sheet
    name is put in front, quoted when it needs quotes (an empty one still gives ``!``,
    as Excel shows in formulas_test.xlsx 'LOOKUP'!S3).
    """
    r, c, a = int(row), int(column), int(abs_num)
    if not (1 <= r <= MAX_ROW and 1 <= c <= MAX_COL and 1 <= a <= 4):
        return VALUE
    abs_row = a in (1, 2)
    abs_col = a in (1, 3)
    if a1:
        ref = f"{'$' if abs_col else ''}{col_letters(c)}{'$' if abs_row else ''}{r}"
    else:
        ref = (f"R{r if abs_row else f'[{r}]'}C{c if abs_col else f'[{c}]'}")
    if sheet_text is None:
        return ref
    s = sheet_text
    if _needs_quotes(s):
        s = "'" + s.replace("'", "''") + "'"
    return f"{s}!{ref}"


# --- FORMULATEXT, ISFORMULA --------------------------------------------------------------

_PREFIX_RE = re.compile(r"_xlfn\.(?:_xlws\.)?|_xlws\.|_xlpm\.", re.I)


def _display_formula(text: str) -> str:
    """A stored formula as Excel shows it: without the ``_xlfn.``/``_xlws.``/``_xlpm.``
    storage prefixes (outside string literals)."""
    parts = re.split(r'("(?:[^"]|"")*")', text)
    return "".join(p if i % 2 else _PREFIX_RE.sub("", p) for i, p in enumerate(parts))


def _formula_at(book: Any, sheet: str, r: int, c: int) -> str | None:
    """The formula a cell shows in the formula bar, or None: an array formula's area
    shows ``{=…}`` in every cell; a spilled cell shows its anchor's formula."""
    cells = getattr(book, "cells", {})
    cell = cells.get((sheet, r, c))
    owner = cell
    if owner is None:
        owner = getattr(book, "spill_owner", {}).get((sheet, r, c))
        if owner is None:
            return None
    text = "=" + _display_formula(owner.text)
    if owner.array_area is not None and not owner.dynamic:
        return "{" + text + "}"
    return text


def _over_cells(ctx: Any, reference: Any, fn: Any) -> Any:
    ref = _single(reference)
    book = ref.book
    if ref.is_cell or not getattr(ctx, "array_mode", True):
        return fn(book, ref.sheet, ref.r1, ref.c1)
    r1, c1, r2, c2 = _clip(ref)
    return Array([[fn(book, ref.sheet, r, c) for c in range(c1, c2 + 1)]
                  for r in range(r1, r2 + 1)])


@xlfunction("FORMULATEXT", "ref", context=True)
def FORMULATEXT(ctx: Any, reference: Any) -> Any:
    """Returns the formula at the given reference as text (``#N/A`` if the cell holds no
    formula); an array formula is shown in braces, ``{=SUM(A1:A3*B1:B3)}``.

    Notes
    -----
    Over a multi-cell reference an array formula gets each cell's text; other formulas
    the top-left cell's. Cells a dynamic array spills into show the anchor's formula, as
    Excel's formula bar does.
    """
    def one(book: Any, sheet: str, r: int, c: int) -> Any:
        t = _formula_at(book, sheet, r, c)
        return NA if t is None else t
    return _over_cells(ctx, reference, one)


@xlfunction("ISFORMULA", "ref", context=True)
def ISFORMULA(ctx: Any, reference: Any) -> Any:
    """Checks whether a reference is to a cell containing a formula (element-wise over
    a range in an array formula, as formulas_test.xlsx 'INFORMATION'!AH10 shows)."""
    return _over_cells(ctx, reference,
                       lambda book, s, r, c: _formula_at(book, s, r, c) is not None)


# --- SHEET, SHEETS -----------------------------------------------------------------------


@xlfunction("SHEET", "any?", context=True)
def SHEET(ctx: Any, value: Any = _OMITTED) -> Any:
    """Returns the sheet number (1-based, in workbook order, chart sheets counted) of
    the referenced sheet, of a sheet named by text, or of the formula's sheet."""
    book = getattr(ctx, "book", None)
    if book is None:
        return NA
    if value is _OMITTED or value is MISSING:
        return float(book.sheet_names.index(_cell_of(ctx)[0]) + 1)
    if type(value) is ExcelError:
        return value
    if isinstance(value, MultiRef):
        value = value.areas[0]
    if isinstance(value, Ref):
        return float(book.sheet_names.index(value.sheet) + 1)
    if isinstance(value, Array):
        value = value.rows[0][0]
    if type(value) is str:
        try:
            return float(book.sheet_names.index(book.sheet_of(value)) + 1)
        except XLFail:
            return NA
    return NA


@xlfunction("SHEETS", "any?", context=True)
def SHEETS(ctx: Any, reference: Any = _OMITTED) -> Any:
    """Returns the number of sheets in a reference (1 for a reference on one sheet), or
    in the workbook when omitted (hidden and chart sheets included)."""
    book = getattr(ctx, "book", None)
    if reference is _OMITTED or reference is MISSING:
        return NA if book is None else float(len(book.sheet_names))
    if type(reference) is ExcelError:
        return reference
    if isinstance(reference, MultiRef):
        return float(len({a.sheet for a in reference.areas}))
    if isinstance(reference, Ref):
        return 1.0
    return VALUE


# --- CELL ------------------------------------------------------------------------------

#: Number formats Excel builds in (ECMA-376 §18.8.30, en-US), by ``numFmtId``.
_BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: "$#,##0_);($#,##0)", 6: "$#,##0_);[Red]($#,##0)", 7: "$#,##0.00_);($#,##0.00)",
    8: "$#,##0.00_);[Red]($#,##0.00)", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "m/d/yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
    18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm",
    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
    48: "##0.0E+0", 49: "@",
}


_XF_CACHE: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()


class _Xf:
    __slots__ = ("code", "halign", "locked")

    def __init__(self, code: str, halign: str, locked: bool) -> None:
        self.code = code
        self.halign = halign
        self.locked = locked


def _xfs(book: Any) -> list[_Xf]:
    """The workbook's cell formats (number format, horizontal alignment, locking),
    read once from its styles part: the engine's reader keeps only what values need."""
    cached = _XF_CACHE.get(book)
    if cached is not None:
        return cached
    import zipfile

    from templates.recalc.reader import _NS, _parse, _rels

    out: list[_Xf] = []
    path = book.data.path
    with zipfile.ZipFile(path) as zf:
        target = next((t for typ, t, *_ in _rels(zf, path, "xl/workbook.xml").values()
                       if typ.endswith("/styles")), None)
        root = None
        if target is not None:
            try:
                root = _parse(zf, path, target)
            except KeyError:  # a styles relationship to a missing part: defaults
                root = None
        if root is not None:
            custom = {}
            fmts = root.find(f"{_NS}numFmts")
            for f in (fmts if fmts is not None else []):
                custom[int(f.get("numFmtId", "0"))] = f.get("formatCode", "")
            xfs = root.find(f"{_NS}cellXfs")
            for xf in (xfs if xfs is not None else []):
                fid = int(xf.get("numFmtId", "0"))
                al = xf.find(f"{_NS}alignment")
                pr = xf.find(f"{_NS}protection")
                out.append(_Xf(custom.get(fid, _BUILTIN_FORMATS.get(fid, "General")),
                               al.get("horizontal", "general") if al is not None else "general",
                               pr is None or pr.get("locked", "1") not in ("0", "false")))
    _XF_CACHE[book] = out
    return out


def _xf_of(ref: Ref) -> _Xf:
    book = ref.book
    sd = book.sheet_data.get(ref.sheet)
    idx = sd.styles.get((ref.r1, ref.c1), 0) if sd is not None else 0
    xfs = _xfs(book)
    return xfs[idx] if 0 <= idx < len(xfs) else _Xf("General", "general", True)


def _sections(code: str) -> list[str]:
    out, cur, q, i = [], "", False, 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            q = not q
        elif ch == "\\" and not q and i + 1 < len(code):
            cur += code[i:i + 2]
            i += 2
            continue
        elif ch == ";" and not q:
            out.append(cur)
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    out.append(cur)
    return out


def _bare(sec: str) -> str:
    """A format section without literals, escapes and padding (``_x``, ``*x``)."""
    sec = re.sub(r'"[^"]*"|\\.|_.|\*.', "", sec)
    return sec


_COLOR_RE = re.compile(r"\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\s*\d+)\]",
                       re.I)


def _format_code(code: str) -> str:
    """CELL("format")'s code for a number format (Microsoft's CELL table: G, F0, ,2,
    C2, P0, S2, D1…D9), with ``-`` for a colour on negatives and ``()`` for parentheses
    on positive values."""
    secs = _sections(code)
    first = secs[0]
    suffix = ""
    if len(secs) > 1 and _COLOR_RE.search(secs[1]):
        suffix += "-"
    if "(" in _bare(first):
        suffix += "()"
    # brackets (colours, conditions, elapsed [h], locales [$…]) carry no digits
    low = re.sub(r"\[[^\]]*\]", "", _bare(first)).lower()
    if first.strip().lower() in ("general", "") or "@" in low:
        return "G" + suffix
    dt = re.sub(r"am/pm|a/p", "", low)
    if re.search(r"[ydhms]", dt) and not re.search(r"[#?]|(?<![s.0])0", dt):
        ymd = set(re.findall(r"[ydm]", dt)) if "h" not in dt and "s" not in dt else set()
        if "h" in dt and re.search(r"[yd]", dt):
            return "D4" + suffix
        if {"y", "d", "m"} <= ymd:
            return ("D4" if "/" in dt else "D1") + suffix
        if {"d", "m"} <= ymd:
            return ("D5" if "/" in dt else "D2") + suffix
        if ymd:
            return ("D3" if "y" in ymd or ymd == {"m"} else "D1") + suffix
        ampm = "am/pm" in low or "a/p" in low
        sec = "s" in dt
        return ("D6" if ampm and sec else "D7" if ampm else "D8" if sec else "D9") + suffix
    if "?" in low and "/" in low:
        return "G" + suffix
    m = re.search(r"\.([0#?]+)", low)
    decimals = len(m.group(1)) if m else 0
    if "e+" in low or "e-" in low:
        return f"S{decimals}{suffix}"
    if "%" in low:
        return f"P{decimals}{suffix}"
    if re.search(r"[$€£¥]", first):
        return f"C{decimals}{suffix}"
    if "," in low:
        return f",{decimals}{suffix}"
    return f"F{decimals}{suffix}"


def _filename(book: Any, sheet: str) -> str:
    path = getattr(book.data, "path", "") if getattr(book, "data", None) else ""
    if not path:
        return ""
    full = os.path.abspath(path)
    folder, base = os.path.split(full)
    return f"{folder}{os.sep}[{base}]{sheet}"


@xlfunction("CELL", "text, ref?", context=True)
def CELL(ctx: Any, info_type: str, reference: Any = _OMITTED) -> Any:
    """Returns information about the formatting, location, or contents of a cell.

    ``info_type``: ``"address"`` (``$A$1``, with ``[book]Sheet!`` before it for another
    sheet), ``"col"``, ``"row"``, ``"contents"`` (the top-left cell's value), ``"type"``
    (``b`` blank, ``l`` text, ``v`` anything else), ``"filename"``
    (``folder/[file.xlsx]Sheet``), ``"sheet"`` (the sheet's number), ``"format"``
    (``G``, ``F2``, ``,0``, ``C2-``, ``P0``, ``S2``, ``D1``…), ``"color"``,
    ``"parentheses"``, ``"prefix"`` (``'`` left, ``"`` right, ``^`` centred, ``\\`` fill
    alignment of a text cell; ``""`` for general alignment, as Gnumeric answers — Excel's
    answer there is not in the corpus), ``"protect"`` (1 locked).

    Notes
    -----
    Without a reference Excel describes the cell *selected* when it calculates; we
    describe the formula's own cell. ``"width"`` (column width, which the reader does not
    keep) is ``#VALUE!`` here, as are unknown info types. Excel treats CELL as volatile;
    these answers depend only on the workbook, so it is registered non-volatile.
    """
    kind = info_type.strip().lower()
    if reference is _OMITTED or reference is MISSING or reference is None:
        s, r, c = _cell_of(ctx)
        ref = Ref(ctx.book, s, r, c, r, c)
    else:
        ref = _single(reference)
    book = ref.book
    if kind == "address":
        here = getattr(ctx, "cell", None)
        addr = f"${col_letters(ref.c1)}${ref.r1}"
        if here is not None and here[0] != ref.sheet:
            base = os.path.basename(getattr(book.data, "path", "") or "")
            s = f"[{base}]{ref.sheet}"
            if re.search(r"[^A-Za-z0-9_.\[\]]", ref.sheet):
                s = "'" + s.replace("'", "''") + "'"
            return f"{s}!{addr}"
        return addr
    if kind == "row":
        return float(ref.r1)
    if kind == "col":
        return float(ref.c1)
    if kind == "contents":
        v = ref.value()
        return 0.0 if v is None else v
    if kind == "type":
        v = ref.value()
        if v is None:
            return "b"
        return "l" if type(v) is str else "v"
    if kind == "filename":
        return _filename(book, ref.sheet)
    if kind == "sheet":
        return float(book.sheet_names.index(ref.sheet) + 1)
    if kind in ("format", "color", "parentheses", "prefix", "protect"):
        xf = _xf_of(ref)
        if kind == "format":
            return _format_code(xf.code)
        if kind == "color":
            secs = _sections(xf.code)
            return 1.0 if len(secs) > 1 and _COLOR_RE.search(secs[1]) else 0.0
        if kind == "parentheses":
            return 1.0 if "(" in _bare(_sections(xf.code)[0]) else 0.0
        if kind == "protect":
            return 1.0 if xf.locked else 0.0
        if type(ref.value()) is not str:
            return ""
        return {"left": "'", "right": '"', "center": "^", "fill": "\\"}.get(xf.halign, "")
    return VALUE


# --- INFO, HYPERLINK, GETPIVOTDATA --------------------------------------------------------


@xlfunction("INFO", "text", context=True)
def INFO(ctx: Any, type_text: str) -> Any:
    """Returns information about the current operating environment.

    ``"numfile"`` — the number of worksheets (this workbook is the one open);
    ``"release"`` — ``"16.0"`` (Excel 2016 and later, Microsoft 365); ``"system"`` —
    ``"pcdos"`` (Excel for Windows); ``"recalc"`` — ``"Automatic"``.

    Notes
    -----
    ``"directory"``, ``"origin"`` and ``"osversion"`` describe Excel's session, which a
    recalculation outside Excel does not have: ``#N/A`` here. ``"memavail"``, ``"memused"``
    and ``"totmem"`` are ``#N/A`` in current Excel too. Other texts are ``#VALUE!``.
    Excel treats INFO as volatile; these answers are fixed, so it is non-volatile here.
    """
    kind = type_text.strip().lower()
    if kind == "numfile":
        book = getattr(ctx, "book", None)
        return 1.0 if book is None else float(len(book.sheet_names))
    if kind == "release":
        return "16.0"
    if kind == "system":
        return "pcdos"
    if kind == "recalc":
        return "Automatic"
    if kind in ("directory", "origin", "osversion", "memavail", "memused", "totmem"):
        return NA
    return VALUE


@xlfunction("HYPERLINK", "scalar, scalar?")
def HYPERLINK(link_location: Any, friendly_name: Any = _OMITTED) -> Any:
    """Creates a shortcut to a document; the cell shows ``friendly_name`` (the link
    text when omitted). Following the link is the user's action, not a value."""
    if friendly_name is _OMITTED:
        return link_location
    return friendly_name


@xlfunction("GETPIVOTDATA", "any, any, any?*")
def GETPIVOTDATA(data_field: Any, pivot_table: Any, *fields: Any) -> ExcelError:
    """Returns data stored in a PivotTable report.

    Notes
    -----
    The engine does not compute PivotTables: ``#REF!``, which is also what Excel gives
    when ``pivot_table`` is not inside a PivotTable.
    """
    return REF
