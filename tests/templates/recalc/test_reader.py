"""The reader's two ways through sheet XML give the same cells.

The fast path (expat validates, regular expressions extract) is taken for what Excel and
the usual libraries write; ElementTree reads everything else. The reference here is the
ElementTree reading of the same part.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from templates.recalc import reader
from templates.recalc.errors import WorkbookError

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
BOOKS = sorted(CORPUS.glob("*.xls[xm]"))


def _both(data: bytes, strings: list[str] | None = None,
          dynamic: set[str] | None = None) -> tuple[reader.SheetData, reader.SheetData]:
    fast, tree = reader.SheetData("S"), reader.SheetData("S")
    reader._read_sheet_fast(data, "book.xlsx", "sheet1.xml", fast, strings or [],
                            dynamic or set())
    reader._read_sheet_tree(io.BytesIO(data), "book.xlsx", "sheet1.xml", tree,
                            strings or [], dynamic or set())
    return fast, tree


def _same(a: reader.SheetData, b: reader.SheetData) -> None:
    assert a.values == b.values
    assert a.styles == b.styles
    assert (a.max_row, a.max_col) == (b.max_row, b.max_col)
    assert a.formulas.keys() == b.formulas.keys()
    for k, fa in a.formulas.items():
        fb = b.formulas[k]
        # ElementTree spells namespaced attributes {uri}name; none of the ones the engine
        # reads (r1, r2, dt2D, dtr, del1, del2) has a namespace.
        assert (fa.text, fa.kind, fa.ref, fa.shared_index, fa.dynamic) == \
            (fb.text, fb.kind, fb.ref, fb.shared_index, fb.dynamic), k
        assert {x: v for x, v in fa.attrs.items() if ":" not in x} == \
            {x: v for x, v in fb.attrs.items() if not x.startswith("{")}, k


@pytest.mark.parametrize("book", BOOKS, ids=lambda p: p.name)
def test_every_corpus_sheet_reads_the_same_both_ways(book: Path) -> None:
    data = reader.read_book(str(book))  # strings and dynamic-array metadata as read
    with zipfile.ZipFile(book) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
                  and n.endswith(".xml")]
        assert sheets or not data.sheets
        for name in sheets:
            raw = zf.read(name)
            strings = reader._shared_strings(
                zf, str(book), "xl/sharedStrings.xml"
                if "xl/sharedStrings.xml" in zf.namelist() else None)
            dynamic = reader._dynamic_cm(
                zf, str(book), "xl/metadata.xml" if "xl/metadata.xml" in zf.namelist() else None)
            if reader._fast_sheet_ok(raw):
                _same(*_both(raw, strings, dynamic))


_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet '
         b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def test_entities_line_ends_inline_strings_and_quoting() -> None:
    body = (b'<row r="1"><c r="A1" t=\'inlineStr\'><is><r><t>a &amp; b</t></r>'
            b'<r><t xml:space="preserve"> &lt;c&gt;&#10;</t></r></is></c>'
            b'<c r="B1" t="str"><f>A1&amp;"&quot;x&quot;"</f><v>a &amp; b\r\nz</v></c>'
            b'<c r="C1" s="3"><f t="shared" ref="C1:C2" si="0">B1&lt;&gt;""</f><v>1</v></c>'
            b'<c r="D1" t="e"><v>#N/A</v></c><c r="E1" t="b"><v>1</v></c>'
            b'<c r="F1" t="str"/><c r="G1"><f/></c><c r="H1"><v>1.5E+300</v></c>'
            b'<c r="I1" t="inlineStr"><is><t>x &amp; y_x0041_</t></is></c></row>'
            b'<row r="2"><c r="C2" s="3"><f t="shared" si="0"/><v>0</v></c>'
            b'<c r="D2"><f aca="false">_xlfn.SINGLE(A1)\r\n+1</f><v>2</v></c></row>')
    fast, tree = _both(_HEAD + body + b"</sheetData></worksheet>")
    _same(fast, tree)
    # the values as Excel shows them, from the XML above by hand
    assert fast.values[(1, 1)] == "a & b <c>\n"
    assert fast.formulas[(1, 2)].text == 'A1&""x""'
    assert fast.values[(1, 2)] == "a & b\nz"
    assert fast.values[(1, 9)] == "x & yA"  # _x0041_ is OOXML's escape of "A"
    assert fast.formulas[(2, 4)].text == "_xlfn.SINGLE(A1)\n+1"
    assert (2, 3) in fast.formulas and fast.formulas[(2, 3)].text is None


def test_plain_numbers_and_inline_strings_read_as_the_tree_reads_them() -> None:
    # the shortest ways through the fast path (a number alone, <is><t>…</t></is> alone)
    # against ElementTree, with the cases that must not take them
    body = (b'<row r="1"><c r="A1" s="4"><v>13500</v></c><c r="B1" s="0" t="n"><v>-1.5E-3'
            b'</v></c><c r="C1"><v>&#49;2</v></c><c r="D1"><v>1\r</v></c>'
            b'<c r="E1" t="inlineStr"><is><t>GB300 &amp; co</t></is></c>'
            b'<c r="F1" t="n"><is><t>7</t></is></c><c r="G1" s="2"/>'
            b'<c r="H1" t="inlineStr"><is><t></t></is></c>'
            b'<c r="I1"><v>\xd9\xa1</v></c></row>')  # ARABIC-INDIC DIGIT ONE
    fast, tree = _both(_HEAD + body + b"</sheetData></worksheet>")
    _same(fast, tree)
    # by hand from the XML: &#49; is "1"; a number's line end is white space to float();
    # an <is> in a number cell is no value (as ElementTree reads it); style 0 not kept;
    # float() reads a non-ASCII digit from text, not from bytes: the long way
    assert fast.values == {(1, 1): 13500.0, (1, 2): -0.0015, (1, 3): 12.0, (1, 4): 1.0,
                           (1, 5): "GB300 & co", (1, 8): "", (1, 9): 1.0}
    assert fast.styles == {(1, 1): 4, (1, 7): 2}
    assert (fast.max_row, fast.max_col) == (1, 9)


def test_malformed_xml_is_refused_on_the_fast_path() -> None:
    data = _HEAD + b'<row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>'
    assert reader._fast_sheet_ok(data)
    with pytest.raises(WorkbookError, match="cannot be parsed"):
        reader._read_sheet_fast(data, "book.xlsx", "sheet1.xml", reader.SheetData("S"),
                                [], set())


@pytest.mark.parametrize("data", [
    _HEAD.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=") + b"</sheetData>",
    _HEAD + b"<!-- a comment --></sheetData></worksheet>",
    _HEAD + b'<row r="1"><c r="A1" t="str"><v><![CDATA[<x>]]></v></c></row>',
    _HEAD.replace(b"UTF-8", b"UTF-16"),
], ids=["prefixed", "comment", "cdata", "utf16"])
def test_what_the_fast_path_does_not_follow_goes_to_elementtree(data: bytes) -> None:
    assert not reader._fast_sheet_ok(data)
