"""Excel formula text → syntax tree (plain tuples), Excel's grammar and precedence.

Nodes
-----
``("num", x)`` ``("str", s)`` ``("bool", b)`` ``("err", "#N/A")`` ``("miss",)``
    constants; ``miss`` is an argument left empty (``IF(A1,,2)``).
``("ref", sheet, r1, c1, r2, c2, abs)``
    a cell or rectangle; ``sheet`` is None for the formula's own sheet; ``abs`` is a 4-tuple
    of booleans (``$`` on r1, c1, r2, c2) for shifting shared formulas. Whole columns and
    rows span the sheet (rows 1‥1048576, columns 1‥16384).
``("ref3d", sheet1, sheet2, r1, c1, r2, c2)``  a reference across sheets (``Jan:Dec!B2``).
``("ext", book, sheet, text)``  a reference into another workbook (``[1]Sheet1!A1``).
``("name", text, sheet)``  a defined name, LET/LAMBDA variable (sheet-scoped when given).
``("table", text)``  a structured reference as written (``Table1[[#This Row],[Qty]]``).
``("arr", rows)``  an array constant; ``("fn", NAME, args)``; ``("call", callee, args)``
    calls a LAMBDA value (``LAMBDA(x,x+1)(2)``, ``name(…)`` of a LAMBDA name).
``("op", op, a, b)`` binary operators incl. ``:`` (range), ``" "`` (intersection) and ``","``
    (union); ``("neg", x)``, ``("pos", x)``, ``("pct", x)``, ``("at", x)`` (implicit
    intersection ``@``), ``("spill", x)`` (``A1#``).

Precedence is Excel's: ``:`` then intersection then union, then negation, ``%``, ``^``,
``* /``, ``+ -``, ``&``, comparisons; all left-associative (``2^3^2`` is 64) and negation
binds tighter than ``^`` (``=-2^2`` is 4).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["MAX_COL", "MAX_ROW", "FormulaSyntaxError", "col_index", "parse", "shift"]

#: Excel's specification limits (Microsoft, "Excel specifications and limits"): beyond
#: them Excel refuses the formula, and so does this parser, before any work.
EXCEL_MAX_FORMULA_CHARS = 8_192
EXCEL_MAX_NESTING = 64
EXCEL_MAX_ARGUMENTS = 255
MAX_ROW = 1_048_576
MAX_COL = 16_384
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.", "_XLL.", "_XLUDF.", "_XLETA.")


class FormulaSyntaxError(ValueError):
    """The formula text is not valid Excel syntax (or uses syntax this parser lacks)."""


def col_index(letters: str) -> int:
    """``"A"`` → 1, ``"AB"`` → 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(c: int) -> str:
    """``1`` → ``"A"``, ``28`` → ``"AB"``."""
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def function_name(raw: str) -> str:
    """Upper-case function name without Excel's storage prefixes (``_xlfn.``, ``_xll.``)."""
    name = raw.upper()
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if name.startswith(p):
                name = name[len(p):]
                changed = True
    return name


# Names and unquoted sheet names: ASCII letters, "_" or "\\" first, then also digits and
# "."; any character from U+00C0 up is a letter as far as this grammar goes.


def _class_from_c0(chars: str) -> str:
    """A regular-expression class of ``chars`` (a class body) and of every character
    from U+00C0 up, written as the negation of what it leaves out below U+00C0.

    Why negated: a class holding the range U+00C0 … U+10FFFF costs the regex compiler
    about 7 ms (a fifth of a small workbook's recalculation), and the alternation
    "either class or any character above U+00BF", repeated over a name, is slow to match.
    """
    inside = re.compile(f"[{chars}]")
    out = [c for c in range(0xC0) if not inside.fullmatch(chr(c))]
    spans: list[list[int]] = []
    for c in out:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return "[^" + "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}"
                          for a, b in spans) + "]"


