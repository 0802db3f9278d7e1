"""Chart helpers (arkit.charts): theme, money axes, bars and lines drawn from frames."""

from __future__ import annotations

import io
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from arkit.charts import (
    CJK_FONTS,
    _installed_cjk_fonts,
    abbreviate_money,
    bar_chart,
    money_formatter,
    stacked_aging_chart,
    trend_chart,
    use_theme,
)
from arkit.errors import ArkitError


@pytest.fixture(autouse=True)
def _restore_rc():
    with mpl.rc_context():
        yield


def _render(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (0, None, "0"),
        (950, None, "950"),
        (1_000, None, "1K"),
        (12_345, None, "12.35K"),
        (-2_500_000, None, "(2.5M)"),
        (3_000_000_000, "CNY", "CNY 3B"),
        (-0.4, None, "0"),
    ],
)
def test_abbreviate_money(value, currency, expected):
    assert abbreviate_money(value, currency) == expected


@pytest.fixture
def aging_by_month() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month_end": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]),
            "current": [1_000_000.0, 1_200_000.0, 900_000.0],
            "1-30": [200_000.0, -50_000.0, 300_000.0],
            "31-60": [50_000.0, 80_000.0, np.nan],
        }
    )


def test_stacked_aging_chart_stacks_buckets(aging_by_month):
    fig = stacked_aging_chart(aging_by_month, x="month_end", currency="CNY", title="Aging")
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 3 * 3  # months x buckets, buckets default to numeric columns
    # bars are drawn bucket by bucket: current (3 months), then 1-30, then 31-60
    current, early, later = bars[0:3], bars[3:6], bars[6:9]
    assert [b.get_height() for b in current] == [1_000_000.0, 1_200_000.0, 900_000.0]
    assert [b.get_y() for b in early] == [1_000_000.0, 0.0, 900_000.0]  # credit stacks below 0
    assert [b.get_height() for b in early] == [200_000.0, -50_000.0, 300_000.0]
    assert [b.get_y() for b in later] == [1_200_000.0, 1_200_000.0, 1_200_000.0]
    assert later[2].get_height() == 0.0  # a missing bucket is an empty bar, not an error
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-01", "2026-02", "2026-03"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["current", "1-30", "31-60"]
    assert ax.get_ylabel() == "Amount (CNY)"
    assert ax.get_title() == "Aging"
    assert ax.yaxis.get_major_formatter()(1_500_000, 0) == "1.5M"
    assert _render(fig).startswith(b"\x89PNG")


def test_stacked_aging_chart_takes_index_and_explicit_buckets(aging_by_month):
    frame = aging_by_month.set_index("month_end")
    fig = stacked_aging_chart(frame, buckets=["current"])
    assert len(_bars(fig.axes[0])) == 3
    with pytest.raises(ArkitError, match="stacked_aging_chart: column.*90\\+"):
        stacked_aging_chart(frame, buckets=["current", "90+"])


def test_trend_chart_lines_and_axis_format():
    frame = pd.DataFrame(
        {
            "month_end": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]),
            "dso": [45.0, 52.5, 48.0],
            "bpdso": [30.0, 31.0, 29.5],
        }
    )
    fig = trend_chart(
        frame, ["dso", "bpdso"], x="month_end", labels={"dso": "DSO"}, title="Days sales"
    )
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2
    assert list(ax.get_lines()[0].get_ydata()) == [45.0, 52.5, 48.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["DSO", "bpdso"]
    assert ax.yaxis.get_major_formatter()(45, 0) == "45 d"
    _render(fig)

    share = trend_chart(
        frame.set_index("month_end").assign(p=[0.1, 0.2, 0.3]), ["p"], kind="percent"
    )
    assert share.axes[0].yaxis.get_major_formatter()(0.25, 0) == "25%"
    assert share.axes[0].get_legend() is None  # one line needs no legend
    with pytest.raises(ArkitError, match="kind='pie'"):
        trend_chart(frame, ["dso"], x="month_end", kind="pie")


def test_trend_chart_legend_sits_beside_the_lines_not_over_them():
    months = pd.date_range("2025-01-31", periods=12, freq="ME")
    frame = pd.DataFrame(
        {"dso": np.linspace(50, 60, 12), "bpdso": np.full(12, 38.0), "add": np.full(12, 15.0)},
        index=months,
    )
    fig = trend_chart(frame, ["dso", "bpdso", "add"])
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)  # the constrained layout places the legend
    ax = fig.axes[0]
    legend_box = ax.get_legend().get_window_extent(renderer)
    assert legend_box.x0 >= ax.get_window_extent(renderer).x1


