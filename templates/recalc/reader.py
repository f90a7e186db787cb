"""Read an .xlsx once: cell values, formulas, names, tables, external caches, settings.

Sheet XML is read in one pass without openpyxl's object model: expat checks that the part
is well-formed and regular expressions take the cells out of ``<sheetData>`` (three times
faster than building elements), or, for XML the expressions do not follow (prefixed
elements, CDATA, comments, other encodings), ElementTree's ``iterparse``. The container
is first checked by :func:`templates.recalc.xlsx_safety.open_checked` (zip bombs, DTDs,
sizes), and every part is parsed with DTDs forbidden.

What a formula cell carries (:class:`FormulaCell`): its text (shared formulas already
expanded to the child's own text tree by the compiler), its kind (``normal``, ``array``
with the area it fills, ``dataTable`` with its inputs), whether Excel marked it a dynamic
array (``cm`` → ``metadata.xml``), and the value Excel stored.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from types import MappingProxyType
from xml.etree import ElementTree as _ET  # noqa: N814 - private, as the stdlib docs name it ET

from templates.recalc.errors import WorkbookError
from templates.recalc.parser import col_index
from templates.recalc.records import Record
from templates.recalc.values import BY_TEXT, VALUE
from templates.recalc.xlsx_safety import DEFAULT_LIMITS, CheckedWorkbook, Limits, open_checked

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["BookData", "FormulaCell", "SheetData", "Table", "read_book"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PNS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")

# Number formats 14-22 and 45-47 are Excel's built-in dates and times (ECMA-376 §18.8.30).
_BUILTIN_DATE_FORMATS = frozenset(range(14, 23)) | {45, 46, 47}




def cell_rc(ref: str) -> tuple[int, int]:
    m = _CELL_RE.match(ref.upper())
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def area(ref: str) -> tuple[int, int, int, int]:
    a, _, b = ref.partition(":")
    r1, c1 = cell_rc(a)
    r2, c2 = cell_rc(b) if b else (r1, c1)
    return r1, c1, r2, c2


def _unescape(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes (``_x005F_`` escapes the underscore itself)."""
    if "_x" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


#: The attributes of a formula without any beyond its kind and range: one shared empty map.
_NO_ATTRS: Mapping[str, str] = MappingProxyType({})


class FormulaCell(Record):
    """One ``<f>`` element as read."""

    __slots__ = ("text", "kind", "ref", "shared_index", "dynamic", "attrs")
    text: str | None  # None for a shared-formula child until expanded
    kind: str  # normal | array | dataTable | shared
    ref: str | None  # area an array formula fills, or a shared formula's range
    shared_index: str | None
    dynamic: bool  # Excel 365 dynamic array (spills)
    #: dataTable r1, r2, dt2D, dtr … (read only: a plain formula shares one empty map)
    attrs: Mapping[str, str]

    def __init__(self, text: str | None, kind: str = "normal", ref: str | None = None,
                 shared_index: str | None = None, dynamic: bool = False,
                 attrs: Mapping[str, str] = _NO_ATTRS) -> None:
        self.text, self.kind, self.ref = text, kind, ref
        self.shared_index, self.dynamic, self.attrs = shared_index, dynamic, attrs

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # the shared read-only map of plain formulas does not pickle; a dict does
        return FormulaCell, (self.text, self.kind, self.ref, self.shared_index, self.dynamic,
                             dict(self.attrs))


class Table(Record):
    """An Excel table (``xl/tables/tableN.xml``): its area, header and totals rows."""

    __slots__ = ("name", "sheet", "r1", "c1", "r2", "c2", "header_rows", "totals_rows",
                 "columns")
    name: str
    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    header_rows: int
    totals_rows: int
    columns: list[str]

    def __init__(self, name: str, sheet: str, r1: int, c1: int, r2: int, c2: int,
                 header_rows: int, totals_rows: int, columns: list[str]) -> None:
        self.name, self.sheet = name, sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2
        self.header_rows, self.totals_rows, self.columns = header_rows, totals_rows, columns


class SheetData(Record):
    """One worksheet as read: values and formulas by (row, column), 1-based."""

    __slots__ = ("name", "values", "formulas", "styles", "max_row", "max_col")
    name: str
    values: dict[tuple[int, int], Any]
    formulas: dict[tuple[int, int], FormulaCell]
    styles: dict[tuple[int, int], int]
    max_row: int
    max_col: int

    def __init__(self, name: str, values: dict[tuple[int, int], Any] | None = None,
                 formulas: dict[tuple[int, int], FormulaCell] | None = None,
                 styles: dict[tuple[int, int], int] | None = None, max_row: int = 0,
                 max_col: int = 0) -> None:
        self.name = name
        self.values = {} if values is None else values
        self.formulas = {} if formulas is None else formulas
        self.styles = {} if styles is None else styles
        self.max_row, self.max_col = max_row, max_col


