"""What every template shares: styles, the Inputs sheet, the catalogs, the price snapshot,
named cells, the README and Scenarios sheets, and a deterministic save.

Everything here writes plain openpyxl: native formulas only (IF, MIN, MAX, SUM, INDEX,
MATCH, POWER, NPV, INT…), so a workbook recalculates in Excel, LibreOffice and Google
Sheets without the add-in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

import engine as e
from engine.catalogs import BYTES_PER_PARAM
from engine.errors import InputError

# --- styles --------------------------------------------------------------------------

USD = '"$"#,##0.00'
USD0 = '"$"#,##0'
PCT = "0.0%"
NUM0 = "#,##0"
NUM = "#,##0.00"
GENERAL = "General"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: type here
OUTPUT_FILL = PatternFill("solid", fgColor="E2EFDA")  # light green: key results
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

#: A long-context threshold of "none" is stored as this number (Excel has no infinity).
NO_THRESHOLD = 1e300
#: Days and hours per month, as the engine has them (365/12 and 8,760/12).
DPM = "(365/12)"
HPM = "(8760/12)"

#: The API models offered in the dropdown (any catalog model can be set with inputs=).
COMMON_API_MODELS = (
    "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3", "claude-sonnet-4-5",
    "claude-haiku-4-5", "claude-opus-4-1", "gemini-2.5-pro", "gemini-2.5-flash",
    "deepseek-chat",
)


def header(ws: Worksheet, row: int, values: Iterable[str], col: int = 1) -> None:
    for i, v in enumerate(values):
        c = ws.cell(row=row, column=col + i, value=v)
        c.font, c.fill = HEADER_FONT, HEADER_FILL


def title(ws: Worksheet, text: str, subtitle: str | None = None) -> None:
    ws.cell(row=1, column=1, value=text).font = TITLE_FONT
    if subtitle:
        ws.cell(row=2, column=1, value=subtitle)


def widths(ws: Worksheet, **cols: float) -> None:
    for letter, w in cols.items():
        ws.column_dimensions[letter].width = w


def define(wb: Workbook, name: str, ref: str) -> None:
    """A workbook-level defined name (``in_*``, ``m_*``, ``out_*``, ``cat_*``)."""
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def absref(sheet: str, col: str, row: int, col2: str | None = None, row2: int | None = None
           ) -> str:
    q = f"'{sheet}'" if re.search(r"[^A-Za-z0-9_]", sheet) else sheet
    ref = f"{q}!${col}${row}"
    if col2 is not None:
        ref += f":${col2}${row2}"
    return ref


# --- inputs --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Input:
    """One input: ``in_<name>`` in the workbook."""

    name: str
    label: str
    default: Any
    unit: str
    note: str
    fmt: str = GENERAL
    choices: str | None = None  # a range (``cat_gpu_names``) or a literal list "a,b"
    section: str = ""
    low: float | None = 0.0
    high: float | None = None
    optional: bool = False  # blank allowed (means "use the catalog's")


def check_value(spec: Input, value: Any, allowed: Iterable[str] | None = None) -> Any:
    """Validate one input value; return it normalised. Raises InputError naming it."""
    if spec.optional and (value is None or value == ""):
        return None
    if allowed is not None:
        if not isinstance(value, str):
            raise InputError(spec.name, "must be text naming one of " + ", ".join(allowed),
                             value)
        for a in allowed:
            if a.lower() == value.strip().lower():
                return a
        raise InputError(spec.name, "must be one of " + ", ".join(allowed), value)
    if isinstance(spec.default, str):
        if not isinstance(value, str) or not value.strip():
            raise InputError(spec.name, "must be non-empty text", value)
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InputError(spec.name, "must be a number", value) from None
    value = float(value)
    if not math.isfinite(value):
        raise InputError(spec.name, "must be a finite number", value)
    if spec.low is not None and value < spec.low:
        raise InputError(spec.name, f"must be >= {spec.low:g}", value)
    if spec.high is not None and value > spec.high:
        raise InputError(spec.name, f"must be <= {spec.high:g}", value)
    return value


def write_inputs(wb: Workbook, ws: Worksheet, specs: list[Input], values: Mapping[str, Any],
                 start_row: int = 4) -> dict[str, str]:
    """Write the Inputs sheet (label, value, unit, note); name each ``in_<name>``.

    Returns name → absolute reference of the value cell.
    """
    title(ws, "Inputs", "Yellow cells are inputs: type over them. Blank optional inputs use "
          "the catalog's figure. Every input is a workbook name in_<input>.")
    header(ws, start_row - 1, ["Input", "Value", "Unit", "Note", "Name"])
    refs: dict[str, str] = {}
    row = start_row
    section = None
    for spec in specs:
        if spec.section and spec.section != section:
            section = spec.section
            ws.cell(row=row, column=1, value=section).font = BOLD
            row += 1
        ws.cell(row=row, column=1, value=spec.label)
        v = values.get(spec.name, spec.default)
        c = ws.cell(row=row, column=2, value=v)
        c.fill, c.number_format = INPUT_FILL, spec.fmt
        ws.cell(row=row, column=3, value=spec.unit)
        ws.cell(row=row, column=4, value=spec.note).alignment = Alignment(wrap_text=False)
        ws.cell(row=row, column=5, value=f"in_{spec.name}")
        ref = absref(ws.title, "B", row)
        define(wb, f"in_{spec.name}", ref)
        refs[spec.name] = ref
        if spec.choices:
            formula = f'"{spec.choices}"' if "," in spec.choices else spec.choices
            dv = DataValidation(type="list", formula1=formula, allow_blank=spec.optional,
                                showErrorMessage=True, errorTitle=spec.label[:32],
                                error=f"Choose {spec.label.lower()} from the list"[:255])
            ws.add_data_validation(dv)
            dv.add(f"B{row}")
        elif not isinstance(spec.default, str):
            lo = spec.low if spec.low is not None else -1e15
            hi = spec.high if spec.high is not None else 1e15
            dv = DataValidation(type="decimal", operator="between", formula1=repr(float(lo)),
                                formula2=repr(float(hi)), allow_blank=spec.optional,
                                showErrorMessage=True, errorTitle=spec.label[:32],
                                error=f"{spec.label}: a number from {lo:g} to {hi:g}"[:255])
            ws.add_data_validation(dv)
            dv.add(f"B{row}")
        row += 1
    widths(ws, A=38, B=18, C=22, D=90, E=30)
    ws.freeze_panes = "A4"
    return refs


# --- catalog and prices --------------------------------------------------------------

GPU_COLUMNS = (
    ("gpu", "GPU", GENERAL), ("memory_gb", "Memory GB", NUM0),
    ("bandwidth_gb_per_s", "Bandwidth GB/s", NUM0), ("bf16_tflops", "BF16 TFLOP/s", NUM),
    ("fp8_tflops", "FP8 TFLOP/s (effective)", NUM), ("int8_tops", "INT8 TOPS", NUM),
    ("power_w", "Power W", NUM0), ("rent_usd_per_hour", "Rent USD/h", USD),
    ("purchase_usd", "Purchase USD", USD0), ("spec_source", "Spec source", GENERAL),
    ("price_source", "Price source", GENERAL), ("as_of", "As of", GENERAL),
    ("fp4_tflops", "FP4 TFLOP/s (blank: none)", NUM),
    ("scaleup_gpus", "GPUs per NVLink domain", NUM0),
    ("network_gb_per_s", "Scale-out GB/s per GPU", NUM),
    ("software_efficiency", "Software efficiency", NUM),
)
MODEL_COLUMNS = (
    ("model", "Open model", GENERAL), ("params_b", "Parameters (B)", NUM),
    ("active_params_b", "Active parameters (B)", NUM), ("layers", "Layers", NUM0),
    ("kv_heads", "KV heads", NUM0), ("head_dim", "Head dim", NUM0),
    ("context_tokens", "Context tokens", NUM0), ("license", "License", GENERAL),
    ("source", "Source", GENERAL), ("as_of", "As of", GENERAL),
    ("attention", "Attention (gqa/mla)", GENERAL), ("kv_lora_rank", "MLA latent", NUM0),
    ("qk_rope_head_dim", "MLA RoPE dim", NUM0), ("sliding_window", "Sliding window", NUM0),
    ("sliding_layers", "Sliding layers", NUM0), ("hidden_size", "Hidden size", NUM0),
    ("experts", "Experts", NUM0), ("experts_per_token", "Experts per token", NUM0),
    ("expert_params_b", "Expert parameters (B)", NUM),
)
#: Blank rows inside each catalog table (and its cat_* names) where a user adds a GPU or
#: model of their own: the native formulas look names up over the whole range.
SPARE_ROWS = 20
SPARE_FILL = PatternFill("solid", fgColor="FFF2CC")


def _spare(ws: Worksheet, first: int, last: int, columns: tuple[tuple[str, str, str], ...]
           ) -> None:
    """Blank, yellow, formatted rows inside a catalog table for the user's own items."""
    for r in range(first, last + 1):
        for j, (_, _, fmt) in enumerate(columns):
            c = ws.cell(row=r, column=1 + j)
            c.fill, c.number_format = SPARE_FILL, fmt