_NAME_START = _class_from_c0(r"A-Za-z_\\")
_NAME_REST = _class_from_c0(r"\w.\\") + "*"
_NAME_TAIL = _class_from_c0(r"\w.\\?") + "*"  # a defined name may hold "?"
_SHEET = (r"(?:'(?P<qs>(?:[^']|'')+)'"
          rf"|(?P<us>(?:\[\d+\])?{_NAME_START}{_NAME_REST}"
          rf"(?::{_NAME_START}{_NAME_REST})?|\[\d+\]))!")
_CELL = r"\$?[A-Za-z]{1,3}\$?\d+"
# Operators first: they are half of all tokens and no other token starts with one of
# their characters, so most matches stop at the first alternative (about a fifth off
# tokenising the corpus). "#" is the exception (#REF! and the spill operator A1#): its
# operator alternative comes last, after the errors.
_TOKEN = re.compile(
    r"(?P<op><>|<=|>=|[-+*/^&=<>%@:,;(){}!])"
    r"|(?P<ws>[ \t\r\n]+)"
    r'|(?P<str>"(?:[^"]|"")*")'
    r"|(?P<err>#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!))"
    rf"|(?P<sheet>{_SHEET})"
    rf"|(?P<cell>{_CELL}(?::{_CELL})?)(?![\w.(\[])"
    r"|(?P<cols>\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3})(?![\w.(\[])"
    r"|(?P<rows>\$?\d+:\$?\d+)(?![\w.(\[])"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<func>[A-Za-z_\\][\w.\\]*)(?=\()"
    r"|(?P<struct>(?:[A-Za-z_\\][\w.\\]*)?\[)"
    rf"|(?P<name>{_NAME_START}{_NAME_TAIL})"
    r"|(?P<hash>#)"
)
_CELL_RE = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")


