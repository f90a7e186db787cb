"""Hostile and broken workbooks: one named test per case.

Each refusal must come through the CLI as exit code 2 with one line on stderr naming the
file and the reason (and the cell when there is one), within bounded time, without a
traceback, and without changing the input file. Two cases are accepted on purpose and
say so: macros (noted, never run) and external links used only for add-in functions.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import typer
from typer.testing import CliRunner

from addin.commands.recalc import register

TIME_LIMIT_S = 30.0


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refuse(path: Path, *reason_parts: str, cell: str | None = None, command: str = "recalc"):
    """Run the CLI on *path* and assert a clean, bounded exit 2 naming file and reason."""
    before = _sha(path) if path.is_file() else None
    start = time.perf_counter()
    result = CliRunner().invoke(_app(), [command, str(path)])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"llm-tco: error: {path}: "), line
    for part in reason_parts:
        assert part in line, line
    if cell:
        assert f": {cell}: " in line, line
    assert "Traceback" not in result.stderr + result.stdout
    assert elapsed < TIME_LIMIT_S
    if before is not None:
        assert _sha(path) == before
    return line


def _base_xlsx(build: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = 1, "=A1*2"
    if build:
        build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    replace, add = replace or {}, add or {}
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w", compression) as zo:
        for info in zin.infolist():
            zo.writestr(info.filename, replace.get(info.filename, zin.read(info)))
        for name, content in add.items():
            zo.writestr(name, content)
    return buf.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- XML ------------------------------------------------------------------------------


def test_billion_laughs(tmp_path: Path) -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY lol0 "lol">' + entities + "]>"
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheets>&lol9;</sheets></workbook>"
    ).encode()
    path = _write(tmp_path, "laughs.xlsx", _rewrite(_base_xlsx(), {"xl/workbook.xml": bomb}))
    refuse(path, "part xl/workbook.xml declares a DTD or entities")


def test_external_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    data = _rewrite(_base_xlsx(), {"xl/worksheets/sheet1.xml": xxe})
    refuse(_write(tmp_path, "xxe.xlsx", data), "xl/worksheets/sheet1.xml declares a DTD")


# --- zip container --------------------------------------------------------------------


def test_zip_bomb(tmp_path: Path) -> None:
    # 64 MiB of zeros deflate to ~64 KiB: a ratio of ~1000, limit 200.
    data = _rewrite(_base_xlsx(), add={"xl/media/image1.png": bytes(64 * 1024 * 1024)})
    assert len(data) < 200_000
    refuse(_write(tmp_path, "bomb.xlsx", data), "xl/media/image1.png looks like a zip bomb",
           "limit 200")


def test_oversized_part(tmp_path: Path) -> None:
    # Stored, not compressed, so the ratio is 1: only the size limit (128 MiB) applies.
    big = b"<x>" + b" " * (129 * 1024 * 1024) + b"</x>"
    data = _rewrite(_base_xlsx(), add={"xl/big.xml": big}, compression=zipfile.ZIP_STORED)
    refuse(_write(tmp_path, "big.xlsx", data), "part xl/big.xml unpacks to 135,266,311 bytes",
           "per-part limit of 134,217,728")


def test_too_many_members(tmp_path: Path) -> None:
    data = _rewrite(_base_xlsx(), add={f"junk/{i}.bin": b"" for i in range(10_001)},
                    compression=zipfile.ZIP_STORED)
    refuse(_write(tmp_path, "members.xlsx", data), "members, above the limit of 10,000")


def test_truncated_zip(tmp_path: Path) -> None:
    data = _base_xlsx()
    path = _write(tmp_path, "truncated.xlsx", data[: len(data) // 2])
    refuse(path, "truncated or corrupt zip container")


def test_corrupt_zip(tmp_path: Path) -> None:
    data = bytearray(_base_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # Flip bytes inside the member's compressed data; the central directory stays valid.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    for i in range(start, start + 20):
        data[i] ^= 0xFF
    refuse(_write(tmp_path, "corrupt.xlsx", bytes(data)),
           "corrupt zip member xl/worksheets/sheet1.xml")


def test_not_a_zip(tmp_path: Path) -> None:
    refuse(_write(tmp_path, "notes.xlsx", b"name,value\na,1\n"), "not an .xlsx workbook")


def test_missing_file(tmp_path: Path) -> None:
    refuse(tmp_path / "missing.xlsx", "file not found")


def test_opendocument(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    refuse(_write(tmp_path, "sheet.xlsx", buf.getvalue()), "OpenDocument (.ods) is not supported")


# --- OLE containers: encrypted workbooks and legacy .xls ------------------------------


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal but valid OLE Compound File ([MS-CFB] v3, 512-byte sectors).

    Each stream is padded to 4096 bytes so that it lives in regular sectors (no mini
    stream needed). Sector 0 is the FAT, sector 1 the directory, then the streams.
    """
    sector = 512
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    assert len(names) <= 3  # root + 3 entries fit one directory sector
    blobs = [streams[n].ljust(4096, b"\0") for n in names]
    fat = [fat_sect, end]
    starts = []
    for blob in blobs:
        n = len(blob) // sector
        starts.append(len(fat))
        fat.extend(range(len(fat) + 1, len(fat) + n))
        fat.append(end)
    fat.extend([free] * (sector // 4 - len(fat)))

    def entry(name: str, kind: int, start: int, size: int, child: int, right: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)  # length, type, black
            + struct.pack("<III", free, right, child)  # left, right sibling, child
            + bytes(16 + 4 + 16)  # CLSID, state bits, times
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, end, 0, 1 if names else free, free)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        directory += entry(name, 2, starts[i], len(streams[name]), free, right)
    directory = directory.ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
        + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)  # minor, major v3, byte order, 2^9
        + struct.pack("<H", 6) + bytes(6)  # mini sector shift, reserved
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == 512
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(blobs)