def write_catalog(wb: Workbook, ws: Worksheet) -> None:
    """GPU, open-model, precision and fine-tuning-method tables, each column a ``cat_*`` name."""
    title(ws, "Catalog", "Bundled engine catalogs (engine/data/*.csv): every row with its "
          "source and as-of date. Indicative prices: replace with your quotes on Inputs.")
    row = 4
    ws.cell(row=row - 1, column=1, value="GPUs").font = BOLD
    header(ws, row, [c[1] for c in GPU_COLUMNS])
    items = list(e.gpus().values())
    for i, g in enumerate(items):
        for j, (field, _, fmt) in enumerate(GPU_COLUMNS):
            v = g.name if field == "gpu" else getattr(g, field)
            if field == "fp8_tflops" and v is None:
                v = g.bf16_tflops  # no FP8 tensor cores: FP8 weights run at the BF16 rate
            c = ws.cell(row=row + 1 + i, column=1 + j, value=v)
            c.number_format = fmt
    first, last = row + 1, row + len(items) + SPARE_ROWS
    _spare(ws, row + len(items) + 1, last, GPU_COLUMNS)
    for j, (field, _, _) in enumerate(GPU_COLUMNS):
        col = _col(1 + j)
        define(wb, f"cat_gpu_{'names' if field == 'gpu' else field}",
               absref(ws.title, col, first, col, last))
    ws.cell(row=last + 1, column=1, value="FP8 (effective): a GPU without FP8 tensor cores "
            "(A100) runs FP8 weights at its BF16 rate; a blank FP4 figure: FP4 weights run "
            "weight-only at the BF16 rate (engine.GPU.peak_tflops). Yellow rows: add your own "
            "GPU (every column; software efficiency 1 unless calibrated), then pick it on Inputs.")

    row = last + 4
    ws.cell(row=row - 1, column=1, value="Open models").font = BOLD
    header(ws, row, [c[1] for c in MODEL_COLUMNS])
    models = list(e.open_models().values())
    for i, m in enumerate(models):
        for j, (field, _, fmt) in enumerate(MODEL_COLUMNS):
            v = m.name if field == "model" else getattr(m, field)
            ws.cell(row=row + 1 + i, column=1 + j, value=v).number_format = fmt
    first, last = row + 1, row + len(models) + SPARE_ROWS
    _spare(ws, row + len(models) + 1, last, MODEL_COLUMNS)
    for j, (field, _, _) in enumerate(MODEL_COLUMNS):
        col = _col(1 + j)
        define(wb, f"cat_model_{'names' if field == 'model' else field}",
               absref(ws.title, col, first, col, last))
    ws.cell(row=last + 1, column=1, value="Yellow rows: add your own model (a dense model: "
            "experts 0; mla: KV heads × head dim are not cached, the MLA latent + RoPE dim are; "
            "sliding layers keep only the window), then pick it on Inputs.")

    row = last + 4
    ws.cell(row=row - 1, column=1, value="Precisions").font = BOLD
    header(ws, row, ["Precision", "Bytes per parameter"])
    for i, (k, v) in enumerate(BYTES_PER_PARAM.items()):
        ws.cell(row=row + 1 + i, column=1, value=k)
        ws.cell(row=row + 1 + i, column=2, value=v)
    first, last = row + 1, row + len(BYTES_PER_PARAM)
    define(wb, "cat_precision_names", absref(ws.title, "A", first, "A", last))
    define(wb, "cat_precision_bytes", absref(ws.title, "B", first, "B", last))

    row = last + 4
    ws.cell(row=row - 1, column=1, value="Fine-tuning methods").font = BOLD
    header(ws, row, ["Method", "Training FLOPs per parameter per token"])
    for i, (k, v) in enumerate(e.FLOPS_PER_PARAM_TOKEN.items()):
        ws.cell(row=row + 1 + i, column=1, value=k)
        ws.cell(row=row + 1 + i, column=2, value=v)
    first, last = row + 1, row + len(e.FLOPS_PER_PARAM_TOKEN)
    define(wb, "cat_method_names", absref(ws.title, "A", first, "A", last))
    define(wb, "cat_method_flops", absref(ws.title, "B", first, "B", last))
    ws.cell(row=last + 1, column=1, value="full 6 = forward 2 + backward 4 (Kaplan et al. 2020); "
            "lora 4 (no weight gradients for frozen weights); qlora 5 (+25 % dequantisation, "
            "an assumption). See engine/finetune.py.")
    widths(ws, A=22, B=14, C=16, D=14, E=16, F=12, G=12, H=12, I=14, J=60, K=60, L=12, M=14,
           N=14, O=14, P=14, Q=14, R=14, S=14)