def _bracket_end(text: str, i: int) -> int:
    """Index just past the bracket group opening at ``text[i] == '['`` (nested, with ``'``
    escapes as in structured references)."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise FormulaSyntaxError(f"unclosed '[' in {text!r}")


def _tokens(text: str) -> tuple[list[tuple[str, str]], set[int]]:
    """The tokens of ``text`` without white space, and the indices of the tokens that
    white space precedes (it matters only as the intersection operator)."""
    out: list[tuple[str, str]] = []
    gaps: set[int] = set()
    if "[" not in text:
        # no structured reference to skip over by hand: the regular expression walks the
        # text itself; a gap between two matches is a character no token starts with
        i = 0
        append = out.append
        for m in _TOKEN.finditer(text):
            if m.start() != i:
                break
            kind = m.lastgroup
            if kind == "op":
                append(("op", m.group(1)))
            elif kind == "ws":
                gaps.add(len(out))
            elif kind == "hash":
                append(("op", "#"))
            else:
                append((kind, m.group(0) if kind == "sheet" else m.group(kind)))  # type: ignore[arg-type]
            i = m.end()
        else:
            if i == len(text):
                return out, gaps
        raise FormulaSyntaxError(f"unexpected {text[i]!r} at position {i} in {text!r}")
    i, n = 0, len(text)
    while i < n:
        m = _TOKEN.match(text, i)
        if not m:
            raise FormulaSyntaxError(f"unexpected {text[i]!r} at position {i} in {text!r}")
        kind = m.lastgroup
        assert kind is not None
        if kind == "ws":
            gaps.add(len(out))
        elif kind == "hash":
            out.append(("op", "#"))
        elif kind == "struct":
            end = _bracket_end(text, m.end() - 1)
            out.append(("struct", text[i:end]))
            i = end
            continue
        else:
            out.append((kind, m.group(kind) if kind != "sheet" else m.group(0)))
        i = m.end()
    return out, gaps


def _cell(text: str) -> tuple[int, int, bool, bool]:
    m = _CELL_RE.fullmatch(text)
    if not m:
        raise FormulaSyntaxError(f"bad cell reference {text!r}")
    return int(m.group(4)), col_index(m.group(2)), bool(m.group(3)), bool(m.group(1))


def _ref_node(sheet: str | None, kind: str, text: str) -> tuple:
    if kind == "cell":
        a, _, b = text.partition(":")
        r1, c1, ar1, ac1 = _cell(a)
        if b:
            r2, c2, ar2, ac2 = _cell(b)
        else:
            r2, c2, ar2, ac2 = r1, c1, ar1, ac1
    elif kind == "cols":
        a, b = text.split(":")
        c1, c2 = col_index(a.lstrip("$")), col_index(b.lstrip("$"))
        r1, r2, ar1, ar2 = 1, MAX_ROW, True, True
        ac1, ac2 = a.startswith("$"), b.startswith("$")
    else:
        a, b = text.split(":")
        r1, r2 = int(a.lstrip("$")), int(b.lstrip("$"))
        c1, c2, ac1, ac2 = 1, MAX_COL, True, True
        ar1, ar2 = a.startswith("$"), b.startswith("$")
    if r1 > r2:
        r1, r2, ar1, ar2 = r2, r1, ar2, ar1
    if c1 > c2:
        c1, c2, ac1, ac2 = c2, c1, ac2, ac1
    if not (r1 >= 1 and r2 <= MAX_ROW and c1 >= 1 and c2 <= MAX_COL):
        raise FormulaSyntaxError(f"reference {text!r} is outside the sheet")
    return ("ref", sheet, r1, c1, r2, c2, (ar1, ac1, ar2, ac2))


_INFIX = {
    ":": 90, " ": 80, ",": 70,
    "=": 10, "<>": 10, "<": 10, ">": 10, "<=": 10, ">=": 10,
    "&": 20, "+": 30, "-": 30, "*": 40, "/": 40, "^": 50,
}
_PCT_BP = 60
_NEG_BP = 65
_OPERAND_START = {"str", "err", "sheet", "cell", "cols", "rows", "num", "func", "struct", "name"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks, self.gaps = _tokens(text)
        self.n = len(self.toks)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < self.n else None

    def next(self) -> tuple[str, str]:
        i = self.i
        if i >= self.n:
            raise FormulaSyntaxError(f"unexpected end of {self.text!r}")
        self.i = i + 1
        return self.toks[i]

    def expect(self, value: str) -> None:
        tok = self.next()
        if tok != ("op", value):
            raise FormulaSyntaxError(f"expected {value!r}, found {tok[1]!r} in {self.text!r}")

    def parse(self) -> tuple:
        node = self.expr(0, union=False)
        if self.peek() is not None:
            raise FormulaSyntaxError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return node

    def _intersection_follows(self) -> bool:
        """A space between two operands is Excel's intersection operator."""
        j = self.i
        if j >= self.n or j not in self.gaps:
            return False
        kind, val = self.toks[j]
        return kind in ("cell", "cols", "rows", "sheet", "name", "struct") or (
            kind == "func" and function_name(val) in ("INDEX", "OFFSET", "INDIRECT")) or (
            kind == "op" and val == "(")

    def expr(self, min_bp: int, union: bool) -> tuple:
        lhs = self.prefix(union)
        while True:
            if (self._intersection_follows() and _INFIX[" "] >= min_bp
                    and self._is_refish(lhs)):
                rhs = self.expr(_INFIX[" "] + 1, union)
                lhs = ("op", " ", lhs, rhs)
                continue
            tok = self.peek()
            if tok is None or tok[0] != "op":
                break
            op = tok[1]
            if op == "%":
                if min_bp > _PCT_BP:
                    break
                self.next()
                lhs = ("pct", lhs)
                continue
            if op == "#":
                self.next()
                lhs = ("spill", lhs)
                continue
            if op == "," and not union:
                break
            bp = _INFIX.get(op)
            if bp is None or bp < min_bp:
                break
            self.next()
            rhs = self.expr(bp + 1, union)
            lhs = _fold_range(lhs, rhs) if op == ":" else ("op", op, lhs, rhs)
        return lhs

    @staticmethod
    def _is_refish(node: tuple) -> bool:
        return node[0] in ("ref", "name", "table", "fn", "op", "ref3d", "paren") and not (
            node[0] == "op" and node[1] not in (":", " ", ","))

    def prefix(self, union: bool) -> tuple:
        kind, val = self.next()
        if kind == "op":
            if val == "-":
                return ("neg", self.expr(_NEG_BP, union))
            if val == "+":
                return ("pos", self.expr(_NEG_BP, union))
            if val == "@":
                return ("at", self.expr(_NEG_BP + 30, union))
            if val == "(":
                inner = self.expr(0, union=True)
                self.expect(")")
                node = ("paren", inner)
                return self.call_suffix(node)
            if val == "{":
                return self.array()
            raise FormulaSyntaxError(f"unexpected {val!r} in {self.text!r}")
        if kind == "num":
            return ("num", float(val))
        if kind == "str":
            return ("str", val[1:-1].replace('""', '"'))
        if kind == "err":
            return ("err", val.upper())
        if kind == "sheet":
            return self.sheet_ref(val)
        if kind in ("cell", "cols", "rows"):
            return _ref_node(None, kind, val)
        if kind == "func":
            return self.func(val)
        if kind == "struct":
            return ("table", val)
        if kind == "name":
            u = val.upper()
            if u in ("TRUE", "FALSE"):
                return ("bool", u == "TRUE")
            node = ("name", val, None)
            return self.call_suffix(node)
        raise FormulaSyntaxError(f"unexpected {val!r} in {self.text!r}")

    def call_suffix(self, node: tuple) -> tuple:
        """``(LAMBDA(x, x+1))(2)`` or ``name(…)`` after a parenthesised LAMBDA."""
        i = self.i
        if i < self.n and self.toks[i] == ("op", "(") and i not in self.gaps:
            self.i += 1
            args = self.arguments()
            return ("call", node, tuple(args))
        return node

    def sheet_ref(self, prefix: str) -> tuple:
        m = re.fullmatch(_SHEET, prefix)
        assert m is not None
        sheet = m.group("qs")
        sheet = sheet.replace("''", "'") if sheet is not None else m.group("us")
        kind, val = self.next()
        ext = re.match(r"^\[(\d+)\](.*)$", sheet)
        if ext and kind == "func" and not ext.group(2):
            # [1]!NAME( — a function of an add-in workbook (.xlam) through a link: the
            # name is called as our own function when we have it.
            return self.func(val)
        if ext:
            return ("ext", int(ext.group(1)), ext.group(2), val)
        if kind in ("cell", "cols", "rows"):
            if ":" in sheet:
                s1, s2 = sheet.split(":", 1)
                node = _ref_node(None, kind, val)
                return ("ref3d", s1, s2, *node[2:6])
            return _ref_node(sheet, kind, val)
        if kind == "name":
            return ("name", val, sheet)
        if kind == "err" and val.upper() == "#REF!":
            return ("err", "#REF!")
        raise FormulaSyntaxError(f"bad reference after {prefix!r} in {self.text!r}")

    def arguments(self) -> list[tuple]:
        args: list[tuple] = []
        tok = self.peek()
        if tok == ("op", ")"):
            self.next()
            return args
        while True:
            tok = self.peek()
            if tok in (("op", ","), ("op", ")")):
                args.append(("miss",))
            else:
                args.append(self.expr(0, union=False))
            tok = self.next()
            if tok == ("op", ","):
                continue
            if tok == ("op", ")"):
                return args
            raise FormulaSyntaxError(f"unexpected {tok[1]!r} in {self.text!r}")

    def func(self, raw: str) -> tuple:
        name = function_name(raw)
        self.expect("(")
        self.depth += 1
        if self.depth > EXCEL_MAX_NESTING:
            raise FormulaSyntaxError(
                f"functions nested more than {EXCEL_MAX_NESTING} levels deep (Excel's limit)")
        args = self.arguments()
        self.depth -= 1
        if len(args) > EXCEL_MAX_ARGUMENTS:
            raise FormulaSyntaxError(f"{name} has {len(args)} arguments, more than Excel's "
                                     f"{EXCEL_MAX_ARGUMENTS}")
        node = ("fn", name, tuple(args))
        if name == "LAMBDA":
            return self.call_suffix(node)
        return node

    def array(self) -> tuple:
        rows: list[list[tuple]] = [[]]
        while True:
            kind, val = self.next()
            if (kind, val) == ("op", "}"):
                break
            if (kind, val) == ("op", ";"):
                rows.append([])
                continue
            if (kind, val) == ("op", ","):
                continue
            sign = 1.0
            if (kind, val) in (("op", "-"), ("op", "+")):
                sign = -1.0 if val == "-" else 1.0
                kind, val = self.next()
            if kind == "num":
                rows[-1].append(("num", sign * float(val)))
            elif kind == "str":
                rows[-1].append(("str", val[1:-1].replace('""', '"')))
            elif kind == "err":
                rows[-1].append(("err", val.upper()))
            elif kind == "name" and val.upper() in ("TRUE", "FALSE"):
                rows[-1].append(("bool", val.upper() == "TRUE"))
            else:
                raise FormulaSyntaxError(f"array constants hold constants only: {self.text!r}")
        if len({len(r) for r in rows}) != 1:
            raise FormulaSyntaxError(f"ragged array constant in {self.text!r}")
        return ("arr", tuple(tuple(r) for r in rows))