def test_encrypted_workbook(tmp_path: Path) -> None:
    """A real password-protected workbook, encrypted with msoffcrypto-tool (ECMA-376
    Agile Encryption), as Excel's "Encrypt with Password" writes it."""
    import msoffcrypto  # in the test extra: CI installs it
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _write(tmp_path, "plain.xlsx", _base_xlsx())
    encrypted = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, encrypted.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    assert msoffcrypto.OfficeFile(encrypted.open("rb")).is_encrypted()
    refuse(encrypted, "workbook is encrypted", "EncryptionInfo")


def test_encrypted_workbook_minimal_container(tmp_path: Path) -> None:
    """Same refusal for a hand-built OLE container with the two encryption streams."""
    data = _cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                 "EncryptedPackage": bytes(100)})
    refuse(_write(tmp_path, "locked2.xlsx", data), "workbook is encrypted")


def test_legacy_xls(tmp_path: Path) -> None:
    # A BIFF8 workbook is an OLE container whose main stream is named "Workbook".
    data = _cfb({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(8)})
    refuse(_write(tmp_path, "old.xls", data), "legacy .xls", "save as .xlsx")


# --- macros and external links ---------------------------------------------------------


def test_xlsm_with_macros_is_accepted_and_never_run(tmp_path: Path) -> None:
    """Accepted on purpose (exit 0): the VBA project is noted, never read or executed."""
    vba = b"\xcc\x61" + b"Attribute VB_Name = \"Module1\"\nSub AutoOpen(): Shell \"calc\"\n"
    data = _rewrite(_base_xlsx(), add={"xl/vbaProject.bin": vba})
    path = _write(tmp_path, "macros.xlsm", data)
    before = _sha(path)
    result = CliRunner().invoke(_app(), ["recalc", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().replace(" ", "").replace("\n", "") == '{"Sheet!A2":2.0}'
    assert "contains VBA macros (xl/vbaProject.bin); they are never run" in result.stderr
    assert _sha(path) == before


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _with_external_link(formula: str, target: str) -> bytes:
    """A workbook whose A2 holds *formula* and which links [1] to *target*."""
    def build(wb: openpyxl.Workbook) -> None:
        wb.active["A2"] = formula

    data = _base_xlsx(build)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        types = zf.read("[Content_Types].xml").decode()
    workbook = workbook.replace(
        "</sheets>",
        f'</sheets><externalReferences><externalReference xmlns:r="{_R}" r:id="rId99"/>'
        "</externalReferences>",
    )
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{_R}/externalLink" '
        'Target="externalLinks/externalLink1.xml"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
    )
    link = (
        f'<externalLink xmlns="{_MAIN}"><externalBook xmlns:r="{_R}" r:id="rId1">'
        '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    )
    link_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_R}/externalLinkPath" Target="{target}" '
        'TargetMode="External"/></Relationships>'
    )
    return _rewrite(
        data,
        {"xl/workbook.xml": workbook.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
         "[Content_Types].xml": types.encode()},
        add={"xl/externalLinks/externalLink1.xml": link.encode(),
             "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode()},
    )


def test_external_link_to_another_workbook(tmp_path: Path, monkeypatch) -> None:
    other = tmp_path / "other.xlsx"
    other.write_bytes(_base_xlsx())
    opened: list[str] = []
    real_init = zipfile.ZipFile.__init__

    def spy(self, file, *args, **kwargs):  # record every zip the run opens
        opened.append(str(file))
        real_init(self, file, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", spy)
    path = _write(tmp_path, "linked.xlsx", _with_external_link("=[1]Sheet1!A1*2", "other.xlsx"))
    refuse(path, "refers to another workbook ([1]Sheet1!A1)", "never opened", cell="Sheet!A2")
    assert not any("other.xlsx" in p for p in opened)


def test_external_link_used_for_addin_function_is_accepted(tmp_path: Path, monkeypatch) -> None:
    """Excel stores VBA add-in (.xlam) functions as [1]!NAME through an external link:
    accepted (exit 0), the function is ours and evaluated locally, the link never opened."""
    import udfs.formulas_adapter

    monkeypatch.setattr(udfs.formulas_adapter, "formulas_functions",
                        lambda: {"LLM_DOUBLE": lambda x: 2 * float(x)})
    path = _write(tmp_path, "addin.xlsx",
                  _with_external_link("=[1]!LLM_DOUBLE(21)", "file:///C:/addins/llm-tco.xlam"))
    result = CliRunner().invoke(_app(), ["recalc", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"Sheet!A2": 42.0' in result.stdout
    assert "external links ([1] file:///C:/addins/llm-tco.xlam) are never opened" in result.stderr


# --- formulas and shapes -------------------------------------------------------------------


def _sheet(tmp_path: Path, name: str, cells: dict[str, object]) -> Path:
    def build(wb: openpyxl.Workbook) -> None:
        for ref, value in cells.items():
            wb.active[ref] = value

    return _write(tmp_path, name, _base_xlsx(build))


def test_whole_column_reference(tmp_path: Path) -> None:
    path = _sheet(tmp_path, "columns.xlsx", {"B1": "=SUM(A:Z)"})
    refuse(path, "whole-column/row reference A:Z covers 27,262,976 cells",
           "limit of 1,048,576 cells per range", cell="Sheet!B1")


def test_single_whole_column_reference_is_fine(tmp_path: Path) -> None:
    path = _sheet(tmp_path, "column.xlsx", {"B1": "=SUM(A:A)"})
    result = CliRunner().invoke(_app(), ["recalc", str(path), "--cells", "Sheet!B1",
                                         "--format", "csv"])
    # A1 = 1 and A2 = A1*2 = 2 (by hand): 3.
    assert result.exit_code == 0 and result.stdout.endswith("Sheet!B1,3.0\n")


def test_huge_used_range(tmp_path: Path) -> None:
    # Two cells, but a used range of A1:XFD1048576 that formulas would walk cell by cell.
    path = _sheet(tmp_path, "used.xlsx", {"XFD1048576": 1})
    refuse(path, "sheet Sheet has a used range of 1,048,576 rows × 16,384 columns",
           "limit of 5,000,000")


def test_unknown_function(tmp_path: Path) -> None:
    path = _sheet(tmp_path, "unknown.xlsx", {"B3": "=A1+NOT_A_FUNCTION(A1)"})
    refuse(path, "unknown function NOT_A_FUNCTION", cell="Sheet!B3")


def test_circular_reference(tmp_path: Path) -> None:
    path = _sheet(tmp_path, "loop.xlsx", {"C1": "=C2+1", "C2": "=C1*2"})
    refuse(path, "circular reference between Sheet!C1, Sheet!C2", cell="Sheet!C1")


def test_check_command_refuses_the_same_way(tmp_path: Path) -> None:
    path = _sheet(tmp_path, "unknown2.xlsx", {"B3": "=NOT_A_FUNCTION()"})
    refuse(path, "unknown function", cell="Sheet!B3", command="check")


def test_indirect_to_another_workbook(tmp_path: Path) -> None:
    # formulas resolves a literal INDIRECT when compiling, which would open the file.
    path = _sheet(tmp_path, "indirect.xlsx", {"B2": '=INDIRECT("[other.xlsx]Sheet!A1")'})
    refuse(path, "INDIRECT", "refers to another workbook", cell="Sheet!B2")


def test_dtd_in_a_part_not_named_xml(tmp_path: Path) -> None:
    # Relationships can point at any member name; the DTD check sniffs content instead.
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    data = _rewrite(_base_xlsx(), add={"xl/custom/data.bin": bomb})
    refuse(_write(tmp_path, "hidden.xlsx", data), "part xl/custom/data.bin declares a DTD")