PRICE_FIELDS = (
    ("input_usd_per_million_tokens", "Input USD/1M"),
    ("output_usd_per_million_tokens", "Output USD/1M"),
    ("cached_input_usd_per_million_tokens", "Cached input USD/1M"),
    ("cache_write_usd_per_million_tokens", "Cache write USD/1M"),
    ("batch_input_usd_per_million_tokens", "Batch input USD/1M"),
    ("batch_output_usd_per_million_tokens", "Batch output USD/1M"),
    ("batch_cached_input_usd_per_million_tokens", "Batch cached input USD/1M"),
    ("long_context_threshold_tokens", "Long-context threshold (tokens)"),
    ("long_input_usd_per_million_tokens", "Long-context input USD/1M"),
    ("long_output_usd_per_million_tokens", "Long-context output USD/1M"),
    ("long_cached_input_usd_per_million_tokens", "Long-context cached input USD/1M"),
    ("context_window_tokens", "Context window (tokens)"),
)


def api_models_for(chosen: str | None) -> list[e.ApiPrice]:
    """Prices of the dropdown's models plus ``chosen`` (canonical ids, no duplicates)."""
    out: dict[str, e.ApiPrice] = {}
    for m in (*COMMON_API_MODELS, *([chosen] if chosen else [])):
        p = e.api_price(m)
        out.setdefault(p.model, p)
    return list(out.values())


