"""Hostile and broken workbooks: one parametrised corpus, each case with its expected exit
code, message fragments, time bound and memory bound, run through the real command line in a
subprocess (its peak memory measured by the kernel, ``ru_maxrss``), the input file unchanged
byte for byte.

Every class of issue 15 is here: XML entity expansion and external entities, zip bombs and
oversized parts, corrupt, truncated and non-zip files, encrypted workbooks and legacy .xls,
OpenDocument, external links and INDIRECT into other workbooks, 17-billion-cell and
whole-column ranges, huge used ranges, unknown functions, circular references — and the new
ones of its item 2 (a diverging iterative circular reference, formulas beyond Excel's limits
of 8,192 characters, 64 levels of nesting and 255 arguments), the lead's work in progress:
marked ``xfail`` (not strict) until the recalculation engine bounds them, so they turn green
by themselves. Two cases are accepted on purpose and say so: macros (noted, never run) and
external links used only for add-in functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from addin.commands.recalc import register

#: The CLI as a user runs it: the console script next to this interpreter.
LLM_TCO = [str(Path(sys.executable).with_name("llm-tco"))]
if not Path(LLM_TCO[0]).exists():  # an environment without the console script
    LLM_TCO = [sys.executable, "-c", "from addin.cli import main; main()"]

#: Runs a command with a timeout and reports its peak resident memory (KiB) and wall time on
#: the last stderr line; exit 124 on timeout (the command is killed).
_MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
try:
    code = subprocess.run(sys.argv[2:], timeout=float(sys.argv[1])).returncode
except subprocess.TimeoutExpired:
    code = 124
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"\\nMEASURED {peak} {time.perf_counter() - t:.3f}", file=sys.stderr)
sys.exit(code)
"""


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: list[str], timeout_s: float) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, seconds, peak MiB) of one ``llm-tco`` run."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(timeout_s), *LLM_TCO, *args],
                          capture_output=True, text=True, errors="replace",
                          timeout=timeout_s + 60)
    err, _, last = proc.stderr.rstrip().rpartition("\n")
    _, peak_kib, seconds = last.split()
    return proc.returncode, proc.stdout, err.strip(), float(seconds), int(peak_kib) / 1024.0


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



def _sheet(tmp_path: Path, name: str, cells: dict[str, object]) -> Path:
    def build(wb: openpyxl.Workbook) -> None:
        for ref, value in cells.items():
            wb.active[ref] = value

    return _write(tmp_path, name, _base_xlsx(build))




def _ext_link(tmp_path: Path) -> Path:
    (tmp_path / "other.xlsx").write_bytes(_base_xlsx())
    return _write(tmp_path, "linked.xlsx", _with_external_link("=[1]Sheet1!A1*2", "other.xlsx"))


def _encrypted(tmp_path: Path) -> Path:
    """A real password-protected workbook, encrypted with msoffcrypto-tool (ECMA-376 Agile
    Encryption), as Excel's "Encrypt with Password" writes it."""
    import msoffcrypto  # in the test extra: CI installs it
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _write(tmp_path, "plain.xlsx", _base_xlsx())
    encrypted = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, encrypted.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    assert msoffcrypto.OfficeFile(encrypted.open("rb")).is_encrypted()
    return encrypted


def _laughs(tmp_path: Path) -> Path:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY lol0 "lol">' + entities + "]>"
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheets>&lol9;</sheets></workbook>"
    ).encode()
    return _write(tmp_path, "laughs.xlsx", _rewrite(_base_xlsx(), {"xl/workbook.xml": bomb}))


def _late_laughs(tmp_path: Path) -> Path:
    # the DTD after 40 KB of comments: past any first chunk a parser reads
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        '<?xml version="1.0"?>' + "<!-- padding -->" * 2500
        + '<!DOCTYPE workbook [<!ENTITY lol0 "lol">' + entities + "]>"
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheets>&lol9;</sheets></workbook>"
    ).encode()
    return _write(tmp_path, "late-laughs.xlsx",
                  _rewrite(_base_xlsx(), {"xl/workbook.xml": bomb}))