def _fold_range(a: tuple, b: tuple) -> tuple:
    """``A1:B2`` written as two cells joins into one rectangle when it can."""
    if a[0] == "ref" and b[0] == "ref" and (b[1] is None or b[1] == a[1]):
        return ("ref", a[1], min(a[2], b[2]), min(a[3], b[3]), max(a[4], b[4]),
                max(a[5], b[5]), (a[6][0], a[6][1], b[6][2], b[6][3]))
    return ("op", ":", a, b)


@lru_cache(maxsize=4096)
def parse(formula: str) -> tuple:
    """Parse ``formula`` (with or without the leading ``=``) into a tuple tree.

    Examples
    --------
    >>> parse("=-A1^2")
    ('op', '^', ('neg', ('ref', None, 1, 1, 1, 1, (False, False, False, False))), ('num', 2.0))
    >>> parse("=_xlfn.IFS(A1>1,1,TRUE,2)")[1]
    'IFS'
    >>> parse("='My Sheet'!$B$2:C3")[:6]
    ('ref', 'My Sheet', 2, 2, 3, 3)
    """
    text = formula[1:] if formula.startswith("=") else formula
    if not text.strip():
        raise FormulaSyntaxError("empty formula")
    if len(text) > EXCEL_MAX_FORMULA_CHARS:
        raise FormulaSyntaxError(f"formula of {len(text):,} characters, above Excel's limit "
                                 f"of {EXCEL_MAX_FORMULA_CHARS:,}")
    return _Parser(text).parse()


