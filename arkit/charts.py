"""Static charts for reports: one seaborn theme, money axes, generic helpers.

Every helper takes a numeric frame and column names and returns a
:class:`matplotlib.figure.Figure`; none knows about the ledger. Figures are built
without pyplot, so a notebook shows each one once (as the cell's value) and no
figure lingers in memory after it is displayed. Reports embed them as static PNG.

Text on charts (titles, customer names on a bar chart) is escaped for matplotlib:
a ``$`` in a customer name would otherwise start mathtext.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

__all__ = [
    "PALETTE",
    "AGING_PALETTE",
    "CJK_FONTS",
    "use_theme",
    "abbreviate_money",
    "money_formatter",
    "stacked_aging_chart",
    "trend_chart",
    "bar_chart",
]

# colour-blind-safe qualitative palette (Okabe–Ito), in the order series are drawn
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# aging buckets go from healthy (current) to alarming (oldest)
AGING_PALETTE = ("#4C9F70", "#A7C957", "#F2C14E", "#F08A4B", "#D1495B", "#8E2C48", "#4A1942")
# fonts that render Simplified Chinese customer names, first installed one wins
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
_FIGSIZE = (9.0, 4.5)


def _installed_cjk_fonts() -> list[str]:
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in available]


def use_theme() -> None:
    """Set the arkit look for every chart: seaborn ``whitegrid``, palette, CJK fallback.

    Call once at the top of a report notebook. Latin text uses DejaVu Sans;
    characters it lacks (Chinese names) fall back to the first installed font of
    :data:`CJK_FONTS`. In a Jupyter kernel figures are rendered as PNG.
    """
    import matplotlib as mpl
    import seaborn as sns

    fonts = ["DejaVu Sans", *_installed_cjk_fonts(), "sans-serif"]
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=list(PALETTE),
        font="sans-serif",
        rc={
            "font.sans-serif": fonts,
            # CJK fonts have no U+2212 minus sign; the ASCII hyphen renders everywhere
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
        },
    )
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=list(PALETTE))
    # matplotlib falls back glyph by glyph only across font.family entries, not
    # within the generic sans-serif list, so the CJK font must be named here
    mpl.rcParams["font.family"] = fonts
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to configure
        return
    shell = get_ipython()
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")


def _escape(text: Any) -> str:
    """Make user text literal for matplotlib (``$`` would start mathtext)."""
    return str(text).replace("$", r"\$")


def abbreviate_money(value: float, currency: str | None = None) -> str:
    """Short money label for chart axes: K/M/B, negatives in parentheses.

    >>> abbreviate_money(1_250_000), abbreviate_money(-350_000), abbreviate_money(0)
    ('1.25M', '(350K)', '0')
    >>> abbreviate_money(999), abbreviate_money(2_000_000_000, "CNY")
    ('999', 'CNY 2B')
    """
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= limit:
            text = f"{magnitude / limit:,.2f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{magnitude:,.0f}"
    if value < 0 and text != "0":
        text = f"({text})"
    return f"{currency} {text}" if currency else text


def money_formatter(currency: str | None = None) -> Formatter:
    """A tick formatter showing money with K/M/B abbreviations (see :func:`abbreviate_money`).

    >>> money_formatter()(1_500_000, 0)
    '1.5M'
    """
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: abbreviate_money(value, currency))


def _new_figure(figsize: tuple[float, float] | None = None) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize or _FIGSIZE, layout="constrained")
    return fig, fig.add_subplot()


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        from arkit.errors import ArkitError

        raise ArkitError(
            f"{what}: column(s) {', '.join(map(str, missing))} not in the frame "
            f"(has {', '.join(map(str, frame.columns))})"
        )


def _periods(frame: pd.DataFrame, x: str | None, what: str) -> pd.Series:
    if x is None:
        return frame.index.to_series()
    _require(frame, [x], what)
    return frame[x]


def _x_labels(values: pd.Series) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return [v.strftime("%Y-%m") for v in values]
    return [_escape(v) for v in values]


def _value_axis(axis: Any, kind: str, what: str) -> None:
    """Format a value axis as days, money, percent or whole numbers (counts).

    Counts get integer ticks only: a plain formatter would label the fractional
    ticks of a small count axis as repeated integers (0, 0, 1, 1, 2 ...).
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

    formatters = {
        "days": FuncFormatter(lambda v, _p: f"{v:,.0f} d"),
        "money": money_formatter(),
        "percent": PercentFormatter(xmax=1.0, decimals=0),
        "number": FuncFormatter(lambda v, _p: f"{v:,.0f}"),
    }
    if kind not in formatters:
        from arkit.errors import ArkitError

        raise ArkitError(f"{what}: kind={kind!r}; use one of {', '.join(formatters)}")
    if kind == "number":
        axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(formatters[kind])


def _money_axis_label(label: str | None, currency: str | None) -> str:
    text = label or "Amount"
    return _escape(f"{text} ({currency})" if currency else text)


