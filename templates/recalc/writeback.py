"""Write computed values into a copy of a workbook, touching nothing else.

An .xlsx stores, next to each formula, the value last computed (``<c><f>…</f><v>…</v></c>``
in the worksheet XML). Spreadsheet apps, viewers, pandas and openpyxl's ``data_only``
mode show that cached value. :func:`write_back` patches only those ``<v>`` elements and,
when the result's type changes, the cell's ``t`` attribute (``t="str"`` text, ``t="b"``
boolean, ``t="e"`` error, none for numbers; ECMA-376 Part 1 §18.3.1.4, §18.18.11). Every
other zip member — styles, charts, drawings, comments, VML, defined names, data validation,
the VBA project — is copied with identical content, and inside a sheet part every byte
outside the patched cells is kept.

``fullCalcOnLoad`` is deliberately *not* set: the cached values are now fresh, forcing a
recalculation on open would make Excel mark the file modified on every open, would change
``xl/workbook.xml`` (which we keep byte-identical), and in an Excel without the llm-tco
add-in would turn our functions' cells into ``#NAME?``.

The input is never modified unless ``in_place=True``; the output is written to a temporary
file in the target directory and renamed over the target (:mod:`templates.recalc.atomic`).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Mapping

from templates.recalc import Recalculation, Value
from templates.recalc.atomic import atomic_writer
from templates.recalc.errors import WorkbookError
from udfs.excel_errors import BY_TEXT

ERROR_STRINGS = frozenset(BY_TEXT)  # error values a cell can store

__all__ = ["patch_sheet_xml", "write_back"]

# One <c> element: self-closing (no value, nothing to patch) or with content. Cells do not
# nest and their content (<f>, <v>, <is>) never contains "</c>", so a lazy match is exact.
_CELL_RE = re.compile(
    rb"<(?P<p>\w+:)?c(?=[\s>/])(?P<attrs>[^>]*?)(?:/>|>(?P<inner>.*?)</(?P=p)?c>)", re.S
)
_ATTR_R_RE = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
_ATTR_T_RE = re.compile(rb'\st="[^"]*"')
_F_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_V_RE = re.compile(rb"<(?P<p>\w+:)?v\s*/>|<(?P<q>\w+:)?v>.*?</(?:\w+:)?v>", re.S)
_F_END_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*/>|</(?:\w+:)?f>", re.S)
_IS_RE = re.compile(rb"<(?:\w+:)?is>.*?</(?:\w+:)?is>", re.S)
# _CELL_RE where no cell has a namespace prefix (the p group can then never match, so
# the matches are the same); the backreference makes _CELL_RE a third slower.
_PREFIXED_CELL_RE = re.compile(rb"<\w+:c[\s>/]")
_PLAIN_CELL_RE = re.compile(rb"<()c(?=[\s>/])([^>]*?)(?:/>|>(.*?)</c>)", re.S)


def _number_text(x: float) -> str:
    """Shortest round-tripping text; integers without ``.0`` as Excel writes them."""
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


# xml.sax.saxutils.escape does the same but imports urllib.request, http.client and ssl
# (a tenth of a plain recalc's start-up).
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _encode(value: Value) -> tuple[bytes | None, bytes]:
    """A value → (``t`` attribute or None for numbers, ``<v>`` text)."""
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, int | float):
        return None, _number_text(float(value)).encode()
    if value is None:
        return None, b""
    text = str(value)
    if text in ERROR_STRINGS:
        return b"e", text.encode()
    return b"str", text.translate(_XML_TEXT).encode("utf-8")


def patch_sheet_xml(
    xml: bytes, values: Mapping[str, Value], constants: Mapping[str, Value] | None = None
) -> tuple[bytes, set[str]]:
    """Patch cached values of formula cells (and optionally constants) in sheet XML.

    Parameters
    ----------
    xml : bytes
        A worksheet part (``xl/worksheets/sheetN.xml``).
    values : mapping
        ``"A1"`` → new cached value of that formula cell.
    constants : mapping, optional
        ``"A1"`` → new value of a non-formula cell (inputs set for the recalculation).

    Returns
    -------
    bytes, set of str
        The patched XML and the coordinates that were patched.

    Examples
    --------
    >>> x = b'<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B1" s="2"/>'
    >>> patch_sheet_xml(x, {"A1": 2.5})[0]
    b'<c r="A1"><f>1/0</f><v>2.5</v></c><c r="B1" s="2"/>'
    """
    # Coordinates as bytes, as the XML holds them: no decode per cell.
    fvals = {k.encode(): v for k, v in values.items()}
    cvals = {k.encode(): v for k, v in (constants or {}).items()}
    done: set[bytes] = set()
    f_search, r_search, v_search = _F_RE.search, _ATTR_R_RE.search, _V_RE.search
    missing = object()

    def repl(m: re.Match[bytes]) -> bytes:
        p, attrs, inner = m.group(1, 2, 3)
        if inner is None:
            return m[0]
        has_formula = f_search(inner) is not None
        if not has_formula and not cvals:
            return m[0]  # a constant, and no constant to set
        r = r_search(attrs)
        if r is None:
            return m[0]
        coord = r.group(1)
        if has_formula:
            value = fvals.get(coord, missing)
            if value is missing:
                return m[0]
        else:
            value = cvals.get(coord, missing)
            if value is missing:
                return m[0]
            inner = _IS_RE.sub(b"", inner)
        if type(value) is float:  # the common case, as _encode does it
            t = None
            text = (str(int(value)) if value.is_integer() and abs(value) < 1e15
                    else repr(value)).encode()
        else:
            t, text = _encode(value)
            if not has_formula and t == b"str":
                t = b"inlineStr"  # a constant string has no formula: inline it (§18.3.1.53)
        if b't="' in attrs:
            attrs = _ATTR_T_RE.sub(b"", attrs)
        if t is not None:
            attrs += b' t="' + t + b'"'
        p = p or b""
        if t == b"inlineStr":
            new_v = b"<" + p + b"is><" + p + b"t>" + text + b"</" + p + b"t></" + p + b"is>"
        elif value is None:
            new_v = b""
        elif p:
            new_v = b"<" + p + b"v>" + text + b"</" + p + b"v>"
        else:
            new_v = b"<v>" + text + b"</v>"
        vm = v_search(inner)
        if vm is not None:
            inner = inner[:vm.start()] + new_v + inner[vm.end():]
            if t == b"inlineStr":
                inner = _V_RE.sub(b"", inner)
        elif has_formula:
            end = _F_END_RE.search(inner)
            cut = end.end() if end else len(inner)
            inner = inner[:cut] + new_v + inner[cut:]
        else:
            inner = new_v + inner
        done.add(coord)
        if p:
            return b"<" + p + b"c" + attrs + b">" + inner + b"</" + p + b"c>"
        return b"<c" + attrs + b">" + inner + b"</c>"

    cell_re = _CELL_RE if _PREFIXED_CELL_RE.search(xml) else _PLAIN_CELL_RE
    patched = cell_re.sub(repl, xml)
    return patched, {c.decode() for c in done}


def write_back(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    in_place: bool = False,
    inputs: dict[str, object] | None = None,
    recalculation: Recalculation | None = None,
) -> str:
    """Recalculate *path* and write a copy whose cached values are the computed ones.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook to recalculate.
    out : str or os.PathLike, optional
        Where to write; required unless ``in_place``.
    in_place : bool
        Replace *path* itself (atomically).
    inputs : dict, optional
        REF → value set before recalculating; those cells get the new values too, so the
        written workbook is consistent (the cells must exist in the file).
    recalculation : Recalculation, optional
        An already loaded model of *path* (saves a load).

    Returns
    -------
    str
        The path written.

    Raises
    ------
    WorkbookError
        Unreadable or unsafe input, bad REF, an input cell that is empty in the file, or
        *out* equal to *path* without ``in_place``.
    """
    src = os.fspath(path)
    if in_place:
        target = src
    elif out is None:
        raise WorkbookError(src, "write-back needs an output path or in_place=True")
    else:
        target = os.fspath(out)
        if os.path.exists(target) and os.path.samefile(src, target):
            raise WorkbookError(
                src, "output is the input file; use --in-place (in_place=True) to replace it"
            )
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise WorkbookError(target, f"output directory {directory} does not exist")
    calc = recalculation or Recalculation(src)
    wanted = list(calc.formulas)
    for ref in inputs or {}:
        wanted.extend(c for c in calc.resolve(ref) if c not in calc.formulas)
    # Every formula cell and every set input; the compiled plan answers when it can.
    values = calc.values(inputs, wanted)
    constants: dict[str, Value] = {}
    for ref in inputs or {}:
        for cell in calc.resolve(ref):
            if cell in calc.formulas:
                # The file would say "value X" next to a formula that computes Y.
                raise WorkbookError(
                    src,
                    "cannot write an input over a formula cell (the saved workbook would be "
                    "stale); set the formula's inputs instead",
                    cell=cell,
                )
            constants[cell] = values[cell]

    # Each sheet part's formula values and constants, in one pass over the values (a
    # part named by two sheets, as only a hostile file does, takes the last one's).
    sheet_of_part = {part: sheet for sheet, part in calc.checked.sheets.items()}
    by_part: dict[str, tuple[dict[str, Value], dict[str, Value]]] = {
        part: ({}, {}) for part in sheet_of_part}
    by_sheet = {sheet: by_part[part] for part, sheet in sheet_of_part.items()}
    formulas = calc.formulas
    for ref, v in values.items():
        s, coord = ref.rsplit("!", 1)
        slot = by_sheet.get(s)
        if slot is not None:
            slot[0 if ref in formulas else 1][coord] = v
    for ref, v in constants.items():
        s, coord = ref.rsplit("!", 1)
        slot = by_sheet.get(s)
        if slot is not None:
            slot[1][coord] = v

    with open(src, "rb") as f:
        data = f.read()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename in by_part:
                formula_values, const_values = by_part[info.filename]
                content, done = patch_sheet_xml(content, formula_values, const_values)
                missing = set(const_values) - done
                if missing:
                    sheet = next(s for s, p in calc.checked.sheets.items() if p == info.filename)
                    cell = f"{sheet}!{sorted(missing)[0]}"
                    raise WorkbookError(
                        src, "cannot write an input into a cell that is empty in the file",
                        cell=cell,
                    )
            # Same name, timestamp, attributes and compression as the original member.
            zout.writestr(info, content, compress_type=info.compress_type)
    with atomic_writer(target) as f:
        f.write(buf.getvalue())
    return target
