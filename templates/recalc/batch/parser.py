"""Excel formula text → abstract syntax tree (tuples), on top of openpyxl's Tokenizer.

Nodes (all plain tuples, so a compiled plan pickles):

``("num", float)``, ``("str", str)``, ``("bool", bool)``, ``("err", code)``, ``("miss",)``
    constants and an omitted argument (``IF(A1,,2)``);
``("reftext", text)``
    a cell, range or defined-name reference as written; resolved by the compiler into
    ``("ref", key)`` or ``("rng", sheet, r1, c1, r2, c2)``;
``("arr", rows)``
    an array constant ``{1,2;3,4}``: rows of constant nodes;
``("neg", x)``, ``("pct", x)``, ``("bin", op, a, b)``, ``("fn", NAME, args)``.

Operator precedence is Excel's, which differs from mathematics in one place: unary minus
binds tighter than ``^`` (``=-2^2`` is 4).
"""

from __future__ import annotations

from openpyxl.formula.tokenizer import Token, Tokenizer

from .values import ERROR_CODES

# Binding powers (higher binds tighter); infix operators are left-associative in Excel,
# including ``^`` (2^3^2 = 64).
_INFIX = {
    "=": 10, "<>": 10, "<": 10, ">": 10, "<=": 10, ">=": 10,
    "&": 20,
    "+": 30, "-": 30,
    "*": 40, "/": 40,
    "^": 50,
}
_PCT_BP = 60
_PREFIX_BP = 70
# Prefixes Excel stores before newer or add-in function names.
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLL.", "_XLWS.")


class FormulaSyntaxError(ValueError):
    """The formula uses syntax this compiler does not handle (the caller falls back)."""


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


class _Parser:
    def __init__(self, formula: str) -> None:
        try:
            toks = Tokenizer(formula).items
        except Exception as exc:  # openpyxl raises TokenizerError on malformed text
            raise FormulaSyntaxError(f"cannot tokenize {formula!r}: {exc}") from exc
        self.toks = [t for t in toks if t.type != Token.WSPACE]
        self.i = 0
        self.formula = formula

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FormulaSyntaxError(f"unexpected end of {self.formula!r}")
        self.i += 1
        return tok

    def parse(self) -> tuple:
        node = self.expr(0)
        if self.peek() is not None:
            raise FormulaSyntaxError(f"unexpected {self.peek().value!r} in {self.formula!r}")
        return node

    def operand(self, tok: Token) -> tuple:
        st = tok.subtype
        if st == Token.NUMBER:
            return ("num", float(tok.value))
        if st == Token.TEXT:
            return ("str", tok.value[1:-1].replace('""', '"'))
        if st == Token.LOGICAL:
            return ("bool", tok.value.upper() == "TRUE")
        if st == Token.ERROR:
            return ("err", ERROR_CODES.get(tok.value.upper(), ERROR_CODES["#VALUE!"]))
        return ("reftext", tok.value)

    def expr(self, min_bp: int) -> tuple:
        tok = self.next()
        if tok.type == Token.OP_PRE:
            x = self.expr(_PREFIX_BP)
            lhs = ("neg", x) if tok.value == "-" else ("pos", x)
        elif tok.type == Token.OPERAND:
            lhs = self.operand(tok)
        elif tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            lhs = self.func(function_name(tok.value[:-1]))
        elif tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            lhs = self.expr(0)
            close = self.next()
            if close.type != Token.PAREN:
                raise FormulaSyntaxError(f"missing ')' in {self.formula!r}")
        elif tok.type == Token.ARRAY and tok.subtype == Token.OPEN:
            lhs = self.array()
        else:
            raise FormulaSyntaxError(f"unexpected {tok.value!r} in {self.formula!r}")
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.type == Token.OP_POST:
                if min_bp > _PCT_BP:
                    break
                self.i += 1
                lhs = ("pct", lhs)
                continue
            if tok.type == Token.OP_IN:
                op = tok.value
                if op not in _INFIX:
                    raise FormulaSyntaxError(f"operator {op!r} is not supported")
                bp = _INFIX[op]
                if bp < min_bp:
                    break
                self.i += 1
                rhs = self.expr(bp + 1)
                lhs = ("bin", op, lhs, rhs)
                continue
            if tok.type == Token.OPERAND:
                raise FormulaSyntaxError(f"range intersection is not supported: {self.formula!r}")
            break
        return lhs

    def func(self, name: str) -> tuple:
        args: list[tuple] = []
        tok = self.peek()
        if tok is not None and tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
            self.i += 1
            return ("fn", name, ())
        while True:
            tok = self.peek()
            if tok is not None and (
                (tok.type == Token.SEP and tok.subtype == Token.ARG)
                or (tok.type == Token.FUNC and tok.subtype == Token.CLOSE)
            ):
                args.append(("miss",))
            else:
                args.append(self.expr(0))
            tok = self.next()
            if tok.type == Token.SEP and tok.subtype == Token.ARG:
                continue
            if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                return ("fn", name, tuple(args))
            raise FormulaSyntaxError(f"unexpected {tok.value!r} in {self.formula!r}")

    def array(self) -> tuple:
        rows: list[list[tuple]] = [[]]
        while True:
            tok = self.next()
            if tok.type == Token.ARRAY and tok.subtype == Token.CLOSE:
                break
            if tok.type == Token.SEP:
                if tok.subtype == Token.ROW:
                    rows.append([])
                continue
            sign = 1.0
            if tok.type == Token.OP_PRE:
                sign = -1.0 if tok.value == "-" else 1.0
                tok = self.next()
            if tok.type != Token.OPERAND or tok.subtype == Token.RANGE:
                raise FormulaSyntaxError(f"array constants hold constants only: {self.formula!r}")
            node = self.operand(tok)
            if sign < 0 and node[0] == "num":
                node = ("num", -node[1])
            rows[-1].append(node)
        if len({len(r) for r in rows}) != 1:
            raise FormulaSyntaxError(f"ragged array constant in {self.formula!r}")
        return ("arr", tuple(tuple(r) for r in rows))


def parse(formula: str) -> tuple:
    """Parse ``formula`` (with or without the leading ``=``) into a tuple AST.

    Examples
    --------
    >>> parse("=-A1^2")
    ('bin', '^', ('neg', ('reftext', 'A1')), ('num', 2.0))
    >>> parse("=_xlfn.IFS(A1>1,1,TRUE,2)")[1]
    'IFS'
    """
    text = formula if formula.startswith("=") else "=" + formula
    return _Parser(text).parse()