class BookData(Record):
    """A workbook as read: its sheets, names, tables, external caches and settings."""

    __slots__ = ("path", "checked", "sheets", "names", "name_text", "tables", "external",
                 "date_styles", "number_formats", "date1904", "codepage")
    path: str
    checked: CheckedWorkbook
    sheets: list[SheetData]
    names: dict[tuple[str, int | None], str]  # (NAME, sheet index or None) → formula
    name_text: dict[str, str]  # NAME → as written
    tables: dict[str, Table]  # upper-case name → table
    external: dict[int, dict[str, Any]]
    date_styles: frozenset[int]
    number_formats: dict[int, str]  # style index → code
    date1904: bool
    codepage: str

    def __init__(self, path: str, checked: CheckedWorkbook,
                 sheets: list[SheetData] | None = None,
                 names: dict[tuple[str, int | None], str] | None = None,
                 name_text: dict[str, str] | None = None,
                 tables: dict[str, Table] | None = None,
                 external: dict[int, dict[str, Any]] | None = None,
                 date_styles: frozenset[int] = frozenset(),
                 number_formats: dict[int, str] | None = None, date1904: bool = False,
                 codepage: str = "cp1252") -> None:
        self.path, self.checked = path, checked
        self.sheets = [] if sheets is None else sheets
        self.names = {} if names is None else names
        self.name_text = {} if name_text is None else name_text
        self.tables = {} if tables is None else tables
        self.external = {} if external is None else external
        self.date_styles = date_styles
        self.number_formats = {} if number_formats is None else number_formats
        self.date1904, self.codepage = date1904, codepage


def _parse(zf: zipfile.ZipFile, path: str, name: str) -> Any:
    # The C parser, as for sheets: open_checked has refused any part that declares a DTD,
    # and without one expat expands no entity (defusedxml's Python-level handlers cost a
    # template's styles and strings 10 ms).
    with zf.open(name) as member:
        try:
            return _ET.parse(member).getroot()
        except _ET.ParseError as exc:
            raise WorkbookError(path, f"part {name} cannot be parsed ({exc})") from None