def test_bar_chart_top_n_largest_first_and_escaped_labels():
    frame = pd.DataFrame(
        {
            "customer_name": ["Small", "Big $ Corp", "Mid", "<script>alert(1)</script>"],
            "overdue": [10.0, 5_000_000.0, 250_000.0, 1_000.0],
        }
    )
    fig = bar_chart(frame, "overdue", "customer_name", top_n=3, currency="USD")
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 3
    assert [b.get_width() for b in bars] == [5_000_000.0, 250_000.0, 1_000.0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [r"Big \$ Corp", "Mid", "<script>alert(1)</script>"]
    # largest at the top: the y axis runs downwards
    assert ax.yaxis_inverted()
    assert ax.get_xlabel() == "Amount (USD)"
    assert ax.xaxis.get_major_formatter()(-250_000, 0) == "(250K)"
    # a lone "$" would be parsed as mathtext and fail to render if not escaped
    _render(fig)


def test_bar_chart_uses_index_as_labels():
    frame = pd.Series({"A": 3.0, "B": 7.0}, name="amount").to_frame()
    ax = bar_chart(frame, "amount").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "A"]


def test_bar_chart_of_counts_has_distinct_whole_number_ticks():
    """A count axis up to 4 used to read 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4."""
    frame = pd.Series({"merged": 4, "bad_date": 2, "zero_amount": 2}, name="rows").to_frame()
    fig = bar_chart(frame, "rows", kind="number", xlabel="Rows")
    ax = fig.axes[0]
    fig.canvas.draw()  # tick labels exist once drawn
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks == sorted(set(ticks), key=int)
    assert all(float(v) == int(v) for v in ax.get_xticks())
    assert ax.get_xlabel() == "Rows"
    with pytest.raises(ArkitError, match="bar_chart: kind='pie'"):
        bar_chart(frame, "rows", kind="pie")


def test_money_formatter_with_currency():
    assert money_formatter("EUR")(12_000, 0) == "EUR 12K"


def test_use_theme_sets_palette_and_fonts():
    use_theme()
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["font.family"][0] == "DejaVu Sans"
    assert set(_installed_cjk_fonts()) <= set(mpl.rcParams["font.family"])
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    assert colors[0].lower() == "#0072b2"


@pytest.mark.skipif(not _installed_cjk_fonts(), reason=f"none of {CJK_FONTS} is installed")
def test_use_theme_renders_chinese_names_without_missing_glyphs():
    use_theme()
    frame = pd.DataFrame({"name": ["华东贸易有限公司", "北京客户"], "amount": [2.0, 1.0]})
    fig = bar_chart(frame, "amount", "name", title="逾期客户")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _render(fig)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_trend_chart_scale_starts_at_zero_and_ends_at_the_last_month():
    import matplotlib.dates as mdates

    periods = pd.to_datetime(["2026-09-30", "2026-10-31", "2026-11-30"])
    cei = pd.DataFrame({"period_end": periods, "cei": [0.84, 0.86, 0.85]})
    ax = trend_chart(cei, ["cei"], x="period_end", kind="percent").axes[0]
    assert ax.get_ylim()[0] == 0
    last_tick = max(ax.get_xticks())
    assert mdates.num2date(last_tick).date() <= periods.max().date()
    swings = pd.DataFrame({"period_end": periods, "change": [-5.0, 3.0, 1.0]})
    ax = trend_chart(swings, ["change"], x="period_end", kind="number").axes[0]
    assert ax.get_ylim()[0] < -5  # negative data keeps its own scale
