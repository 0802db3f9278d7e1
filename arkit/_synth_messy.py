"""ERP-style ("messy") export of a synthetic ledger, with a known list of injected defects.

The clean rows are written the way Chinese ERPs export them: Chinese headers,
GBK-encoded CSV, amounts with currency symbols and thousands separators, dates in
mixed formats, and the customer master as an XLSX sheet under a title row. Some
invoices leave their due date empty so that ingest derives it from the customer's
terms. Defective rows are *added* (never made by corrupting a clean row), each
with the reason code that the ingest contract gives it, so that ingesting the
export yields exactly the clean ledger plus the rows ingest keeps as flagged.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from arkit._synth_arrays import day_of_month, month_of, year_of
from arkit.errors import ParamsError

if TYPE_CHECKING:
    from arkit.synth import SyntheticLedger

__all__ = ["HEADERS_ZH", "XLSX_TABLE", "XLSX_TITLE_ROWS", "DEFECT_KINDS", "write_messy"]

HEADERS_ZH: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "客户编号",
        "customer_name": "客户名称",
        "segment": "客户分类",
        "region": "区域",
        "salesperson": "销售员",
        "collector": "催收员",
        "credit_limit": "信用额度",
        "payment_terms": "付款条件",
        "currency": "币种",
        "email": "邮箱",
    },
    "invoices": {
        "invoice_id": "发票号码",
        "customer_id": "客户编号",
        "invoice_date": "开票日期",
        "amount": "金额",
        "due_date": "到期日",
        "currency": "币种",
        "doc_type": "单据类型",
        "reference_invoice_id": "原发票号",
        "salesperson": "销售员",
        "disputed": "争议",
        "po_number": "订单号",
    },
    "payments": {
        "payment_id": "收款单号",
        "customer_id": "客户编号",
        "payment_date": "收款日期",
        "amount": "金额",
        "invoice_id": "核销发票号",
        "currency": "币种",
        "method": "收款方式",
    },
    "invoice_lines": {
        "invoice_id": "发票号码",
        "line_no": "行号",
        "product_id": "产品编号",
        "net_amount": "不含税金额",
        "product_category": "产品类别",
        "quantity": "数量",
        "cost_amount": "成本金额",
    },
    "promises": {
        "promise_id": "承诺编号",
        "customer_id": "客户编号",
        "promised_date": "承诺付款日期",
        "amount": "金额",
        "invoice_id": "发票号码",
        "created_date": "创建日期",
    },
    "disputes": {
        "dispute_id": "争议编号",
        "invoice_id": "发票号码",
        "opened_date": "争议日期",
        "closed_date": "解决日期",
        "reason": "原因",
    },
    "fx_rates": {"date": "日期", "currency": "币种", "rate_to_base": "汇率"},
    "payment_schedule": {
        "invoice_id": "发票号码",
        "instalment": "期数",
        "due_date": "到期日",
        "amount": "分期金额",
    },
}
XLSX_TABLE = "customers"
XLSX_TITLE_ROWS = 1
_SYMBOLS = {"CNY": "￥", "USD": "US$", "EUR": "EUR ", "HKD": "HK$"}  # all GBK-encodable
_DUE_DATE_DROPPED = 0.10
_BAD_TERMS = "看情况"

# kind -> (table, expected ingest reason code, severity)
DEFECT_KINDS: dict[str, tuple[str, str, str]] = {
    "exact_duplicate": ("invoices", "merged", "merged"),
    "conflicting_duplicate": ("invoices", "duplicate_conflict", "rejected"),
    "unknown_customer": ("invoices", "unknown_customer", "rejected"),
    "bad_date": ("invoices", "bad_date", "rejected"),
    "bad_amount": ("invoices", "bad_amount", "rejected"),
    "negative_typo": ("invoices", "sign_mismatch", "rejected"),
    "zero_amount": ("invoices", "zero_amount", "rejected"),
    "missing_key": ("invoices", "missing_key", "rejected"),
    "missing_value": ("invoices", "missing_value", "rejected"),
    "due_before_invoice": ("invoices", "due_before_invoice", "rejected"),
    "date_out_of_range": ("invoices", "date_out_of_range", "rejected"),
    "missing_due_date": ("invoices", "missing_due_date", "rejected"),
    "payment_exact_duplicate": ("payments", "merged", "merged"),
    "payment_unknown_customer": ("payments", "unknown_customer", "rejected"),
    "unknown_invoice": ("payments", "unknown_invoice", "flagged"),
    "bad_terms": ("customers", "bad_terms", "flagged"),
}


@dataclass
class _Defect:
    kind: str
    after: int  # the row is placed after this clean row (-1: before all)
    values: dict[str, str]


def _cents(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Unscaled integers of a decimal column (exact) and its validity."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    words = np.frombuffer(array.buffers()[1], dtype=np.int64).reshape(-1, 2)
    units = words[array.offset : array.offset + len(array), 0].copy()
    valid = ~np.asarray(array.is_null().to_numpy(zero_copy_only=False))
    return units, valid


def _digits(values: np.ndarray, width: int = 0) -> pa.Array:
    text = pa.array(values).cast(pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def _money_text(
    units: np.ndarray,
    valid: np.ndarray,
    currency: pa.Array | None,
    styled: np.ndarray,
    scale: int = 2,
) -> pa.Array:
    """Amounts as text: ``￥-1,234.50`` where ``styled``, plain ``-1234.50`` elsewhere.

    The minus follows the currency symbol, as in ``US$-304.12``.
    """
    magnitude = np.abs(units)
    whole = magnitude // 10**scale
    frac = _digits(magnitude % 10**scale, scale)
    # thousands groups: pad all five groups, then trim the leading zeros and commas
    groups = [_digits(whole // 1000**k % 1000, 3) for k in range(4, -1, -1)]
    grouped = pc.utf8_ltrim(pc.binary_join_element_wise(*groups, ","), "0,")
    grouped = pc.if_else(pc.equal(grouped, ""), "0", grouped)
    number = pc.if_else(pa.array(styled), grouped, _digits(whole))
    if currency is None:
        symbol = pa.array(np.full(len(units), "", dtype=object), pa.string())
    else:
        symbol = pc.fill_null(
            pa.array(list(_SYMBOLS.values())).take(pc.index_in(currency, pa.array(list(_SYMBOLS)))),
            "",
        )
    symbol = pc.if_else(pa.array(styled), symbol, "")
    sign = pc.if_else(pa.array(units < 0), "-", "")
    text = pc.binary_join_element_wise(symbol, sign, number, ".", frac, "")
    return pc.if_else(pa.array(valid), text, "")


def _date_text(column: pa.ChunkedArray, style: np.ndarray) -> pa.Array:
    """Dates in one of four formats per row: 2026-01-05, 2026/1/5, 2026年1月5日, 2026.01.05."""
    array = column.combine_chunks()
    valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False))
    days = np.asarray(array.cast(pa.int32()).fill_null(0).to_numpy(), dtype=np.int64)
    year = _digits(year_of(days))
    month, day = _digits(month_of(days)), _digits(day_of_month(days))
    mm, dd = pc.utf8_lpad(month, 2, "0"), pc.utf8_lpad(day, 2, "0")
    formats = [
        pc.binary_join_element_wise(year, mm, dd, "-"),
        pc.binary_join_element_wise(year, month, day, "/"),
        pc.binary_join_element_wise(year, "年", month, "月", day, "日", ""),
        pc.binary_join_element_wise(year, mm, dd, "."),
    ]
    text = formats[0]
    for i in range(1, len(formats)):
        text = pc.if_else(pa.array(style == i), formats[i], text)
    return pc.if_else(pa.array(valid), text, "")


def _as_text(name: str, table: pa.Table, rng: np.random.Generator) -> pd.DataFrame:
    """One table as the strings an ERP export holds."""
    n = table.num_rows
    currency = (
        table.column("currency").combine_chunks() if "currency" in table.column_names else None
    )
    styled = rng.random(n) < 0.7
    date_style = rng.integers(0, 4, n)
    out: dict[str, pa.Array] = {}
    for field in table.schema:
        column = table.column(field.name)
        if pa.types.is_decimal(field.type):
            units, valid = _cents(column)
            # a rate is a plain number: no currency symbol, no thousands separator
            is_rate = field.type.scale != 2
            out[field.name] = _money_text(
                units,
                valid,
                None if is_rate else currency,
                styled & (not is_rate),
                field.type.scale,
            )
        elif pa.types.is_date(field.type):
            out[field.name] = _date_text(column, date_style)
        elif pa.types.is_boolean(field.type):
            out[field.name] = pc.if_else(column, "true", "false")
        else:
            out[field.name] = pc.fill_null(column.cast(pa.string()), "")
    return pa.table(out).to_pandas()


def _invoice_defects(
    invoices: pd.DataFrame, customers: pd.DataFrame, rng: np.random.Generator, k: int
) -> tuple[list[_Defect], list[_Defect]]:
    """Defective invoice rows, and the bad-terms customers some of them belong to."""
    plain = np.flatnonzero((invoices["doc_type"] == "invoice").to_numpy())
    defects: list[_Defect] = []
    serial = itertools.count(1)

    def base(kind: str) -> tuple[int, dict[str, str]]:
        row = int(rng.choice(plain))
        values = invoices.iloc[row].to_dict()
        if kind not in ("exact_duplicate", "conflicting_duplicate"):
            values["invoice_id"] = f"INVX-{next(serial):06d}"
        return row, values

    new_customers: list[_Defect] = []
    for i in range(k):
        row, v = base("exact_duplicate")
        defects.append(_Defect("exact_duplicate", row + int(rng.integers(0, 50)), v))
        row, v = base("conflicting_duplicate")
        v["amount"] = "999,999.99" if v["amount"] != "999,999.99" else "1.00"
        defects.append(_Defect("conflicting_duplicate", row + int(rng.integers(0, 50)), v))
        row, v = base("unknown_customer")
        v["customer_id"] = f"CX{i + 1:05d}"
        defects.append(_Defect("unknown_customer", row, v))
        row, v = base("bad_date")
        v["invoice_date"] = ("2026-02-30", "不详", "2025/13/01")[i % 3]
        defects.append(_Defect("bad_date", row, v))
        row, v = base("bad_amount")
        v["amount"] = ("12,3O4.00", "一千元", "1.2.3")[i % 3]
        defects.append(_Defect("bad_amount", row, v))
        row, v = base("negative_typo")
        v["amount"] = re.sub(r"^([^\d]*)", r"\g<1>-", v["amount"])  # ￥-52,300.72
        defects.append(_Defect("negative_typo", row, v))
        row, v = base("zero_amount")
        v["amount"] = "0.00"
        defects.append(_Defect("zero_amount", row, v))
        row, v = base("missing_key")
        v["invoice_id"] = ""
        defects.append(_Defect("missing_key", row, v))
        row, v = base("missing_value")
        v["invoice_date"] = ""
        defects.append(_Defect("missing_value", row, v))
        row, v = base("due_before_invoice")
        v["invoice_date"], v["due_date"] = "2025-06-20", "2025-06-10"
        defects.append(_Defect("due_before_invoice", row, v))
        row, v = base("date_out_of_range")
        v["invoice_date"], v["due_date"] = "1985-06-30", "1985-07-30"
        defects.append(_Defect("date_out_of_range", row, v))

        template = customers.iloc[int(rng.integers(0, len(customers)))].to_dict()
        new_id = f"CT{i + 1:05d}"  # generated ids are C + digits, so CT never collides
        template.update(customer_id=new_id, payment_terms=_BAD_TERMS)
        new_customers.append(_Defect("bad_terms", int(rng.integers(-1, len(customers))), template))
        row, v = base("missing_due_date")
        v.update(customer_id=new_id, due_date="", currency=template["currency"])
        defects.append(_Defect("missing_due_date", row, v))
    return defects, new_customers


def _payment_defects(payments: pd.DataFrame, rng: np.random.Generator, k: int) -> list[_Defect]:
    applied = np.flatnonzero((payments["invoice_id"] != "").to_numpy())
    defects = []
    for i in range(k):
        row = int(rng.choice(applied))
        defects.append(
            _Defect(
                "payment_exact_duplicate",
                row + int(rng.integers(0, 50)),
                payments.iloc[row].to_dict(),
            )
        )
        row = int(rng.choice(applied))
        v = payments.iloc[row].to_dict()
        v.update(payment_id=f"PAYX-{2 * i + 1:06d}", invoice_id=f"INVZ-{i + 1:06d}")
        defects.append(_Defect("unknown_invoice", row, v))
        row = int(rng.choice(applied))
        v = payments.iloc[row].to_dict()
        v.update(payment_id=f"PAYX-{2 * i + 2:06d}", customer_id=f"CY{i + 1:05d}", invoice_id="")
        defects.append(_Defect("payment_unknown_customer", row, v))
    return defects


def _with_defects(
    frame: pd.DataFrame, defects: list[_Defect], first_line: int
) -> tuple[pd.DataFrame, list[int]]:
    """Insert defect rows after their anchor rows; return the frame and their file lines."""
    order = np.arange(len(frame), dtype=float)
    extra_order = [min(d.after, len(frame) - 1) + 0.5 + i * 1e-6 for i, d in enumerate(defects)]
    extra = pd.DataFrame([d.values for d in defects], columns=frame.columns)
    combined = pd.concat([frame, extra], ignore_index=True)
    position = np.argsort(np.concatenate([order, extra_order]), kind="stable")
    combined = combined.iloc[position].reset_index(drop=True)
    line_of = np.empty(len(position), dtype=np.int64)
    line_of[position] = np.arange(len(position)) + first_line
    return combined, line_of[len(frame) :].tolist()


def write_messy(
    synth: SyntheticLedger, folder: Path, rng: np.random.Generator, defects_per_kind: int
) -> pd.DataFrame:
    """Write the messy export of ``synth`` into ``folder``; return the defects truth."""
    has_invoice = pc.any(pc.equal(synth.arrow["invoices"].column("doc_type"), "invoice")).as_py()
    has_applied = pc.any(pc.is_valid(synth.arrow["payments"].column("invoice_id"))).as_py()
    if not (has_invoice and has_applied):
        raise ParamsError(
            "messy: defects are copied from invoices and applied payments, and this ledger "
            "has none; generate more customers or years"
        )
    text = {name: _as_text(name, table, rng) for name, table in synth.arrow.items()}
    invoices = text["invoices"]
    # an invoice with an instalment plan falls due with its last instalment, which its
    # terms cannot give back, so its export always carries the due date
    planned = invoices["invoice_id"].isin(text["payment_schedule"]["invoice_id"])
    drop_due = (
        (invoices["doc_type"] == "invoice")
        & (rng.random(len(invoices)) < _DUE_DATE_DROPPED)
        & ~planned
    )
    invoices.loc[drop_due, "due_date"] = ""

    invoice_defects, customer_defects = _invoice_defects(
        invoices, text["customers"], rng, defects_per_kind
    )
    by_table = {
        "invoices": invoice_defects,
        "payments": _payment_defects(text["payments"], rng, defects_per_kind),
        "customers": customer_defects,
    }
    records = []
    for name, frame in text.items():
        is_xlsx = name == XLSX_TABLE
        file_name = f"{name}.xlsx" if is_xlsx else f"{name}.csv"
        # data starts on the line after the header (and after the title row in XLSX)
        first_line = 2 + (XLSX_TITLE_ROWS if is_xlsx else 0)
        defects = by_table.get(name, [])
        if defects:
            frame, lines = _with_defects(frame, defects, first_line)
            key_column = next(iter(HEADERS_ZH[name]))
            for defect, line in zip(defects, lines, strict=True):
                table, reason, severity = DEFECT_KINDS[defect.kind]
                records.append(
                    {
                        "table": table,
                        "file": file_name,
                        "line": line,
                        "key": defect.values[key_column],
                        "kind": defect.kind,
                        "reason": reason,
                        "severity": severity,
                    }
                )
        frame = frame.rename(columns=HEADERS_ZH[name])
        if is_xlsx:
            _write_xlsx(frame, folder / file_name, synth.params["end_date"])
        else:
            _write_gbk_csv(frame, folder / file_name)
    return pd.DataFrame(records).sort_values(["file", "line"], ignore_index=True)


def _write_gbk_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV in GBK, the encoding of Chinese Windows exports (every value quoted as text)."""
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    path.write_bytes(buffer.getvalue().to_pybytes().decode("utf-8").encode("gbk"))


def _write_xlsx(frame: pd.DataFrame, path: Path, end_date: str) -> None:
    """The sheet an ERP report gives: a title row, then the header and the rows."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="客户档案", index=False, startrow=XLSX_TITLE_ROWS)
        writer.sheets["客户档案"].cell(row=1, column=1, value=f"客户档案  导出日期: {end_date}")
    _pin_xlsx_timestamps(path, dt.date.fromisoformat(end_date))


def _pin_xlsx_timestamps(path: Path, day: dt.date) -> None:
    """Stamp the workbook and its zip entries with ``day``, so a seed gives the same bytes.

    openpyxl writes the save time into docProps/core.xml and every zip entry.
    """
    stamp = f"{day.isoformat()}T00:00:00Z"
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data
                )
            pinned = zipfile.ZipInfo(
                info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            pinned.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(pinned, data)