def write_prices(wb: Workbook, ws: Worksheet, prices: list[e.ApiPrice]) -> None:
    """The API price snapshot (every ApiPrice field, catalog version and date), each price
    column a ``price_*`` name; the model's row is looked up by ``in_api_model``."""
    cat = e.catalog_info()
    title(ws, "API price snapshot", "List prices in USD per 1M tokens, as the catalog had them "
          "when this workbook was built: recalculating later gives the same answer. Edit a "
          "price to use your negotiated rate.")
    ws["A3"], ws["B3"] = "Catalog", cat.package
    ws["A4"], ws["B4"] = "Catalog version", cat.version
    ws["A5"], ws["B5"] = "Catalog date", cat.date
    for c in ("A3", "A4", "A5"):
        ws[c].font = BOLD
    row = 7
    cols = [("model", "Model", GENERAL), ("provider", "Provider", GENERAL),
            *[(f, label, NUM0 if "tokens" in f and "usd" not in f else "0.000")
              for f, label in PRICE_FIELDS],
            ("source", "Source", GENERAL), ("catalog_version", "Catalog version", GENERAL),
            ("catalog_date", "Catalog date", GENERAL)]
    header(ws, row, [c[1] for c in cols])
    for i, p in enumerate(prices):
        for j, (field, _, fmt) in enumerate(cols):
            v = getattr(p, field)
            if isinstance(v, float) and math.isinf(v):
                v = NO_THRESHOLD
            elif isinstance(v, float) and math.isnan(v):
                v = None
            c = ws.cell(row=row + 1 + i, column=1 + j, value=v)
            c.number_format = fmt
    first, last = row + 1, row + len(prices)
    for j, (field, _, _) in enumerate(cols):
        col = _col(j + 1)
        define(wb, f"price_{'models' if field == 'model' else field}",
               absref(ws.title, col, first, col, last))
    ws.cell(row=last + 2, column=1, value=f"A long-context threshold of {NO_THRESHOLD:g} means "
            "the model has no long-context tier; a request whose prompt is above the threshold "
            "pays the long-context rates on all its tokens. Batch prices apply to the batch "
            "share of requests. Blank context window: not published in the catalog.")
    ws["D3"], ws["E3"] = "API model used", "=in_api_model"
    ws["D4"], ws["E4"] = "Its input / output USD per 1M", (
        '=INDEX(price_input_usd_per_million_tokens,MATCH(in_api_model,price_models,0))')
    ws["F4"] = ('=INDEX(price_output_usd_per_million_tokens,MATCH(in_api_model,price_models,0))')
    ws["D3"].font = ws["D4"].font = BOLD
    # The self-hosting rows used (they follow the Inputs' dropdowns; full tables on Catalog).
    r = last + 4
    ws.cell(row=r, column=1, value="Self-hosting prices and specs used (Catalog sheet)"
            ).font = BOLD
    header(ws, r + 1, ["Item", "Name", "Indicative price", "Unit", "Source", "As of"])
    rows = [
        ("Serving GPU", "in_gpu", "cat_gpu_names", "cat_gpu_rent_usd_per_hour", "USD/GPU-hour",
         "cat_gpu_price_source"),
        ("Serving GPU purchase", "in_gpu", "cat_gpu_names", "cat_gpu_purchase_usd", "USD",
         "cat_gpu_price_source"),
        ("Open model", "in_open_model", "cat_model_names", "cat_model_params_b",
         "billion parameters", "cat_model_source"),
    ]
    for i, (item, name, names, value, unit, source) in enumerate(rows):
        rr = r + 2 + i
        match = f"MATCH({name},{names},0)"
        ws.cell(row=rr, column=1, value=item)
        ws.cell(row=rr, column=2, value=f"={name}")
        ws.cell(row=rr, column=3, value=f"=INDEX({value},{match})").number_format = NUM
        ws.cell(row=rr, column=4, value=unit)
        ws.cell(row=rr, column=5, value=f"=INDEX({source},{match})")
        asof = "cat_gpu_as_of" if names == "cat_gpu_names" else "cat_model_as_of"
        ws.cell(row=rr, column=6, value=f"=INDEX({asof},{match})")
    widths(ws, A=20, B=12)


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def write_readme(ws: Worksheet, heading: str, paragraphs: list[str]) -> None:
    title(ws, heading)
    cat = e.catalog_info()
    ws["A2"] = (f"Built by llm-tco with price catalog {cat.package} {cat.version} dated "
                f"{cat.date}. No macros; native Excel formulas only.")
    for i, p in enumerate(paragraphs):
        c = ws.cell(row=4 + i, column=1, value=p)
        c.alignment = WRAP
    ws.column_dimensions["A"].width = 120


