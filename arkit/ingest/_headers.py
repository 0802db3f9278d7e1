"""Header mapping: which source column is which canonical column, and which table a file holds.

Common English and Chinese ERP headers are recognised without configuration; a
YAML mapping file ``{table: {canonical_column: "source header"}}`` covers the rest
and always wins over the built-in synonyms.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from arkit._schema import TABLES
from arkit.errors import InputError

__all__ = [
    "normalise_header",
    "SYNONYMS",
    "HeaderMatch",
    "match_headers",
    "closest_headers",
    "load_mapping",
]

_CUSTOMER_ID = ("customerid", "customerno", "customernumber", "customercode", "custid",
                "custno", "clientid", "accountno", "accountnumber", "客户编号", "客户代码",
                "客户id", "客户编码", "客户号")  # fmt: skip
_CURRENCY = ("currency", "curr", "ccy", "currencycode", "币种", "货币", "币别")
_SALESPERSON = ("salesperson", "salesrep", "salesman", "accountmanager", "业务员", "销售员",
                "销售代表", "客户经理")  # fmt: skip

# canonical column -> normalised header forms, most specific first: when a file has two
# headers for one column (金额 and 价税合计) the one listed earlier wins.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": _CUSTOMER_ID,
        "customer_name": (
            "customername",
            "clientname",
            "accountname",
            "name",
            "customer",
            "客户名称",
            "客户名",
            "客户",
            "公司名称",
        ),  # fmt: skip
        "segment": ("segment", "customersegment", "customertype", "客户分类", "客户类型", "行业"),
        "region": ("region", "area", "territory", "区域", "地区", "大区"),
        "salesperson": _SALESPERSON,
        "collector": ("collector", "催收员", "收款负责人", "催款人"),
        "credit_limit": ("creditlimit", "credit", "信用额度", "授信额度"),
        "payment_terms": (
            "paymentterms",
            "terms",
            "termsofpayment",
            "付款条件",
            "账期",
            "结算方式",
            "付款期限",
        ),  # fmt: skip
        "currency": _CURRENCY,
        "email": ("email", "mail", "emailaddress", "邮箱", "电子邮件", "邮件"),
    },
    "invoices": {
        "invoice_id": (
            "invoiceid",
            "invoiceno",
            "invoicenumber",
            "invoice",
            "documentno",
            "documentnumber",
            "docno",
            "发票号码",
            "发票号",
            "发票编号",
            "单据编号",
            "单据号",
            "单号",
        ),  # fmt: skip
        "customer_id": _CUSTOMER_ID,
        "invoice_date": (
            "invoicedate",
            "documentdate",
            "docdate",
            "billingdate",
            "date",
            "开票日期",
            "发票日期",
            "单据日期",
            "日期",
        ),  # fmt: skip
        "amount": (
            "amount",
            "invoiceamount",
            "grossamount",
            "totalamount",
            "total",
            "amountinclvat",
            "价税合计",
            "含税金额",
            "发票金额",
            "应收金额",
            "金额",
        ),  # fmt: skip
        "due_date": (
            "duedate",
            "paymentduedate",
            "due",
            "到期日",
            "到期日期",
            "应收日期",
            "应收款日期",
            "付款到期日",
        ),  # fmt: skip
        "currency": _CURRENCY,
        "doc_type": ("doctype", "documenttype", "type", "单据类型", "发票类型", "类型"),
        "reference_invoice_id": (
            "referenceinvoiceid",
            "referenceinvoice",
            "originalinvoice",
            "原发票号",
            "原发票号码",
            "关联发票号",
        ),  # fmt: skip
        "salesperson": _SALESPERSON,
        "disputed": ("disputed", "indispute", "dispute", "是否争议", "争议", "有争议"),
        "po_number": ("ponumber", "pono", "po", "purchaseorder", "采购订单号", "订单号"),
    },
    "payments": {
        "payment_id": (
            "paymentid",
            "paymentno",
            "paymentnumber",
            "receiptid",
            "receiptno",
            "receiptnumber",
            "收款单号",
            "收款编号",
            "收款单据编号",
            "单据编号",
        ),  # fmt: skip
        "customer_id": _CUSTOMER_ID,
        "payment_date": (
            "paymentdate",
            "receiptdate",
            "receiveddate",
            "valuedate",
            "date",
            "收款日期",
            "到账日期",
            "日期",
        ),  # fmt: skip
        "amount": ("amount", "paymentamount", "receivedamount", "收款金额", "到账金额", "金额"),
        "invoice_id": (
            "invoiceid",
            "invoiceno",
            "invoicenumber",
            "appliedinvoice",
            "appliedto",
            "发票号码",
            "发票号",
            "核销发票号",
            "对应发票",
        ),  # fmt: skip
        "currency": _CURRENCY,
        "method": ("method", "paymentmethod", "收款方式", "付款方式", "结算方式"),
    },
    "promises": {
        "promise_id": ("promiseid", "promiseno", "承诺编号"),
        "customer_id": _CUSTOMER_ID,
        "promised_date": ("promiseddate", "promisedate", "承诺付款日期", "承诺日期"),
        "amount": ("amount", "promisedamount", "承诺金额", "金额"),
        "invoice_id": ("invoiceid", "invoiceno", "发票号码", "发票号"),
        "created_date": ("createddate", "created", "登记日期", "创建日期"),
    },
    "disputes": {
        "dispute_id": ("disputeid", "disputeno", "争议编号"),
        "invoice_id": ("invoiceid", "invoiceno", "发票号码", "发票号"),
        "opened_date": ("openeddate", "opendate", "opened", "争议日期", "开始日期"),
        "closed_date": ("closeddate", "closedate", "closed", "解决日期", "结束日期"),
        "reason": ("reason", "disputereason", "争议原因", "原因"),
    },
    "fx_rates": {
        "date": ("date", "ratedate", "日期", "汇率日期"),
        "currency": _CURRENCY,
        "rate_to_base": ("ratetobase", "rate", "fxrate", "exchangerate", "汇率"),
    },
    "payment_schedule": {
        "invoice_id": ("invoiceid", "invoiceno", "发票号码", "发票号"),
        "instalment": ("instalment", "installment", "instalmentno", "期数", "分期"),
        "due_date": ("duedate", "due", "到期日", "到期日期"),
        "amount": ("amount", "instalmentamount", "金额", "分期金额"),
    },
    "invoice_lines": {
        "invoice_id": ("invoiceid", "invoiceno", "发票号码", "发票号"),
        "line_no": ("lineno", "line", "linenumber", "行号"),
        "product_id": (
            "productid",
            "productcode",
            "sku",
            "item",
            "产品编号",
            "物料编码",
            "商品编码",
        ),
        "net_amount": ("netamount", "amount", "不含税金额", "金额"),
        "product_category": ("productcategory", "category", "产品类别", "物料类别"),
        "quantity": ("quantity", "qty", "数量"),
        "cost_amount": ("costamount", "cost", "成本", "成本金额"),
    },
}


@lru_cache(maxsize=4096)
def normalise_header(text: object) -> str:
    """Fold a header to the form synonyms are written in.

    Case, width, spaces, punctuation and a trailing unit in brackets do not matter.

    >>> normalise_header(" Invoice No. ")
    'invoiceno'
    >>> normalise_header("金额（元）")
    '金额'
    >>> normalise_header("\\ufeffCustomer_ID")
    'customerid'
    """
    text = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "").lower()
    text = re.sub(r"\([^)]*\)$", "", text.strip())
    return re.sub(r"[\s_\-./#:：]", "", text)


@dataclass(frozen=True)
class HeaderMatch:
    """How the headers of one source map onto one canonical table.

    Attributes
    ----------
    table : str
        Canonical table name.
    columns : dict
        Canonical column -> source header (as written in the file).
    missing : tuple of str
        Required canonical columns with no source header.
    """

    table: str
    columns: dict[str, str]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def match_headers(
    headers: Iterable[str], table: str, mapping: Mapping[str, str] | None = None
) -> HeaderMatch:
    """Map source headers onto the columns of ``table``.

    ``mapping`` (canonical column -> source header, from a mapping file) wins over
    the built-in synonyms and is compared the same forgiving way (case, spaces and
    punctuation aside); a mapped header that the source lacks is an
    :class:`~arkit.errors.InputError` raised by the caller, which knows the file.

    >>> m = match_headers(["发票号码", "客户编号", "开票日期", "价税合计", "备注"], "invoices")
    >>> m.columns["amount"], m.missing
    ('价税合计', ())
    """
    headers = list(headers)
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), h)
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for canonical, wanted in (mapping or {}).items():
        source = by_norm.get(normalise_header(wanted))
        if source is not None:
            columns[canonical] = source
            taken.add(source)
    for canonical, forms in SYNONYMS[table].items():
        if canonical in columns:
            continue
        for form in (normalise_header(canonical), *forms):
            source = by_norm.get(form)
            if source is not None and source not in taken:
                columns[canonical] = source
                taken.add(source)
                break
    missing = tuple(c for c in TABLES[table].required if c not in columns)
    ordered = {c: columns[c] for c in TABLES[table].names if c in columns}
    return HeaderMatch(table, ordered, missing)


def closest_headers(headers: Iterable[str], canonical: str, table: str, n: int = 3) -> list[str]:
    """Source headers that look most like a canonical column (for error messages).

    >>> closest_headers(["Inv Date", "Cust", "Amt"], "invoice_date", "invoices")
    ['Inv Date']
    """
    headers = [str(h) for h in headers]
    norm = {normalise_header(h): h for h in headers}
    forms = (normalise_header(canonical), *SYNONYMS.get(table, {}).get(canonical, ()))
    scores: dict[str, float] = {}
    for form in forms:
        for candidate in difflib.get_close_matches(form, list(norm), n=n, cutoff=0.6):
            ratio = difflib.SequenceMatcher(None, form, candidate).ratio()
            scores[norm[candidate]] = max(scores.get(norm[candidate], 0.0), ratio)
    return sorted(scores, key=lambda h: -scores[h])[:n]


def load_mapping(path: str | Path | None) -> dict[str, dict[str, str]]:
    """Read a YAML mapping file ``{table: {canonical_column: "source header"}}``.

    Raises
    ------
    InputError
        If the file is missing, not YAML, or names an unknown table or column.
    """
    if path is None:
        return {}
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(f"mapping file {path}: no such file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"mapping file {path}: not valid YAML ({first})") from None
    if not isinstance(data, dict):
        raise InputError(f"mapping file {path}: expected {{table: {{column: header}}}}")
    mapping: dict[str, dict[str, str]] = {}
    for table, columns in data.items():
        if table not in TABLES:
            raise InputError(
                f"mapping file {path}: unknown table {table!r} (tables: {', '.join(TABLES)})"
            )
        if not isinstance(columns, dict):
            raise InputError(f"mapping file {path}: {table} must map columns to source headers")
        for column in columns:
            if column not in TABLES[table].names:
                raise InputError(
                    f"mapping file {path}: {table} has no column {column!r} "
                    f"(columns: {', '.join(TABLES[table].names)})"
                )
        mapping[table] = {str(c): str(h) for c, h in columns.items()}
    return mapping