def shift(node: tuple, dr: int, dc: int) -> tuple:
    """The tree of a shared formula as it reads ``dr`` rows and ``dc`` columns further
    on: relative references move, absolute ones (``$``) stay.

    A reference moved off the sheet becomes ``#REF!``, as Excel shows.
    """
    if dr == 0 and dc == 0:
        return node
    kind = node[0]
    if kind == "ref":
        _, sheet, r1, c1, r2, c2, ab = node
        ar1, ac1, ar2, ac2 = ab
        if r1 == 1 and r2 == MAX_ROW and ar1 and ar2:
            pass
        else:
            r1 = r1 if ar1 else r1 + dr
            r2 = r2 if ar2 else r2 + dr
        if c1 == 1 and c2 == MAX_COL and ac1 and ac2:
            pass
        else:
            c1 = c1 if ac1 else c1 + dc
            c2 = c2 if ac2 else c2 + dc
        if not (1 <= r1 <= MAX_ROW and 1 <= r2 <= MAX_ROW and 1 <= c1 <= MAX_COL
                and 1 <= c2 <= MAX_COL):
            return ("err", "#REF!")
        return ("ref", sheet, r1, c1, r2, c2, ab)
    if kind in ("fn",):
        return ("fn", node[1], tuple(shift(a, dr, dc) for a in node[2]))
    if kind == "call":
        return ("call", shift(node[1], dr, dc), tuple(shift(a, dr, dc) for a in node[2]))
    if kind == "op":
        return ("op", node[1], shift(node[2], dr, dc), shift(node[3], dr, dc))
    if kind in ("neg", "pos", "pct", "at", "spill", "paren"):
        return (kind, shift(node[1], dr, dc))
    return node