def write_scenarios(ws: Worksheet, specs: list[Input], scenarios: Mapping[str, Mapping[str, Any]],
                    descriptions: Mapping[str, str]) -> None:
    """One column per scenario; blank means the default. ``scenario=NAME`` loads a column."""
    title(ws, "Scenarios", "The seed article's cases. Build with scenario=NAME (llm-tco "
          "template NAME --scenario S) or copy a column's values into Inputs. Blank = default.")
    names = list(scenarios)
    header(ws, 4, ["Input", "Default", *names])
    ws.cell(row=5, column=1, value="Description").font = BOLD
    for j, n in enumerate(names):
        ws.cell(row=5, column=3 + j, value=descriptions.get(n, "")).alignment = WRAP
    ws.row_dimensions[5].height = 120
    for i, spec in enumerate(specs):
        r = 6 + i
        ws.cell(row=r, column=1, value=f"in_{spec.name}")
        ws.cell(row=r, column=2, value=spec.default).number_format = spec.fmt
        for j, n in enumerate(names):
            if spec.name in scenarios[n]:
                c = ws.cell(row=r, column=3 + j, value=scenarios[n][spec.name])
                c.number_format, c.fill = spec.fmt, INPUT_FILL
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 16
    for j in range(len(names)):
        ws.column_dimensions[_col(3 + j)].width = 26


def show_axes(chart: Any) -> Any:
    """openpyxl 3.1 marks chart axes deleted unless told: Excel and LibreOffice then draw no
    axis labels. Keep them."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


# --- saving --------------------------------------------------------------------------

def fixed_datetime() -> dt.datetime:
    """The build timestamp stamped everywhere: midnight of the price catalog's date."""
    return dt.datetime.fromisoformat(e.catalog_info().date + "T00:00:00")


def workbook_bytes(wb: Workbook) -> bytes:
    """The xlsx bytes, deterministic: pinned document dates and zip entry timestamps."""
    when = fixed_datetime()
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "llm-tco"
    wb.properties.lastModifiedBy = "llm-tco"
    buf = io.BytesIO()
    wb.save(buf)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                              lambda m: m.group(1) + stamp.encode() + m.group(3), data)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    return out.getvalue()


def save(wb: Workbook, path: str | Path) -> Path:
    from templates.recalc.atomic import atomic_write_bytes

    p = Path(path)
    atomic_write_bytes(p, workbook_bytes(wb))
    return p
