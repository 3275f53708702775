"""Read-only HTML tables (planner.app.components.tables) and the app's tab set of pages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import param
import pytest

from planner.app.components.tables import format_cell, html_table, table


@pytest.mark.parametrize(
    ("value", "text", "numeric"),
    [
        (1234567, "1,234,567", True),
        (np.int64(-3), "-3", True),
        (1234.5, "1,234.50", True),
        (12000.0, "12,000", True),
        (0.004, "0.004", True),
        (0.0, "0.00", True),
        (float("nan"), "", True),
        (float("inf"), "inf", True),
        (True, "yes", False),
        (np.bool_(False), "no", False),
        (None, "", False),
        (pd.NaT, "", False),
        (pd.Timestamp("2025-12-31"), "2025-12-31", False),
        (pd.Timestamp("2025-12-31 10:30"), "2025-12-31 10:30:00", False),
        ("Soho & Jewellery Quarter", "Soho & Jewellery Quarter", False),
    ],
)
def test_format_cell(value, text, numeric):
    assert format_cell(value) == (text, numeric)


def test_html_table_escapes_formats_and_counts_rows():
    df = pd.DataFrame(
        {"ward_name": ["<b>A</b>", "B & C", "D"], "planned_hours": [1500.0, 2.25, np.nan]}
    )
    out = html_table(df)
    assert "<th>ward name</th>" in out.replace(' class=""', "")
    assert '<th class="num">planned hours</th>' in out
    assert "&lt;b&gt;A&lt;/b&gt;" in out and "<b>A</b>" not in out
    assert "B &amp; C" in out
    assert '<td class="num">1,500</td>' in out and '<td class="num">2.25</td>' in out
    assert out.count("<tr>") == 4  # heading + 3 rows
    assert "3 rows." in out


def test_html_table_caps_rows_and_says_so():
    df = pd.DataFrame({"x": range(300)})
    out = html_table(df, max_rows=250)
    assert out.count("<tr>") == 251
    assert "First 250 of 300 rows." in out
    assert html_table(df.iloc[:0]).count("No rows.") == 1
    assert "<table" not in html_table(None)


def test_fixed_box_keeps_its_height():
    df = pd.DataFrame({"x": [1]})
    assert "height:200px" in html_table(df, height=200, fixed=True)
    assert "max-height:200px" in html_table(df, height=200)


def test_table_follows_a_bound_function_and_a_depends_method():
    import panel as pn

    class S(param.Parameterized):
        n = param.Integer(default=2)

        @param.depends("n")
        def frame(self):
            return pd.DataFrame({"k": range(self.n)})

    s = S()
    by_method = table(s.frame)
    by_bind = table(pn.bind(lambda n: pd.DataFrame({"k": range(n * 10)}), s.param.n))
    static = table(pd.DataFrame({"k": [1]}))
    assert "2 rows." in by_method.object and "20 rows." in by_bind.object
    s.n = 5
    assert "5 rows." in by_method.object and "50 rows." in by_bind.object
    assert "1 row." in static.object


def test_bound_function_is_evaluated_once_per_change():
    """The function behind a table (e.g. re-deriving TGPs) runs once per change, not twice."""
    import panel as pn

    calls = []

    class S(param.Parameterized):
        n = param.Integer(default=1)

    s = S()

    def frame(n):
        calls.append(n)
        return pd.DataFrame({"k": range(n)})

    t = table(pn.bind(frame, s.param.n))
    assert calls == [1] and "1 row." in t.object
    s.n = 3
    assert calls == [1, 3] and "3 rows." in t.object


def test_app_pages_are_tabs_built_when_chosen(demo_ws):
    """Outside a served session no page is built in the background: the first page is built
    with the app, another when chosen in the menu (then its tab is the visible one)."""
    import panel as pn

    from planner.app import create_app
    from planner.app.registry import PAGES

    app = create_app(demo_ws.root)
    tabs = next(o for o in app.main if isinstance(o, pn.Tabs))
    slugs = [s for s, *_ in PAGES]
    assert len(tabs) == len(slugs) and tabs.active == 0
    assert [bool(h.objects) for h in tabs.objects] == [True] + [False] * (len(slugs) - 1)
    menu = app.sidebar[0]
    i = slugs.index("advance")
    menu.value = menu.items[i]
    assert tabs.active == i and tabs.objects[i].objects
    assert sum(bool(h.objects) for h in tabs.objects) == 2


def test_html_table_whole_number_float_column_has_no_decimals():
    """Counts stored as floats print like integers; a column with a fraction keeps two decimals."""
    from planner.app.components.tables import _whole_numbers

    df = pd.DataFrame(
        {
            "crimes": [2541.0, 981.0, np.nan, 0.0],
            "harm": [2541.0, 981.5, 3.0, 0.0],
            "rate": [1.0, np.inf, 2.0, 3.0],
        }
    )
    assert [_whole_numbers(df[c]) for c in df.columns] == [True, False, False]
    out = html_table(df)
    assert '<td class="num">2,541</td><td class="num">2,541</td>' in out
    assert '<td class="num">981</td><td class="num">981.50</td><td class="num">inf</td>' in out
    assert '<td class="num"></td><td class="num">3.00</td><td class="num">2.00</td>' in out
    assert '<td class="num">0</td><td class="num">0.00</td><td class="num">3.00</td>' in out
    assert format_cell(981.0, whole=True) == ("981", True)
    assert format_cell(981.0) == ("981.00", True)