def stacked_aging_chart(
    frame: pd.DataFrame,
    buckets: Sequence[str] | None = None,
    *,
    x: str | None = None,
    currency: str | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    colors: Sequence[str] = AGING_PALETTE,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Stacked bars, one per period (e.g. month-end), split by aging bucket.

    Parameters
    ----------
    frame : pandas.DataFrame
        Wide frame: one row per period, one money column per bucket. A long frame
        (period, bucket, amount) becomes wide with
        ``frame.pivot(index="month_end", columns="bucket", values="amount")``.
    buckets : sequence of str, optional
        Bucket columns, youngest first; they are stacked from the bottom.
        Default: every numeric column except ``x``, in frame order.
    x : str, optional
        Period column (dates are labelled ``YYYY-MM``); default: the index.
    currency, title, ylabel : str, optional
        Axis label gets the currency; negative amounts (credits) stack below zero.

    Returns
    -------
    matplotlib.figure.Figure
    """
    periods = _periods(frame, x, "stacked_aging_chart")
    if buckets is None:
        buckets = [c for c in frame.columns if c != x and pd.api.types.is_numeric_dtype(frame[c])]
    _require(frame, buckets, "stacked_aging_chart")
    fig, ax = _new_figure(figsize)
    positions = range(len(frame))
    values = frame[list(buckets)].astype("float64").fillna(0.0)
    # positive and negative amounts stack separately so credits do not hide debits
    above = values.clip(lower=0).cumsum(axis=1) - values.clip(lower=0)
    below = values.clip(upper=0).cumsum(axis=1) - values.clip(upper=0)
    for i, bucket in enumerate(buckets):
        column = values[bucket]
        bottom = above[bucket].where(column >= 0, below[bucket])
        ax.bar(
            positions,
            column,
            bottom=bottom,
            label=_escape(bucket),
            color=colors[i % len(colors)],
            width=0.8,
        )
    ax.set_xticks(list(positions), _x_labels(periods), rotation=45, ha="right")
    ax.yaxis.set_major_formatter(money_formatter())
    ax.set_ylabel(_money_axis_label(ylabel, currency))
    ax.set_xlabel("")
    ax.legend(title=None, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    if title:
        ax.set_title(_escape(title))
    return fig


def trend_chart(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    x: str | None = None,
    kind: str = "days",
    currency: str | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    labels: dict[str, str] | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Lines over time, one per column (e.g. DSO, BPDSO and ADD by month-end).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period.
    columns : sequence of str
        Numeric columns, one line each.
    x : str, optional
        Period column; default: the index.
    kind : {"days", "money", "percent", "number"}
        How the y axis is labelled: ``45 d``, ``1.2M``, ``12%`` or plain numbers.
    currency, title, ylabel : str, optional
        Axis and chart text.
    labels : dict, optional
        Legend text per column (default: the column name).

    Returns
    -------
    matplotlib.figure.Figure
    """
    x_values = _periods(frame, x, "trend_chart")
    _require(frame, columns, "trend_chart")
    fig, ax = _new_figure(figsize)
    _value_axis(ax.yaxis, kind, "trend_chart")
    for column in columns:
        name = (labels or {}).get(column, column)
        ax.plot(x_values, frame[column].astype("float64"), marker="o", label=_escape(name))
    if kind == "money":
        ax.set_ylabel(_money_axis_label(ylabel, currency))
    elif ylabel:
        ax.set_ylabel(_escape(ylabel))
    ax.set_xlabel("")
    values = frame[list(columns)].astype("float64")
    if values.notna().any().any() and (values.min().min() >= 0):
        # an honest scale: a CEI moving from 84 % to 86 % must not look like a collapse
        ax.set_ylim(bottom=0)
    # no tick for a month that has no data point yet
    ax.set_xlim(min(x_values), max(x_values))
    ax.margins(x=0.02)
    if len(columns) > 1:
        # beside the plot, as in the aging chart: "best" still covered a line's points
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    if title:
        ax.set_title(_escape(title))
    fig.autofmt_xdate()
    return fig


def bar_chart(
    frame: pd.DataFrame,
    value: str,
    label: str | None = None,
    *,
    top_n: int | None = None,
    kind: str = "money",
    currency: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    color: str = PALETTE[0],
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal bars, largest at the top (e.g. the top-N customers by overdue amount).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per bar.
    value : str
        Value column (money unless ``kind`` says otherwise).
    label : str, optional
        Text column (customer names; escaped); default: the index.
    top_n : int, optional
        Keep only the ``top_n`` largest values.
    kind : {"money", "number", "days", "percent"}
        How the value axis is labelled; ``"number"`` is for counts (integer ticks).
    currency, title, xlabel : str, optional
        Axis and chart text; the currency goes into a money axis label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(frame, [value] if label is None else [label, value], "bar_chart")
    fig, ax = _new_figure((1.0, 1.0))
    _value_axis(ax.xaxis, kind, "bar_chart")
    data = pd.DataFrame(
        {
            "label": frame.index if label is None else frame[label],
            "value": frame[value].astype("float64"),
        }
    )
    data = data.sort_values("value", ascending=False, kind="stable")
    if top_n is not None:
        data = data.head(top_n)
    fig.set_size_inches(figsize or (_FIGSIZE[0], max(2.5, 0.35 * len(data) + 1.2)))
    positions = range(len(data))
    ax.barh(positions, data["value"], color=color)
    ax.set_yticks(list(positions), [_escape(v) for v in data["label"]])
    ax.invert_yaxis()  # largest first, reading top-down
    if kind == "money":
        ax.set_xlabel(_money_axis_label(xlabel, currency))
    elif xlabel:
        ax.set_xlabel(_escape(xlabel))
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(_escape(title))
    return fig
