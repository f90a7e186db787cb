"""Checks that make an untrusted workbook safe to hand to openpyxl and ``formulas``.

A workbook from a colleague, a vendor or the internet is a zip of XML parts. Before any
parser touches it, :func:`open_checked` checks the container (what the file is, zip
limits, DTDs in every XML part, external links, macros); after openpyxl has loaded it,
:func:`check_formulas` checks what ``formulas`` would do with the cells (unknown
functions, references to other files, ranges and used ranges too large to materialise).
Every refusal is a :class:`~templates.recalc.errors.WorkbookError` naming the file, the cell
when there is one, and the limit or rule, so that the CLI can print one line and exit 2.

All checks are bounded: the container pass reads each member once, in chunks, and stops
at the limits in :class:`Limits`; nothing here executes macros or opens another file.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import struct
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree as _ET  # noqa: N814 - private, as the stdlib docs name it ET

from templates.recalc.errors import WorkbookError
from templates.recalc.records import FrozenRecord, Record

# typing for type checkers only: importing it is 2 ms of every cold recalculation
# (tests/templates/recalc/test_records.py keeps the recalculation path without it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DEFAULT_LIMITS",
    "CalcSettings",
    "CheckedWorkbook",
    "Limits",
    "check_formulas",
    "open_checked",
]

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EXCEL_ROWS, _EXCEL_COLS = 1_048_576, 16_384
_MiB = 1024 * 1024


class Limits(FrozenRecord):
    """Bounds on what a workbook may make the runtime read, hold or compute.

    The defaults admit any workbook our templates produce with a wide margin (a 20-year
    monthly projection is a few thousand formula cells) and refuse what would take
    minutes or gigabytes. All sizes are in bytes, areas in cells. Frozen: change one with
    :meth:`replace` (``Limits().replace(max_file_bytes=1 << 20)``).

    Parameters
    ----------
    max_file_bytes : int, default 200 MiB
        Size of the .xlsx file itself.
    max_members : int, default 10,000
        Zip members (a workbook has tens; a member-count bomb has millions).
    max_member_bytes : int, default 128 MiB
        Uncompressed size of one member (one sheet's XML).
    max_total_bytes : int, default 512 MiB
        Uncompressed size of all members together.
    max_compression_ratio : float, default 200
        Uncompressed / compressed, checked for members above ``ratio_floor_bytes``.
        Spreadsheet XML compresses 5–30×; deflate bombs reach 1000×.
    ratio_floor_bytes : int, default 1 MiB
        Small members may compress extremely well and are harmless.
    max_cells : int, default 4,000,000
        Cells (``<c>`` elements) over all sheets: the reader keeps a value per cell (a
        few hundred bytes each). Twice ``max_formula_cells``, so that a workbook at the
        formula limit fits with as many constant cells (a 1,000 × 1,000 grid and its
        inputs is 1,000,200); :meth:`with_max_formulas` keeps the ratio.
    max_formula_cells : int, default 2,000,000
        Formula cells: the engine compiles and evaluates some 50,000–100,000 a second
        (issue 15: a million formula cells within 20 s and 2 GB), so this bounds a
        recalculation to well under a minute. ``--max-formulas N`` on the command line.
        (It was 100,000 when ``formulas``, at about 700 a second, did the compiling.)
    max_used_range_cells : int, default 5,000,000
        Rows × columns of one sheet's used range: ``formulas`` visits every position.
    max_range_cells : int, default 1,048,576
        Area of one range reference in a formula (one whole column is 1,048,576 cells).
    max_referenced_cells : int, default 4 × 1,048,576
        Total area of all distinct range references: each becomes an in-memory array;
        ``formulas`` takes about 4 s per whole column (measured, formulas 1.3.4), so
        four whole columns bound a recalculation to well under a minute.
    """

    __slots__ = ("max_file_bytes", "max_members", "max_member_bytes", "max_total_bytes",
                 "max_compression_ratio", "ratio_floor_bytes", "max_cells",
                 "max_formula_cells", "max_used_range_cells", "max_range_cells",
                 "max_referenced_cells")
    max_file_bytes: int
    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    max_compression_ratio: float
    ratio_floor_bytes: int
    max_cells: int
    max_formula_cells: int
    max_used_range_cells: int
    max_range_cells: int
    max_referenced_cells: int

    def __init__(self, max_file_bytes: int = 200 * _MiB, max_members: int = 10_000,
                 max_member_bytes: int = 128 * _MiB, max_total_bytes: int = 512 * _MiB,
                 max_compression_ratio: float = 200.0, ratio_floor_bytes: int = 1 * _MiB,
                 max_cells: int = 4_000_000, max_formula_cells: int = 2_000_000,
                 max_used_range_cells: int = 5_000_000, max_range_cells: int = _EXCEL_ROWS,
                 max_referenced_cells: int = 4 * _EXCEL_ROWS) -> None:
        for name, value in zip(self.__slots__, (
                max_file_bytes, max_members, max_member_bytes, max_total_bytes,
                max_compression_ratio, ratio_floor_bytes, max_cells, max_formula_cells,
                max_used_range_cells, max_range_cells, max_referenced_cells), strict=True):
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Limits:
        """These limits with the fields named changed.

        Examples
        --------
        >>> Limits().replace(max_members=5).max_members
        5
        >>> Limits().replace(max_rows=5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
          ...
        TypeError: Limits has no field 'max_rows' (its fields: max_file_bytes, ...)
        """
        for name in changes:
            if name not in self.__slots__:
                raise TypeError(f"Limits has no field {name!r} (its fields: "
                                + ", ".join(self.__slots__) + ")")
        return Limits(**{n: changes.get(n, getattr(self, n)) for n in self.__slots__})

    def with_max_formulas(self, n: int) -> Limits:
        """These limits with ``max_formula_cells = n`` (``--max-formulas N``), and
        ``max_cells`` raised to twice ``n`` when that is more, so a workbook at the new
        formula limit can also hold as many constants.

        Examples
        --------
        >>> Limits().with_max_formulas(5_000_000).max_cells
        10000000
        >>> Limits().with_max_formulas(10).max_cells  # never lowered
        4000000
        """
        return self.replace(max_formula_cells=n, max_cells=max(self.max_cells, 2 * n))


DEFAULT_LIMITS = Limits()


class CalcSettings(FrozenRecord):
    """The workbook's calculation settings (``<calcPr>`` in ``xl/workbook.xml``).

    Defaults are ECMA-376 Part 1 §18.2.2's: iteration off, 100 iterations, 0.001 delta.
    """

    __slots__ = ("iterate", "iterate_count", "iterate_delta", "full_calc_on_load")
    iterate: bool
    iterate_count: int
    iterate_delta: float
    full_calc_on_load: bool

    def __init__(self, iterate: bool = False, iterate_count: int = 100,
                 iterate_delta: float = 0.001, full_calc_on_load: bool = False) -> None:
        object.__setattr__(self, "iterate", iterate)
        object.__setattr__(self, "iterate_count", iterate_count)
        object.__setattr__(self, "iterate_delta", iterate_delta)
        object.__setattr__(self, "full_calc_on_load", full_calc_on_load)


class CheckedWorkbook(Record):
    """What :func:`open_checked` learned about a workbook it accepted.

    Attributes
    ----------
    path : str
        The file.
    sheets : dict[str, str]
        Worksheet name (as written in the workbook) → zip member of its XML, in order.
    calc : CalcSettings
        Iteration settings and the like.
    defined_names : dict[str, str]
        Global defined names → their formula text (``"Inputs!$B$2"``).
    external_links : dict[str, str]
        External link index (``"1"`` for ``[1]``) → target file as recorded.
    has_macros : bool
        The workbook carries a VBA project (never run, only noted).
    notes : list[str]
        One-line warnings worth showing the user.
    """

    __slots__ = ("path", "sheets", "calc", "defined_names", "external_links", "has_macros",
                 "notes")
    path: str
    sheets: dict[str, str]
    calc: CalcSettings
    defined_names: dict[str, str]
    external_links: dict[str, str]
    has_macros: bool
    notes: list[str]

    def __init__(self, path: str, sheets: dict[str, str] | None = None,
                 calc: CalcSettings | None = None,
                 defined_names: dict[str, str] | None = None,
                 external_links: dict[str, str] | None = None, has_macros: bool = False,
                 notes: list[str] | None = None) -> None:
        self.path = path
        self.sheets = {} if sheets is None else sheets
        self.calc = CalcSettings() if calc is None else calc
        self.defined_names = {} if defined_names is None else defined_names
        self.external_links = {} if external_links is None else external_links
        self.has_macros = has_macros
        self.notes = [] if notes is None else notes


def open_checked(
    path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS
) -> CheckedWorkbook:
    """Validate a workbook file before any spreadsheet library reads it.

    Parameters
    ----------
    path : str or os.PathLike
        The workbook (.xlsx or .xlsm).
    limits : Limits, optional
        Size and shape bounds; :data:`DEFAULT_LIMITS` unless given.

    Returns
    -------
    CheckedWorkbook
        Sheets, calculation settings, defined names, external links, macro flag, notes.

    Raises
    ------
    WorkbookError
        Missing file, legacy .xls, encrypted workbook, OpenDocument, truncated or corrupt
        zip, zip bomb or oversized part, DTD/entity declarations in an XML part, too many
        cells, or not a spreadsheet at all. The reason names the rule and the numbers.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise WorkbookError(path, "file not found")
    if os.path.isdir(path):
        raise WorkbookError(path, "is a directory, not a workbook file")
    size = os.path.getsize(path)
    if size > limits.max_file_bytes:
        raise WorkbookError(
            path, f"file is {size:,} bytes, above the limit of {limits.max_file_bytes:,}"
        )
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(_OLE_MAGIC):
        raise WorkbookError(path, _describe_ole(path))
    if not head.startswith(_ZIP_MAGIC):
        if not head:
            raise WorkbookError(path, "file is empty")
        raise WorkbookError(path, "not an .xlsx workbook (not a zip container)")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise WorkbookError(
            path, f"truncated or corrupt zip container ({exc}); the file is incomplete"
        ) from None
    with zf:
        infos = zf.infolist()
        _check_zip_limits(path, infos, limits)
        names = {i.filename for i in infos}
        if "mimetype" in names and "content.xml" in names:
            raise WorkbookError(path, "OpenDocument (.ods) is not supported, save as .xlsx")
        if "xl/workbook.xml" not in names:
            raise WorkbookError(
                path, "not an Excel workbook: the zip has no xl/workbook.xml part"
            )
        _scan_members(path, zf, infos, limits)
        result = CheckedWorkbook(path=path)
        rels = _rels(path, zf, "xl/workbook.xml", names)
        _read_workbook_part(path, zf, result, rels)
        _read_external_links(path, zf, names, result, rels)
        if "xl/vbaProject.bin" in names:
            result.has_macros = True
            result.notes.append(
                "contains VBA macros (xl/vbaProject.bin); they are never run, "
                "formulas are recalculated without them"
            )
    return result


# --- container --------------------------------------------------------------------


def _describe_ole(path: str) -> str:
    """Tell an encrypted OOXML workbook from a legacy .xls; both are OLE CFB files."""
    try:
        names = _cfb_stream_names(path)
    except (ValueError, struct.error, OSError):
        names = set()
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        return (
            "workbook is encrypted (password-protected: OLE container with an "
            "EncryptionInfo stream); remove the password in Excel and save again"
        )
    if {"Workbook", "Book"} & names or not names:
        return "legacy .xls (BIFF/OLE) is not supported, save as .xlsx"
    return "an OLE compound file, not an .xlsx workbook"


def _cfb_stream_names(path: str, max_sectors: int = 4096) -> set[str]:
    """Names in an OLE Compound File's directory ([MS-CFB] §2.2, §2.6), bounded."""
    with open(path, "rb") as f:
        header = f.read(512)
        sector_shift = struct.unpack_from("<H", header, 30)[0]
        if sector_shift not in (9, 12):
            raise ValueError("bad sector size")
        sector = 1 << sector_shift
        n_fat = struct.unpack_from("<I", header, 44)[0]
        first_dir = struct.unpack_from("<I", header, 48)[0]
        difat = struct.unpack_from("<109I", header, 76)[: min(n_fat, 109)]

        def read_sector(i: int) -> bytes:
            f.seek((i + 1) * sector)
            return f.read(sector)

        fat: list[int] = []
        for s in difat:
            fat.extend(struct.unpack(f"<{sector // 4}I", read_sector(s)))
        names: set[str] = set()
        current, seen = first_dir, 0
        while current < 0xFFFFFFFA and seen < max_sectors:
            data = read_sector(current)
            for off in range(0, len(data) - 127, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                if 2 <= length <= 64:
                    names.add(data[off : off + length - 2].decode("utf-16-le", "replace"))
            current = fat[current] if current < len(fat) else 0xFFFFFFFE
            seen += 1
        return names


def _check_zip_limits(path: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise WorkbookError(
            path, f"zip has {len(infos):,} members, above the limit of {limits.max_members:,}"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookError(path, f"zip member {info.filename} is encrypted")
        if info.file_size > limits.max_member_bytes:
            raise WorkbookError(
                path,
                f"part {info.filename} unpacks to {info.file_size:,} bytes, above the "
                f"per-part limit of {limits.max_member_bytes:,}",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_compression_ratio:
            raise WorkbookError(
                path,
                f"part {info.filename} looks like a zip bomb: {info.compress_size:,} bytes "
                f"unpack to {info.file_size:,} (ratio {ratio:,.0f}, limit "
                f"{limits.max_compression_ratio:,.0f})",
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise WorkbookError(
            path,
            f"zip unpacks to {total:,} bytes in all, above the limit of "
            f"{limits.max_total_bytes:,}",
        )


_CELL_RE = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _count_cells(buf: bytes, tail: int) -> int:
    """``<c>`` elements in ``buf`` that end after its first ``tail`` bytes (those were
    counted with the previous chunk). Matches come left to right, so their ends grow:
    the ones to leave out are the first few."""
    n = len(_CELL_RE.findall(buf))
    if tail:
        for m in _CELL_RE.finditer(buf):
            if m.end() > tail:
                break
            n -= 1
    return n


def _mib_chunks(head: bytes, member: Any) -> Iterator[bytes]:
    """A member's bytes in 1 MiB chunks (the last shorter), ``head`` being what was read
    of it already: the chunks ``member.read(1 MiB)`` gives from the start."""
    while len(head) >= _MiB:
        yield head[:_MiB]
        head = head[_MiB:]
    if head:
        yield head + member.read(_MiB - len(head))
    while chunk := member.read(_MiB):
        yield chunk


def _scan_members(
    path: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
) -> None:
    """Read every member once: CRC and size are verified by zipfile while reading, XML
    prologs are checked for DTDs, sheet cells are counted."""
    cells = 0
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        try:
            count_cells = name.startswith("xl/worksheets/") and name.endswith(".xml")
            read = 0
            tail = b""
            with zf.open(info) as member:
                # The prolog first, in small chunks: a DTD or malformed XML is refused
                # before the rest of the part is unpacked.
                head = _check_prolog(path, info, member)
                for chunk in _mib_chunks(head, member):
                    read += len(chunk)
                    if read > info.file_size or read > limits.max_member_bytes:
                        raise WorkbookError(
                            path, f"part {name} unpacks beyond its declared size"
                        )
                    if count_cells:
                        buf = tail + chunk
                        # Matches ending inside the carried-over tail were counted
                        # with the previous chunk.
                        cells += _count_cells(buf, len(tail))
                        tail = buf[-8:]
                        if cells > limits.max_cells:
                            raise WorkbookError(
                                path,
                                f"workbook has more than {limits.max_cells:,} cells "
                                f"(limit reached in {name}; --max-formulas N allows up to "
                                "2 × N cells)",
                            )
        except WorkbookError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise WorkbookError(path, f"corrupt zip member {name}: {exc}") from None
        except NotImplementedError as exc:
            raise WorkbookError(path, f"zip member {name}: {exc}") from None


_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")


def _looks_like_xml(name: str, head: bytes) -> bool:
    """Any part a reader could parse as XML, whatever its name (rels may point anywhere);
    ``head``: its first bytes (64 are enough)."""
    if name.endswith((".xml", ".rels", ".vml")):
        return True
    return head[:64].lstrip(b" \t\r\n").startswith(_XML_STARTS)


class _Declaration(Exception):  # noqa: N818 - a control-flow signal, never escapes
    """Expat met a DTD or an entity declaration."""


class _Root(Exception):  # noqa: N818 - a control-flow signal, never escapes
    """Expat reached the root element: the prolog, where a DTD would be, is over."""


def _refuse_declaration(*_args: Any) -> None:
    raise _Declaration


def _stop_at_root(*_args: Any) -> None:
    raise _Root


def _check_prolog(path: str, info: zipfile.ZipInfo, member: Any) -> bytes:
    """Read the start of an open member and, if it is XML, refuse any DTD in it (see
    :func:`_check_no_dtd`); returns the bytes read, for the rest of the scan."""
    chunks = [member.read(_PROLOG_CHUNK)]
    if not _looks_like_xml(info.filename, chunks[0]):
        return chunks[0]

    def more() -> Iterator[bytes]:
        yield chunks[0]
        while chunk := member.read(_PROLOG_CHUNK):
            chunks.append(chunk)
            yield chunk

    _check_no_dtd(path, info, more())
    return b"".join(chunks)


def _check_no_dtd(path: str, info: zipfile.ZipInfo, chunks: Iterable[bytes]) -> None:
    """Refuse any DTD: entity expansion (billion laughs) and external entities need one.

    A DTD can only appear in the prolog, before the root element, so expat (in C, with
    handlers only on declarations and the first element) stops there; defusedxml's
    Python-level handlers on every element of a 16 KiB chunk were a third of a small
    workbook's read. ``chunks``: the part's bytes, read as they are parsed.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
    parser.UnparsedEntityDeclHandler = _refuse_declaration
    parser.ExternalEntityRefHandler = _refuse_declaration
    parser.StartElementHandler = _stop_at_root
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Root:
        return  # past the prolog: no DTD can follow
    except _Declaration:
        raise WorkbookError(
            path,
            f"part {info.filename} declares a DTD or entities; refused to prevent entity "
            "expansion and external entity reads",
        ) from None
    except xml.parsers.expat.ExpatError as exc:
        if info.filename.endswith(".vml"):
            return  # VML is often not well-formed XML; openpyxl keeps it as bytes.
        raise WorkbookError(
            path, f"part {info.filename} is not well-formed XML ({exc})"
        ) from None


#: Bytes read at a time while looking for the end of a part's prolog.
_PROLOG_CHUNK = 16 * 1024


def _parse_part(path: str, zf: zipfile.ZipFile, name: str) -> Any:
    """A part's root element. Only parts :func:`_scan_members` checked are parsed (names
    ending in .xml or .rels): their prologs hold no DTD, and without one expat (the C
    ElementTree's parser) expands no entity and reads nothing outside the part;
    defusedxml's pure-Python parser cost a millisecond per workbook to import alone."""
    with zf.open(name) as member:
        try:
            return _ET.parse(member).getroot()
        except _ET.ParseError as exc:
            raise WorkbookError(path, f"part {name} cannot be parsed ({exc})") from None


def _rels(path: str, zf: zipfile.ZipFile, part: str,
          names: set[str]) -> dict[str, tuple[str, str, str]]:
    """Relationships of *part*: id → (type, target resolved in the zip, target mode);
    ``names``: the zip's member names."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    root = _parse_part(path, zf, rels_name)
    out = {}
    for rel in root.iter(f"{{{_PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        mode = rel.get("TargetMode", "Internal")
        if mode != "External":
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
        out[rel.get("Id", "")] = (rel.get("Type", ""), target, mode)
    return out


def _read_workbook_part(path: str, zf: zipfile.ZipFile, result: CheckedWorkbook,
                        rels: dict[str, tuple[str, str, str]]) -> None:
    root = _parse_part(path, zf, "xl/workbook.xml")
    for sheet in root.iter(f"{{{_MAIN_NS}}}sheet"):
        rel = rels.get(sheet.get(f"{{{_REL_NS}}}id", ""))
        if rel and rel[0].endswith("/worksheet"):
            result.sheets[sheet.get("name", "")] = rel[1]
    calc = root.find(f"{{{_MAIN_NS}}}calcPr")
    if calc is not None:
        with contextlib.suppress(ValueError):
            result.calc = CalcSettings(
                iterate=calc.get("iterate", "0") in ("1", "true"),
                iterate_count=int(calc.get("iterateCount", "100")),
                iterate_delta=float(calc.get("iterateDelta", "0.001")),
                full_calc_on_load=calc.get("fullCalcOnLoad", "0") in ("1", "true"),
            )
    for dn in root.iter(f"{{{_MAIN_NS}}}definedName"):
        if dn.get("localSheetId") is None and dn.get("hidden", "0") not in ("1", "true"):
            result.defined_names[dn.get("name", "")] = dn.text or ""


def _read_external_links(
    path: str, zf: zipfile.ZipFile, names: set[str], result: CheckedWorkbook,
    rels: dict[str, tuple[str, str, str]],
) -> None:
    """Record external links (``rels``: the workbook part's); they are never followed
    (see :func:`check_formulas`)."""
    links = [r for r in rels.values() if r[0].endswith("/externalLink")]
    for index, (_type, part, _mode) in enumerate(links, start=1):
        target = "?"
        for _t, tgt, _m in _rels(path, zf, part, names).values():
            target = tgt
        result.external_links[str(index)] = target
    if result.external_links:
        shown = ", ".join(f"[{k}] {v}" for k, v in result.external_links.items())
        result.notes.append(f"external links ({shown}) are never opened")


# --- formulas ---------------------------------------------------------------------

# `[1]!NAME(`: a function from another workbook (an .xlam add-in) through an external link.
_EXTERNAL_FUNC_RE = re.compile(r"^\[(\d+)\]!([A-Za-z_][\w.]*)\($")
_ADDIN_PREFIXES = ("_XLL.", "_XLUDF.")


def _range_area(ref: str) -> tuple[int, bool] | None:
    """Area of a range reference (``A:A`` counts the whole column) and whether it is a
    whole-column/row reference; None when *ref* is not a range (a defined name)."""
    local = ref.rsplit("!", 1)[-1].replace("$", "")
    if ":" not in local:
        return None
    from openpyxl.utils.cell import range_boundaries  # only the formulas path needs openpyxl

    try:
        min_col, min_row, max_col, max_row = range_boundaries(local)
    except (ValueError, TypeError):
        return None
    whole = min_row is None or max_row is None or min_col is None or max_col is None
    rows = (max_row or _EXCEL_ROWS) - (min_row or 1) + 1
    cols = (max_col or _EXCEL_COLS) - (min_col or 1) + 1
    return rows * cols, whole


def check_formulas(
    path: str,
    cells: Iterable[tuple[str, str]],
    known_functions: set[str],
    names: Iterable[str] = (),
    external_links: dict[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, str]:
    """Check formula texts before ``formulas`` compiles them.

    Parameters
    ----------
    path : str
        The workbook, for messages.
    cells : iterable of (str, str)
        ``("Sheet!A1", "=formula")`` pairs.
    known_functions : set of str
        Upper-case function names the engine can evaluate (prefixed forms included).
    names : iterable of str
        Defined names (a LAMBDA stored in a name is called like a function).
    external_links : dict, optional
        ``CheckedWorkbook.external_links``; only add-in function calls may use them.
    limits : Limits, optional
        Range bounds.

    Returns
    -------
    dict[str, str]
        Cells whose formula must be rewritten before compiling → the rewritten text
        (``[1]!LLM_PRICE(`` → ``LLM_PRICE(``: the add-in prefix is dropped because the
        function is ours and evaluated locally; the link itself is never opened).

    Raises
    ------
    WorkbookError
        With ``cell`` set: unknown function, reference into another workbook, structured
        table reference, a range larger than ``max_range_cells``, or all range
        references together above ``max_referenced_cells``.
    """
    from openpyxl.formula import Tokenizer
    from openpyxl.formula.tokenizer import TokenizerError

    known = {n.upper() for n in known_functions} | {n.upper() for n in names}
    external_links = external_links or {}
    rewrites: dict[str, str] = {}
    seen_ranges: dict[str, int] = {}
    total = 0
    for cell, text in cells:
        try:
            tokens = Tokenizer(text).items
        except TokenizerError as exc:
            raise WorkbookError(
                path, f"formula {text!r} cannot be parsed ({exc})", cell
            ) from None
        new_parts: list[str] | None = None
        for i, tok in enumerate(tokens):
            if tok.type == "FUNC" and tok.subtype == "OPEN":
                fname = tok.value[:-1].lstrip("@")
                if fname.upper() == "INDIRECT":
                    _check_indirect(path, cell, text, tokens[i + 1 : i + 3])
                    continue
                ext = _EXTERNAL_FUNC_RE.match(tok.value)
                if ext:
                    fname = ext.group(2)
                    new_parts = new_parts if new_parts is not None else []
                upper = fname.upper()
                base = upper
                for prefix in _ADDIN_PREFIXES:
                    base = base.removeprefix(prefix)
                if upper not in known and base not in known:
                    raise WorkbookError(
                        path,
                        f"unknown function {fname} in {text!r} (not an Excel function the "
                        "headless engine implements nor an llm-tco function)",
                        cell,
                    )
            elif tok.type == "OPERAND" and tok.subtype == "RANGE":
                value = tok.value
                if "[" in value:
                    what = (
                        "refers to another workbook"
                        if value.lstrip("'").startswith("[")
                        else "uses a structured table reference"
                    )
                    raise WorkbookError(
                        path,
                        f"formula {text!r} {what} ({value}); external files are never "
                        "opened and tables are not supported by the headless engine",
                        cell,
                    )
                key = value.upper()
                if key in seen_ranges:
                    continue
                area = _range_area(value)
                if area is None:
                    continue
                size, whole = area
                if size > limits.max_range_cells:
                    kind = "whole-column/row reference" if whole else "range"
                    raise WorkbookError(
                        path,
                        f"{kind} {value} covers {size:,} cells, above the limit of "
                        f"{limits.max_range_cells:,} cells per range (the engine "
                        "materialises every cell); use a bounded range",
                        cell,
                    )
                seen_ranges[key] = size
                total += size
                if total > limits.max_referenced_cells:
                    raise WorkbookError(
                        path,
                        f"range references cover {total:,} cells in all, above the limit "
                        f"of {limits.max_referenced_cells:,}",
                        cell,
                    )
        if new_parts is not None:
            rewrites[cell] = _strip_external_function_prefix(text)
    return rewrites


def _check_indirect(path: str, cell: str, text: str, following: list[Any]) -> None:
    """``formulas`` evaluates INDIRECT only on a literal text reference, resolved when
    the workbook is compiled; a literal naming another file (``"[x.xlsx]S!A1"``) would
    make it open that file, and a computed argument cannot be evaluated."""
    literal = (
        len(following) == 2
        and following[0].type == "OPERAND"
        and following[0].subtype == "TEXT"
        and following[1].type == "FUNC"
        and following[1].subtype == "CLOSE"
    )
    if not literal:
        raise WorkbookError(
            path,
            f"INDIRECT in {text!r} has a computed argument; the headless engine supports "
            'only a literal reference such as INDIRECT("Sheet1!A1")',
            cell,
        )
    if "[" in following[0].value:
        raise WorkbookError(
            path,
            f"INDIRECT in {text!r} refers to another workbook; external files are never opened",
            cell,
        )


_STRING_LITERAL_RE = re.compile(r'("(?:[^"]|"")*")')
_EXTERNAL_PREFIX_RE = re.compile(r"\[\d+\]!(?=[A-Za-z_][\w.]*\()")


def _strip_external_function_prefix(text: str) -> str:
    """``=[1]!F(x)`` → ``=F(x)``, leaving string literals alone.

    Examples
    --------
    >>> _strip_external_function_prefix('=[1]!F(A1)&"[1]!F("')
    '=F(A1)&"[1]!F("'
    """
    parts = _STRING_LITERAL_RE.split(text)
    return "".join(
        part if i % 2 else _EXTERNAL_PREFIX_RE.sub("", part) for i, part in enumerate(parts)
    )


def check_used_range(
    path: str, sheet: str, max_row: int, max_column: int, limits: Limits = DEFAULT_LIMITS
) -> None:
    """Refuse a sheet whose used range is too large for ``formulas`` to walk.

    Raises
    ------
    WorkbookError
        When rows × columns of the used range exceed ``limits.max_used_range_cells``.
    """
    area = max_row * max_column
    if area > limits.max_used_range_cells:
        raise WorkbookError(
            path,
            f"sheet {sheet} has a used range of {max_row:,} rows × {max_column:,} columns "
            f"= {area:,} cells, above the limit of {limits.max_used_range_cells:,} "
            "(a stray value far from the data? delete it and save)",
        )