def _rels(zf: zipfile.ZipFile, path: str, part: str) -> dict[str, tuple[str, str]]:
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    try:
        zf.getinfo(rels)
    except KeyError:
        return {}
    out = {}
    for rel in _parse(zf, path, rels).iter(f"{_PNS}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            target = (target.lstrip("/") if target.startswith("/")
                      else posixpath.normpath(posixpath.join(folder, target)))
        out[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return out


def _shared_strings(zf: zipfile.ZipFile, path: str, target: str | None) -> list[str]:
    if not target:
        return []
    out = []
    root = _parse(zf, path, target)
    for si in root.iter(f"{_NS}si"):
        t = si.find(f"{_NS}t")
        if t is not None and len(si) == 1:
            out.append(_unescape(t.text or ""))
        else:  # rich text runs; phonetic runs (rPh) are not part of the value
            out.append(_unescape("".join(
                (r.findtext(f"{_NS}t") or "") for r in si.findall(f"{_NS}r"))
                or (si.findtext(f"{_NS}t") or "")))
    return out


def _styles(zf: zipfile.ZipFile, path: str, target: str | None) -> tuple[frozenset[int],
                                                                          dict[int, str]]:
    if not target:
        return frozenset(), {}
    from templates.recalc.functions._numfmt import is_date_format

    root = _parse(zf, path, target)
    custom: dict[int, str] = {}
    fmts = root.find(f"{_NS}numFmts")
    if fmts is not None:
        for f in fmts.findall(f"{_NS}numFmt"):
            custom[int(f.get("numFmtId", "0"))] = f.get("formatCode", "")
    dates = set()
    codes: dict[int, str] = {}
    xfs = root.find(f"{_NS}cellXfs")
    if xfs is not None:
        for i, xf in enumerate(xfs.findall(f"{_NS}xf")):
            fid = int(xf.get("numFmtId", "0"))
            code = custom.get(fid)
            if code is not None:
                codes[i] = code
                if is_date_format(code):
                    dates.add(i)
            elif fid in _BUILTIN_DATE_FORMATS:
                dates.add(i)
    return frozenset(dates), codes


def _dynamic_cm(zf: zipfile.ZipFile, path: str, target: str | None) -> set[str]:
    """``cm`` indices (1-based) of cell metadata that mark dynamic-array formulas."""
    if not target:
        return set()
    root = _parse(zf, path, target)
    types = root.find(f"{_NS}metadataTypes")
    names = [t.get("name") for t in types] if types is not None else []
    out = set()
    cm = root.find(f"{_NS}cellMetadata")
    if cm is not None:
        for i, bk in enumerate(cm.findall(f"{_NS}bk"), start=1):
            rc = bk.find(f"{_NS}rc")
            if rc is not None:
                t = int(rc.get("t", "0"))
                if 0 < t <= len(names) and names[t - 1] == "XLDAPR":
                    out.add(str(i))
    return out


def _typed(t: str, txt: str, strings: list[str]) -> Any:
    """A cell's ``<v>`` text as the value its type ``t`` says (ECMA-376 §18.18.11)."""
    if t == "n":
        return float(txt)
    if t == "s":
        return strings[int(txt)]
    if t == "str":
        return _unescape(txt)
    if t == "b":
        return txt.strip() in ("1", "true")
    if t == "e":
        return BY_TEXT.get(txt.strip(), VALUE)
    if t == "d":
        from templates.recalc.dates import parse_datetime_text

        return parse_datetime_text(txt.replace("T", " ").rstrip("Z"))
    return None


def _read_sheet(zf: zipfile.ZipFile, path: str, member: str, sheet: SheetData,
                strings: list[str], dynamic: set[str]) -> None:
    with zf.open(member) as fh:
        data = fh.read()
    if _fast_sheet_ok(data):
        _read_sheet_fast(data, path, member, sheet, strings, dynamic)
    else:
        _read_sheet_tree(io.BytesIO(data), path, member, sheet, strings, dynamic)


def _read_sheet_tree(fh: Any, path: str, member: str, sheet: SheetData,
                     strings: list[str], dynamic: set[str]) -> None:
    c_tag, v_tag, f_tag, is_tag, t_tag = (f"{_NS}c", f"{_NS}v", f"{_NS}f", f"{_NS}is",
                                          f"{_NS}t")
    row_tag = f"{_NS}row"
    values, formulas, styles = sheet.values, sheet.formulas, sheet.styles
    max_r = max_c = 0
    try:
        # The C parser: open_checked has refused any part that declares a DTD, and
        # without one expat can expand no entity; defusedxml's pure-Python parser
        # tripled the read time of large sheets.
        for _ev, el in _ET.iterparse(fh, events=("end",)):
            tag = el.tag
            if tag == c_tag:
                ref = el.get("r")
                if ref is None:
                    continue
                r, c = cell_rc(ref)
                if r > max_r:
                    max_r = r
                if c > max_c:
                    max_c = c
                t = el.get("t", "n")
                s = el.get("s")
                if s is not None and s != "0":
                    styles[(r, c)] = int(s)
                v = el.find(v_tag)
                val: Any = None
                if t == "inlineStr":
                    is_ = el.find(is_tag)
                    val = _unescape("".join(x.text or "" for x in is_.iter(t_tag))) \
                        if is_ is not None else ""
                elif v is not None and v.text is not None:
                    val = _typed(t, v.text, strings)
                elif t == "str":
                    val = ""
                if val is not None:
                    values[(r, c)] = val
                f = el.find(f_tag)
                if f is not None:
                    ft = f.get("t", "normal")
                    text = f.text
                    fc = FormulaCell(
                        text=_unescape(text) if text else None, kind=ft,
                        ref=f.get("ref"), shared_index=f.get("si"),
                        dynamic=el.get("cm") in dynamic,
                        attrs={k: v for k, v in f.attrib.items()
                               if k not in ("t", "ref", "si")})
                    if ft == "normal" and not text:
                        pass  # an empty <f/>: not a formula
                    else:
                        formulas[(r, c)] = fc
                el.clear()
            elif tag == row_tag:
                el.clear()
    except _ET.ParseError as exc:
        raise WorkbookError(path, f"part {member} cannot be parsed ({exc})") from None
    sheet.max_row, sheet.max_col = max_r, max_c


# -- the fast path for sheet XML ----------------------------------------------------------
# Expat checks that the part is well-formed (in C, no callbacks: a tenth of building
# elements), then regular expressions pick the cells out of <sheetData>. It is taken only
# for UTF-8 parts whose worksheet elements carry no prefix and that hold no CDATA section
# and no comment — what Excel, LibreOffice, openpyxl and XlsxWriter write; anything else
# goes through ElementTree (:func:`_read_sheet_tree`). Both give the same SheetData
# (tests/templates/recalc/test_reader.py compares them on every corpus workbook).
_MAIN_XMLNS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# Groups: column letters, row, style, type (when Excel's attribute order), other
# attributes; then a plain body — <f>text</f> or a shared formula's child <f t="shared"
# si="N"/>, and/or <v>text</v>, nothing else: every formula a tool writes in full, every
# filled-down cell Excel writes, every value — as its texts (formula, shared index,
# value); or an inline string of one plain run, <is><t>text</t></is> (openpyxl's, as
# its text); else the body.
_C_ELEMENT = re.compile(
    rb'<c(?=[\s/>])(?: r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?)?([^>]*?)'
    rb'(?:/>|>(?:<f>([^<]+)</f>|<f t="shared" si="(\d+)"/>)?(?:<v>([^<]*)</v>)?</c>'
    rb'|><is><t>([^<]*)</t></is></c>'
    rb"|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V_ELEMENT = re.compile(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)
_F_ELEMENT = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_IS_ELEMENT = re.compile(rb"<is\b[^>]*?(?:/>|>(.*?)</is>)", re.S)
_T_ELEMENT = re.compile(rb"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#(\d+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _xml_text(raw: bytes | None) -> str | None:
    """Character data as expat gives it: UTF-8 decoded, line ends normalised, the five
    entities and character references replaced."""
    if raw is None:
        return None
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else
                           chr(int(m.group(2))) if m.group(2) else _NAMED[m.group(3)], text)
    return text


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for k, v1, v2 in _ATTR.findall(raw):
        v = v1 or v2
        text = v.decode("utf-8")
        if "&" in text or "\t" in text or "\n" in text or "\r" in text:
            # attribute-value normalisation (XML 1.0 §3.3.3), then references
            text = _xml_text(re.sub(rb"\r\n|[\t\n\r]", b" ", v)) or ""
        out[k.decode("ascii")] = text
    return out


def _fast_sheet_ok(data: bytes) -> bool:
    head = data[:200].lower()
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"encoding=" in head and b'encoding="utf-8"' not in head \
            and b"encoding='utf-8'" not in head:
        return False
    return (_MAIN_XMLNS in data[:4096] and b"<![CDATA[" not in data and b"<!--" not in data
            and (b"<sheetData" in data))


def _read_sheet_fast(data: bytes, path: str, member: str, sheet: SheetData,
                     strings: list[str], dynamic: set[str]) -> None:
    import xml.parsers.expat

    try:
        xml.parsers.expat.ParserCreate().Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise WorkbookError(path, f"part {member} cannot be parsed ({exc})") from None
    start = data.find(b"<sheetData")
    end = data.rfind(b"</sheetData>")
    if end < 0:
        return  # <sheetData/>: no cells
    values, formulas, styles = sheet.values, sheet.formulas, sheet.styles
    max_r = max_c = 0
    cols: dict[bytes, int] = {}
    seen_f: dict[tuple[bytes, bool], FormulaCell] = {}
    children: dict[tuple[bytes, bool], FormulaCell] = {}  # shared formulas' children by si
    for m in _C_ELEMENT.finditer(data, start, end):
        letters, digits, st_b, t_b, rest, fp, si, vp, isp, body = m.groups()
        if letters is not None and (not rest or not rest.strip()):
            # <c r="A1" s="3" t="s">, Excel's order: no dictionary needed
            c = cols.get(letters)
            if c is None:
                c = cols[letters] = col_index(letters.decode("ascii"))
            r = int(digits)
            if r > max_r:
                max_r = r
            if c > max_c:
                max_c = c
            if st_b is not None and st_b != b"0":
                styles[(r, c)] = int(st_b)
            # a number alone, the commonest cell: float() reads ASCII bytes as it reads
            # their text (an entity, a line end or a non-ASCII digit, which no tool
            # writes in a number, goes the long way)
            if vp and fp is None and si is None and (t_b is None or t_b == b"n") \
                    and b"&" not in vp and b"\r" not in vp and vp.isascii():
                values[(r, c)] = float(vp)
                continue
            t = t_b.decode("ascii") if t_b is not None else "n"
            a: dict[str, str] | None = None
        else:
            a = _attrs(m.group(0)[2:m.end(5) - m.start(0)])
            ref = a.get("r")
            if ref is None:
                continue
            r, c = cell_rc(ref)
            t = a.get("t", "n")
            if r > max_r:
                max_r = r
            if c > max_c:
                max_c = c
            st = a.get("s")
            if st is not None and st != "0":
                styles[(r, c)] = int(st)
        val: Any = None
        if isp is not None:  # <is><t>text</t></is> alone
            if t == "inlineStr":
                values[(r, c)] = _unescape(_xml_text(isp) or "")
                continue
            body = b"<is><t>" + isp + b"</t></is>"  # not an inline string: as any body
        if body is None:
            if fp is None and vp is None and si is None:  # <c …/> or <c …></c>
                if t == "str":
                    values[(r, c)] = ""
                continue
            if t != "inlineStr":  # a plain body (see _C_ELEMENT): no search
                if vp is not None:
                    txt = vp.decode("utf-8") if b"&" not in vp and b"\r" not in vp \
                        else _xml_text(vp)
                    if txt:
                        val = _typed(t, txt, strings)
                    elif t == "str":
                        val = ""
                elif t == "str":
                    val = ""
                if val is not None:
                    values[(r, c)] = val
                if fp is not None:
                    formulas[(r, c)] = FormulaCell(
                        fp.decode("utf-8") if b"&" not in fp and b"\r" not in fp
                        and b"_x" not in fp else _unescape(_xml_text(fp) or ""),
                        "normal", None, None, a is not None and a.get("cm") in dynamic,
                        _NO_ATTRS)
                elif si is not None:
                    dyn = a is not None and a.get("cm") in dynamic
                    fcell = children.get((si, dyn))
                    if fcell is None:  # one FormulaCell for every child of the group
                        fcell = children[(si, dyn)] = FormulaCell(
                            None, "shared", None, si.decode("ascii"), dyn, _NO_ATTRS)
                    formulas[(r, c)] = fcell
                continue
            whole = m.group(0)
            body = whole[m.end(5) - m.start(0) + 1:-4]
        if t == "inlineStr":  # one plain run came through _C_ELEMENT: runs, attributes
            im = _IS_ELEMENT.search(body)
            val = _unescape("".join(_xml_text(x) or "" for x in _T_ELEMENT.findall(im.group(1)
                                                                                  or b""))) \
                if im is not None else ""
        else:
            if body.startswith(b"<v>") and body.endswith(b"</v>") and b"<" not in body[3:-4]:
                txt = _xml_text(body[3:-4])  # a value alone, the commonest body
            elif body.startswith(b"<f ") and body.endswith(b"/>") and body.find(b"<", 1) < 0:
                txt = None  # <f t="shared" si="3"/> alone: a shared formula's child
            else:
                vm = _V_ELEMENT.search(body)
                txt = _xml_text(vm.group(1)) if vm is not None else None
            if txt:
                val = _typed(t, txt, strings)
            elif t == "str":
                val = ""
        if val is not None:
            values[(r, c)] = val
        dyn = a is not None and a.get("cm") in dynamic
        fcell = seen_f.get((body, dyn))  # the body is that one element: no search
        if fcell is not None:
            formulas[(r, c)] = fcell
            continue
        fm = _F_ELEMENT.search(body)
        if fm is not None:
            fel = fm.group(0)
            fcell = seen_f.get((fel, dyn))
            if fcell is None:
                fa = _attrs(fm.group(1)) if fm.group(1) else {}
                ft = fa.pop("t", "normal")
                text = _xml_text(fm.group(2))
                if ft == "normal" and not text:
                    continue  # an empty <f/>: not a formula
                fcell = FormulaCell(_unescape(text) if text else None, ft, fa.pop("ref", None),
                                    fa.pop("si", None), dyn, fa)
                # A filled-down column repeats one element (every shared formula's
                # child): one FormulaCell for all of them, nothing changes it.
                if len(seen_f) < 100_000:
                    seen_f[(fel, dyn)] = fcell
            formulas[(r, c)] = fcell
    sheet.max_row, sheet.max_col = max_r, max_c


def _external(zf: zipfile.ZipFile, path: str, part: str) -> dict[str, Any]:
    """The values Excel cached for another workbook's cells, and its sheet names."""
    root = _parse(zf, path, part)
    book = root.find(f"{_NS}externalBook")
    out: dict[str, Any] = {"sheets": [], "cells": {}, "names": {}, "unread": set()}
    if book is None:
        return out
    names = book.find(f"{_NS}sheetNames")
    if names is not None:
        out["sheets"] = [s.get("val", "") for s in names]
    dnames = book.find(f"{_NS}definedNames")
    if dnames is not None:
        for dn in dnames:
            out["names"][dn.get("name", "").upper()] = dn.get("refersTo", "")
    data = book.find(f"{_NS}sheetDataSet")
    if data is not None:
        for sd in data:
            idx = int(sd.get("sheetId", "0"))
            sheet = out["sheets"][idx] if idx < len(out["sheets"]) else str(idx)
            if sd.get("refreshError") in ("1", "true") and len(sd) == 0:
                out["unread"].add(sheet.upper())  # never read, nothing cached: #REF!
            for row in sd:
                for cell in row:
                    r, c = cell_rc(cell.get("r", "A1"))
                    v = cell.findtext(f"{_NS}v")
                    t = cell.get("t", "n")
                    val: Any = None
                    if v is not None:
                        if t == "n":
                            val = float(v)
                        elif t == "b":
                            val = v in ("1", "true")
                        elif t == "e":
                            val = BY_TEXT.get(v, VALUE)
                        else:
                            val = v
                    out["cells"][(sheet.upper(), r, c)] = val
    return out


def read_book(path: str, limits: Limits = DEFAULT_LIMITS) -> BookData:
    """Check and read a workbook file (see the module docstring).

    Raises
    ------
    WorkbookError
        The file is unsafe, corrupt or not a workbook (the reason names the rule).
    """
    from templates.recalc.workbook import gc_paused

    checked = open_checked(path, limits)
    book = BookData(path=str(path), checked=checked)
    with zipfile.ZipFile(path) as zf, gc_paused():
        wb = _parse(zf, path, "xl/workbook.xml")
        rels = _rels(zf, path, "xl/workbook.xml")
        by_type: dict[str, list[str]] = {}
        for typ, target in rels.values():
            by_type.setdefault(typ.rsplit("/", 1)[-1], []).append(target)
        pr = wb.find(f"{_NS}workbookPr")
        if pr is not None and pr.get("date1904", "0") in ("1", "true"):
            book.date1904 = True
        strings = _shared_strings(zf, path, (by_type.get("sharedStrings") or [None])[0])
        book.date_styles, book.number_formats = _styles(
            zf, path, (by_type.get("styles") or [None])[0])
        dynamic = _dynamic_cm(zf, path, (by_type.get("sheetMetadata") or [None])[0])
        sheet_members = []
        for s in wb.iter(f"{_NS}sheet"):
            rel = rels.get(s.get(f"{_RNS}id", ""))
            name = s.get("name", "")
            if rel and rel[0].endswith("/worksheet"):
                sheet_members.append((name, rel[1]))
            else:  # chart sheets and dialog sheets hold no cells but keep their index
                sheet_members.append((name, None))
        for name, member in sheet_members:
            sd = SheetData(name)
            book.sheets.append(sd)
            if member is None:
                continue
            _read_sheet(zf, path, member, sd, strings, dynamic)
            for typ, target in _rels(zf, path, member).values():
                if typ.endswith("/table"):
                    troot = _parse(zf, path, target)
                    r1, c1, r2, c2 = area(troot.get("ref", "A1"))
                    cols = [tc.get("name", "") for tc in troot.iter(f"{_NS}tableColumn")]
                    tname = troot.get("displayName") or troot.get("name", "")
                    book.tables[tname.upper()] = Table(
                        tname, name, r1, c1, r2, c2,
                        int(troot.get("headerRowCount", "1")),
                        int(troot.get("totalsRowCount", "0") or
                            (1 if troot.get("totalsRowShown") == "1" and False else 0)),
                        [_unescape(c) for c in cols])
        for dn in wb.iter(f"{_NS}definedName"):
            nm = dn.get("name", "")
            local = dn.get("localSheetId")
            book.names[(nm.upper(), int(local) if local is not None else None)] = dn.text or ""
            book.name_text[nm.upper()] = nm
        refs = wb.find(f"{_NS}externalReferences")
        for i, er in enumerate(refs if refs is not None else [], start=1):
            rel = rels.get(er.get(f"{_RNS}id", ""))
            if rel is not None:
                book.external[i] = _external(zf, path, rel[1])
        try:
            app = zf.read("docProps/app.xml")
        except KeyError:
            app = b""
        if b"Macintosh" in app:
            book.codepage = "mac_roman"
    return book
