"""The function reference, rendered from the catalog (the one source of every function's docs)."""

from __future__ import annotations

import json

from udfs import CATEGORY, FUNCTIONS


def _default(a: object) -> str:
    from udfs.catalog import Arg

    assert isinstance(a, Arg)
    if a.required:
        return "required"
    if a.default is None:
        return "blank"
    if isinstance(a.default, bool):
        return "TRUE" if a.default else "FALSE"
    if isinstance(a.default, float):
        return f"{a.default:g}"
    return f'"{a.default}"'


def as_json() -> str:
    """Every function with its arguments, as JSON for machines."""
    return json.dumps([
        {"name": f.name, "category": CATEGORY, "description": f.description,
         "returns": f.returns, "spills": f.spills, "examples": list(f.examples),
         "arguments": [{"name": a.name, "doc": a.doc, "kind": a.kind, "required": a.required,
                        "default": a.default, "choices": list(a.choices or [])}
                       for a in f.args]}
        for f in FUNCTIONS.values()
    ], indent=2)


def as_markdown() -> str:
    """The function reference in Markdown (docs/functions.md is this, committed)."""
    lines = [
        "# Excel function reference",
        "",
        "Generated from the catalog (`udfs/functions.py`) by "
        "`llm-tco functions --format md > docs/functions.md`; do not edit by hand.",
        "",
        f"All functions are in the Insert Function category **{CATEGORY}**. Optional arguments "
        "may be left blank (their default applies). A range in a single-value argument gives "
        "an array of results of the same shape. Errors: `#VALUE!` wrong type, `#NUM!` number "
        "out of range, `#N/A` unknown model or GPU; `=LLM_WHY(\"NAME\", args…)` shows why.",
        "",
        "Semantics, as Excel's own functions: blank cells take the default (a blank required "
        "number is 0); an error value given as an argument comes back unchanged (the leftmost "
        "wins; beside a range it fills the array); TRUE is 1 and number-like text (\"12\") "
        "is a number where a number belongs; ranges broadcast element by element (a column "
        "against a row gives a grid).",
        "",
        "From Python: `udfs.call(\"LLM_API_COST\", \"gpt-4o\", 112.5e6, 37.5e6)` (these "
        "semantics), `udfs.why(...)` (the reason), "
        "`udfs.formulas_adapter.formulas_functions()` (for the `formulas` engine) and "
        "`udfs.vectorised.vectorised_functions()` (many scenarios in 1-D arrays).",
        "",
        "| function | what it returns |",
        "| --- | --- |",
        *(f"| [`{f.name}`](#{f.name.lower()}) | {f.description} |" for f in FUNCTIONS.values()),
        "",
    ]
    for f in FUNCTIONS.values():
        sig = ", ".join(a.name if a.required else f"[{a.name}]" for a in f.args)
        lines += [f"## {f.name}", "", f"`={f.name}({sig})`", "", f.description + ".", "",
                  f"Returns: {f.returns}" + (" (spills, with a header row)." if f.spills else "."),
                  "", "| argument | default | doc |", "| --- | --- | --- |"]
        lines += [f"| `{a.name}` | {_default(a)} | {a.doc} |" for a in f.args]
        if f.examples:
            lines += ["", "Examples:", "", *(f"- `{x}`" for x in f.examples)]
        lines.append("")
    return "\n".join(lines)
