"""The container scan's pieces give what the straightforward versions gave."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from templates.recalc.errors import WorkbookError
from templates.recalc.xlsx_safety import _CELL_RE, _count_cells, _MiB, _mib_chunks, open_checked


def _slow_count(buf: bytes, tail: int) -> int:
    return sum(1 for m in _CELL_RE.finditer(buf) if m.end() > tail)


@pytest.mark.parametrize("seed", range(20))
def test_cells_counted_as_match_by_match(seed):
    rng = random.Random(seed)
    parts = [b"<c ", b"<c>", b"<x:c/", b"<spreadsheetml:c ", b"<cc ", b"<c", b" ", b"r", b"\n"]
    buf = b"".join(rng.choice(parts) for _ in range(rng.randrange(0, 400)))
    for tail in (0, 1, 3, 8, min(8, len(buf))):
        assert _count_cells(buf, tail) == _slow_count(buf, tail)


@pytest.mark.parametrize("head_len", [0, 5, 16 * 1024, _MiB - 1, _MiB, _MiB + 7, 2 * _MiB + 3])
def test_mib_chunks_are_the_reads_from_the_start(head_len):
    data = bytes(random.Random(head_len).getrandbits(8) for _ in range(64)) * (
        (3 * _MiB + 11) // 64)
    member = io.BytesIO(data)
    head = member.read(head_len)
    expected = [data[i:i + _MiB] for i in range(0, len(data), _MiB)]
    assert list(_mib_chunks(head, member)) == expected


def _book(tmp_path, parts: dict[str, bytes]):
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", b'<workbook xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheets/></workbook>')
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_empty_xml_part_is_not_well_formed(tmp_path):
    with pytest.raises(WorkbookError, match=r"part xl/empty\.xml is not well-formed XML"):
        open_checked(_book(tmp_path, {"xl/empty.xml": b""}))


def test_dtd_in_a_part_not_named_xml_is_refused(tmp_path):
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(WorkbookError, match=r"part xl/media/data\.bin declares a DTD"):
        open_checked(_book(tmp_path, {"xl/media/data.bin": b"\n  " + bomb}))
    open_checked(_book(tmp_path, {"xl/media/image.png": b"\x89PNG" + bomb}))  # not XML


def test_dtd_after_a_long_prolog_is_refused(tmp_path):
    prolog = b"<?xml version='1.0'?>" + b"<!-- padding -->" * 200_000  # > 3 MiB of comments
    with pytest.raises(WorkbookError, match="declares a DTD"):
        open_checked(_book(tmp_path, {"xl/x.xml": prolog + b"<!DOCTYPE x><x/>"}))
    open_checked(_book(tmp_path, {"xl/x.xml": prolog + b"<x/>"}))