def _xxe(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return _write(tmp_path, "xxe.xlsx", _rewrite(_base_xlsx(), {"xl/worksheets/sheet1.xml": xxe}))


def _zip_bomb(tmp_path: Path) -> Path:
    # 64 MiB of zeros deflate to ~64 KiB: a ratio of ~1000, limit 200.
    data = _rewrite(_base_xlsx(), add={"xl/media/image1.png": bytes(64 * 1024 * 1024)})
    assert len(data) < 200_000
    return _write(tmp_path, "bomb.xlsx", data)


def _oversized(tmp_path: Path) -> Path:
    # Stored, not compressed, so the ratio is 1: only the size limit (128 MiB) applies.
    big = b"<x>" + b" " * (129 * 1024 * 1024) + b"</x>"
    data = _rewrite(_base_xlsx(), add={"xl/big.xml": big}, compression=zipfile.ZIP_STORED)
    return _write(tmp_path, "big.xlsx", data)


def _corrupt(tmp_path: Path) -> Path:
    data = bytearray(_base_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # Flip bytes inside the member's compressed data; the central directory stays valid.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    for i in range(start, start + 20):
        data[i] ^= 0xFF
    return _write(tmp_path, "corrupt.xlsx", bytes(data))


def _ods(tmp_path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    return _write(tmp_path, "sheet.xlsx", buf.getvalue())


def _iterating(tmp_path: Path) -> Path:
    """A1 = B1+1, B1 = A1+1 with iteration on and 100,000,000 iterations asked (Excel caps
    at 32,767): it diverges."""
    data = _base_xlsx(lambda wb: (wb.active.__setitem__("B1", "=C1+1"),
                                  wb.active.__setitem__("C1", "=B1+1")))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    if "<calcPr" in workbook:
        workbook = workbook.replace("<calcPr ", '<calcPr iterate="1" iterateCount="100000000" '
                                    'iterateDelta="0" ', 1)
    else:
        workbook = workbook.replace("</workbook>", '<calcPr calcId="191029" iterate="1" '
                                    'iterateCount="100000000" iterateDelta="0"/></workbook>')
    return _write(tmp_path, "iterate.xlsx",
                  _rewrite(data, {"xl/workbook.xml": workbook.encode()}))


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile file: how to build it and what the CLI must do with it."""

    id: str
    build: Callable[[Path], Path]
    fragments: tuple[str, ...]  # each must be in the one stderr line
    exit_code: int = 2
    cell: str | None = None
    command: str = "recalc"
    # Bounds: measured 0.5–1.7 s and 58–125 MiB per case on the 2-core CI machine (interpreter
    # start included), so 10 s and 512 MiB leave room for a loaded runner, not for a hang.
    seconds: float = 10.0  # wall-clock bound
    megabytes: float = 512.0  # peak resident memory bound
    pending: str = ""  # xfail reason: behaviour issue 15 asks for, not built yet


def _cells(name: str, cells: dict[str, object]) -> Callable[[Path], Path]:
    return lambda tmp_path: _sheet(tmp_path, name, cells)


CASES = [
    Case("billion-laughs", _laughs, ("part xl/workbook.xml declares a DTD or entities",)),
    Case("billion-laughs-after-40-kb", _late_laughs,
         ("part xl/workbook.xml declares a DTD or entities",)),
    Case("external-entity", _xxe, ("xl/worksheets/sheet1.xml declares a DTD",)),
    Case("dtd-in-a-part-not-named-xml", lambda p: _write(p, "hidden.xlsx", _rewrite(
        _base_xlsx(), add={"xl/custom/data.bin":
                           b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'})),
         ("part xl/custom/data.bin declares a DTD",)),
    Case("zip-bomb", _zip_bomb, ("xl/media/image1.png looks like a zip bomb", "limit 200")),
    Case("oversized-part", _oversized, ("part xl/big.xml unpacks to 135,266,311 bytes",
                                        "per-part limit of 134,217,728")),
    Case("too-many-members", lambda p: _write(p, "members.xlsx", _rewrite(
        _base_xlsx(), add={f"junk/{i}.bin": b"" for i in range(10_001)},
        compression=zipfile.ZIP_STORED)), ("members, above the limit of 10,000",)),
    Case("truncated-zip", lambda p: _write(p, "truncated.xlsx",
                                           _base_xlsx()[: len(_base_xlsx()) // 2]),
         ("truncated or corrupt zip container",)),
    Case("corrupt-zip-member", _corrupt, ("corrupt zip member xl/worksheets/sheet1.xml",)),
    Case("not-a-zip", lambda p: _write(p, "notes.xlsx", b"name,value\na,1\n"),
         ("not an .xlsx workbook",)),
    Case("empty-file", lambda p: _write(p, "empty.xlsx", b""), ("file is empty",)),
    Case("missing-file", lambda p: p / "missing.xlsx", ("file not found",)),
    Case("opendocument", _ods, ("OpenDocument (.ods) is not supported",)),
    Case("encrypted-agile", _encrypted, ("workbook is encrypted", "EncryptionInfo")),
    Case("encrypted-minimal-container", lambda p: _write(p, "locked2.xlsx", _cfb(
        {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
         "EncryptedPackage": bytes(100)})), ("workbook is encrypted",)),
    Case("legacy-xls", lambda p: _write(p, "old.xls", _cfb(
        {"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(8)})),
         ("legacy .xls", "save as .xlsx")),
    # Issue 12: SUM over the whole sheet from inside it is a real circular reference (Excel
    # says so too), and nothing was stored to fall back on: refused, naming the loop.
    Case("17-billion-cell-range", _cells("everything.xlsx", {"B1": "=SUM(A1:XFD1048576)"}),
         ("circular reference between Sheet!B1",), cell="Sheet!B1"),
    Case("circular-reference", _cells("loop.xlsx", {"C1": "=C2+1", "C2": "=C1*2"}),
         ("circular reference between Sheet!C1, Sheet!C2",), cell="Sheet!C1"),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(
    reason=c.pending, strict=False)] if c.pending else []) for c in CASES])
def test_hostile_file(tmp_path: Path, case: Case) -> None:
    path = case.build(tmp_path)
    before = _sha(path) if path.is_file() else None
    code, out, err, seconds, peak_mb = run([case.command, str(path)], case.seconds)
    assert code == case.exit_code, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith(f"llm-tco: error: {path}: "), line
    for part in case.fragments:
        assert part in line, line
    if case.cell:
        assert f": {case.cell}: " in line, line
    assert "Traceback" not in err + out
    assert seconds <= case.seconds, f"{seconds:.1f} s"
    assert peak_mb <= case.megabytes, f"{peak_mb:.0f} MiB"
    if before is not None:
        assert _sha(path) == before, "the input file changed"
    stray = [p.name for p in tmp_path.iterdir() if p.name.startswith((".", "~")) or
             p.suffix in (".tmp", ".part")]
    assert not stray, f"temporary files left next to the input: {stray}"


# --- ordinary Excel that used to be refused, computed since issue 12 ------------------------


@dataclasses.dataclass(frozen=True)
class Accepted:
    """A file the engine computes (exit 0): what stdout and the stderr notes must hold."""

    id: str
    build: Callable[[Path], Path]
    out: tuple[str, ...]  # each in stdout (JSON of every output cell)
    notes: tuple[str, ...] = ()  # each in stderr (one-line notes)
    command: str = "recalc"
    exit_code: int = 0
    seconds: float = 10.0
    megabytes: float = 512.0


ACCEPTED = [
    # The link is never opened; Excel uses the values it cached: the part caches no cell
    # for Sheet1!A1, an empty cell, so =[1]Sheet1!A1*2 is 0.
    Accepted("external-link", _ext_link, ('"Sheet!A2": 0.0',),
             ("external links ([1] other.xlsx) are never opened",)),
    # INDIRECT to a workbook that is not open is #REF! in Excel; the file is never read.
    Accepted("indirect-to-another-workbook",
             _cells("indirect.xlsx", {"B2": '=INDIRECT("[other.xlsx]Sheet!A1")'}),
             ('"Sheet!B2": "#REF!"',)),
    # Whole columns cost what the sheet holds: A1 = 1, A2 = A1*2 → 3 (by hand).
    Accepted("whole-columns", _cells("columns.xlsx", {"AA1": "=SUM(A:Z)"}),
             ('"Sheet!AA1": 3.0',)),
    # A cell in the last row and column: the sheet is sparse, nothing is materialised.
    Accepted("huge-used-range", _cells("used.xlsx", {"XFD1048576": 1}), ('"Sheet!A2": 2.0',)),
    # A function nobody knows degrades that cell only (it keeps its stored value: none).
    Accepted("unknown-function", _cells("unknown.xlsx", {"B3": "=A1+NOT_A_FUNCTION(A1)"}),
             ('"Sheet!B3": null', '"Sheet!A2": 2.0'),
             ("Sheet!B3 keeps its stored value: function NOT_A_FUNCTION is not supported",)),
    # check lists it as not computed; the openpyxl-written A2 has no stored value: stale.
    Accepted("unknown-function-check", _cells("unknown2.xlsx", {"B3": "=NOT_A_FUNCTION()"}),
             ("Sheet!A2: stored (no stored value), computed 2.0",),
             ("Sheet!B3 keeps its stored value: function NOT_A_FUNCTION is not supported",),
             command="check", exit_code=1),
    # Issue 15 item 2: beyond Excel's own limits a formula is refused at once, per cell.
    Accepted("formula-over-8192-characters",
             _cells("long.xlsx", {"B1": "=" + "+".join(["A1"] * 3000)}), ('"Sheet!A2": 2.0',),
             ("Sheet!B1 keeps its stored value: formula of 8,999 characters, above Excel's "
              "limit of 8,192",)),
    Accepted("nesting-over-64-levels",
             _cells("deep.xlsx", {"B1": "=" + "ABS(" * 70 + "A1" + ")" * 70}),
             ('"Sheet!A2": 2.0',), ("more than 64 levels deep (Excel's limit)",)),
    Accepted("over-255-arguments",
             _cells("wide.xlsx", {"B1": "=SUM(" + ",".join(["A1"] * 300) + ")"}),
             ('"Sheet!A2": 2.0',), ("SUM has 300 arguments, more than Excel's 255",)),
    # Iteration capped at Excel's 32,767 and reported as not converging. By hand: from
    # empty cells each round adds 2 to both (B1 = C1+1, C1 = B1+1), so after n = 32,767
    # rounds B1 = 2n-1 = 65,533 and C1 = 2n = 65,534.
    Accepted("diverging-iteration", _iterating, ('"Sheet!B1": 65533.0', '"Sheet!C1": 65534.0'),
             ("iterative calculation did not converge: stopped after 32,767 iterations",),
             seconds=20.0),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in ACCEPTED])
def test_outside_workbook_feature_is_computed(tmp_path: Path, case: Accepted) -> None:
    path = case.build(tmp_path)
    before = _sha(path)
    args = [case.command, str(path)] + (["--format", "json"] if case.command == "recalc" else [])
    code, out, err, seconds, peak_mb = run(args, case.seconds)
    assert code == case.exit_code, (code, out, err)
    for part in case.out:
        assert part in out, out
    for part in case.notes:
        assert part in err, err
    assert all(line.startswith("llm-tco: note: ") for line in err.splitlines()), err
    assert "Traceback" not in err + out
    assert seconds <= case.seconds, f"{seconds:.1f} s"
    assert peak_mb <= case.megabytes, f"{peak_mb:.0f} MiB"
    assert _sha(path) == before, "the input file changed"


# --- accepted on purpose -----------------------------------------------------------------


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
    result = CliRunner().invoke(_app(), ["recalc", str(path)])
    # Issue 12: computed with the values Excel cached (exit 0); the link is never opened.
    assert result.exit_code == 0 and "never opened" in result.stderr
    assert not any("other.xlsx" in p for p in opened)


def test_external_link_used_for_addin_function_is_accepted(tmp_path: Path, monkeypatch) -> None:
    """Excel stores VBA add-in (.xlam) functions as [1]!NAME through an external link:
    accepted (exit 0), the function is ours and evaluated locally, the link never opened."""
    import templates.recalc.workbook

    # one of the add-in's names (the engine loads the add-in only for those), given a
    # stand-in body so the expected 42 is hand arithmetic: 2 × 21
    monkeypatch.setattr(templates.recalc.workbook, "addin_functions",
                        lambda: {"TOKENS_ESTIMATE": lambda x: 2 * float(x)})
    path = _write(tmp_path, "addin.xlsx",
                  _with_external_link("=[1]!TOKENS_ESTIMATE(21)",
                                      "file:///C:/addins/llm-tco.xlam"))
    result = CliRunner().invoke(_app(), ["recalc", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"Sheet!A2": 42.0' in result.stdout
    assert "external links ([1] file:///C:/addins/llm-tco.xlam) are never opened" in result.stderr



def test_single_whole_column_reference_is_fine(tmp_path: Path) -> None:
    path = _sheet(tmp_path, "column.xlsx", {"B1": "=SUM(A:A)"})
    result = CliRunner().invoke(_app(), ["recalc", str(path), "--cells", "Sheet!B1",
                                         "--format", "csv"])
    # A1 = 1 and A2 = A1*2 = 2 (by hand): 3.
    assert result.exit_code == 0 and result.stdout.endswith("Sheet!B1,3.0\n")
