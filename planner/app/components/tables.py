"""Read-only tables for the app, drawn as plain HTML.

Every table in the app is read-only and arrives sorted in the order that answers its question
(least delivered first, highest harm first...). Measured in the browser
(``docs/app.md``), a page of six Tabulator widgets took 2.3 s to draw against 0.5 s for the same
tables as HTML, so the app draws them as HTML: a scrolling box with a sticky heading, numbers
right-aligned with thousands separators, and a note when rows are left off.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param

#: rows drawn at most; the caption says how many were left off
MAX_ROWS = 250

STYLESHEET = """
.tbl-wrap { overflow: auto; border: 1px solid #e0e0e0; border-radius: 4px; }
.tbl-wrap table { border-collapse: collapse; width: 100%; font-size: 13px;
  font-family: Roboto, "Helvetica Neue", Arial, sans-serif; }
.tbl-wrap th { position: sticky; top: 0; background: #f5f5f5; text-align: left;
  font-weight: 600; padding: 4px 8px; border-bottom: 1px solid #d0d0d0; white-space: nowrap; }
.tbl-wrap td { padding: 3px 8px; border-bottom: 1px solid #eeeeee; white-space: nowrap; }
.tbl-wrap td.num, .tbl-wrap th.num { text-align: right; font-variant-numeric: tabular-nums; }
.tbl-wrap tbody tr:nth-child(even) { background: #fafafa; }
.tbl-note { font-size: 12px; color: #666; margin: 2px 0 0 2px;
  font-family: Roboto, "Helvetica Neue", Arial, sans-serif; }
"""


def format_cell(value: Any, *, whole: bool = False) -> tuple[str, bool]:
    """Text of one cell and whether it is a number (right-aligned).

    ``whole``: the cell's column holds whole numbers only (e.g. counts stored as floats), so a
    float is shown like an integer, without decimals.

    Parameters
    ----------
    value : object
        The cell's value.
    whole : bool
        The cell's column holds whole numbers only (e.g. counts stored as floats), so a
        float is shown like an integer, without decimals.

    Returns
    -------
    tuple of (str, bool)
        The text and whether it is a number.
    """
    if value is None or value is pd.NaT:
        return "", False
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}", True
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "", True
        if math.isinf(v):
            return ("inf" if v > 0 else "-inf"), True
        if whole and v.is_integer():
            return f"{int(v):,}", True
        if v != 0 and abs(v) < 0.01:
            return f"{v:.2g}", True
        if v.is_integer() and abs(v) >= 1000:
            return f"{v:,.0f}", True
        return f"{v:,.2f}", True
    if isinstance(value, pd.Timestamp):
        return (value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)), False
    if value != value:  # other NaN-likes (pd.NA)
        return "", False
    return str(value), False


#: column name endings of shares or rates held as fractions (0..1)
FRACTION_SUFFIXES = ("_rate", "_share", "share_of_gap", "share", "target")


def percent_columns(df: pd.DataFrame | None, *, decimals: int = 1) -> pd.DataFrame | None:
    """Every share or rate column of ``df`` as a percentage named ``* %``.

    A share or rate is a fraction 0..1 named ``*_rate``, ``*_share``, ``*share_of_gap``,
    ``share`` or ``target``; so a page never shows 46.9 % beside a rate of 0.51 (issue 17).

    Parameters
    ----------
    df : pandas.DataFrame or None
        A table as the library returns it (None passes through).
    decimals : int
        Decimals kept in the percentages.

    Returns
    -------
    pandas.DataFrame or None
        A copy with those columns multiplied by 100, rounded, and renamed ``<name> %``
        (``delivered_pct`` columns are renamed ``delivered %``).
    """
    if df is None:
        return None
    out = df.copy()
    names = {}
    for c in out.columns:
        name = str(c)
        if name.endswith("_pct"):
            names[c] = f"{name[: -len('_pct')]} %"
        elif name.endswith(FRACTION_SUFFIXES) and pd.api.types.is_numeric_dtype(out[c].dtype):
            if pd.api.types.is_bool_dtype(out[c].dtype):
                continue
            out[c] = (out[c].astype("float64") * 100.0).round(decimals)
            names[c] = f"{name} %"
    return out.rename(columns=names)


def _whole_numbers(col: pd.Series) -> bool:
    """A float column whose finite values are all whole numbers (and no infinities).

    A float column whose finite values are all whole numbers (and that has no infinities):
    shown without decimals, so that a count column does not mix "2,541" and "981.00".
    """
    if not pd.api.types.is_float_dtype(col.dtype):
        return False
    v = col.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(v).any():
        return False
    v = v[~np.isnan(v)]
    return len(v) > 0 and bool(np.all(v == np.round(v)))


def html_table(
    df: pd.DataFrame | None, *, max_rows: int = MAX_ROWS, height: int = 320, fixed: bool = False
) -> str:
    """``df`` as an HTML table in a scrolling box (``height`` px at most); ``None`` draws nothing.

    ``fixed`` gives the box exactly ``height`` px, for tables redrawn on a change: a box that
    keeps its size does not make the browser lay out the whole app again.

    Column names are shown with underscores as spaces; cell text is escaped.

    Parameters
    ----------
    df : pandas.DataFrame or None
        The table.
    max_rows : int
        Rows shown at most.
    height : int
        Box height in pixels.
    fixed : bool
        Give the box exactly ``height`` pixels.

    Returns
    -------
    str
        HTML text.
    """
    box = f"height:{int(height) + 20}px" if fixed else ""
    if df is None:
        return f'<div style="{box}"></div>'
    n = len(df)
    if n == 0:
        return f'<div class="tbl-note" style="{box}">No rows.</div>'
    shown = df.iloc[:max_rows]
    cols = list(shown.columns)
    whole = [_whole_numbers(df.iloc[:, j]) for j in range(len(cols))]
    cells = [
        [format_cell(v, whole=w) for v, w in zip(row, whole, strict=True)]
        for row in shown.itertuples(index=False, name=None)
    ]
    numeric = [all(c[j][1] or c[j][0] == "" for c in cells) for j in range(len(cols))]
    head = "".join(
        f'<th class="{"num" if numeric[j] else ""}">{html.escape(str(c).replace("_", " "))}</th>'
        for j, c in enumerate(cols)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(t)}</td>' if num else f"<td>{html.escape(t)}</td>"
            for (t, num) in row
        )
        + "</tr>"
        for row in cells
    )
    note = (
        f'<div class="tbl-note">First {len(shown):,} of {n:,} rows.</div>'
        if n > len(shown)
        else f'<div class="tbl-note">{n:,} row{"s" if n != 1 else ""}.</div>'
    )
    size = f"height:{int(height)}px" if fixed else f"max-height:{int(height)}px"
    return (
        f'<div style="{box}"><div class="tbl-wrap" style="{size}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}</div>"
    )


class TableHTML(pn.pane.HTML):
    """An HTML pane whose redraw sends only the new text.

    Panel's markup panes send all their properties on an update; the first update then also
    re-sends the stylesheets, and a change of stylesheets makes Bokeh lay out the whole app
    again (profiled: the first LPA change took 1.9-2.2 s, the next ones 0.8-1.0 s).
    """

    def _update(self, ref, model) -> None:
        model.update(text=self._get_properties(model.document)["text"])


def table(
    obj: pd.DataFrame | Callable[[], pd.DataFrame | None] | None,
    *,
    max_rows: int = MAX_ROWS,
    height: int = 320,
    css_classes: list[str] | None = None,
    **kw,
) -> TableHTML:
    """A read-only table pane over a frame, a bound function or a ``param.depends`` method.

    A read-only table pane over a frame, a ``pn.bind``-ed function returning one, or a
    ``param.depends`` method returning one (each evaluated once per change).

    Parameters
    ----------
    obj : pandas.DataFrame, callable or None
        The frame, or what returns it (evaluated once per change).
    max_rows : int
        Rows shown at most.
    height : int
        Box height in pixels.
    css_classes : list of str, optional
        CSS classes of the pane.
    **kw
        Further :class:`TableHTML` parameters.

    Returns
    -------
    TableHTML
        The pane.
    """

    def render(df):
        return html_table(df, max_rows=max_rows, height=height, fixed=True)

    owner = getattr(obj, "__self__", None)
    if callable(obj) and isinstance(owner, param.Parameterized) and hasattr(obj, "_dinfo"):
        # a param.depends method: redraw when one of its parameters changes
        infos = owner.param.method_dependencies(obj.__name__)
        deps = [i.inst.param[i.name] for i in infos if i.inst is not None and i.what == "value"]
        content: Any = pn.bind(lambda *_: render(obj()), *deps)
    elif callable(obj):
        content = pn.bind(render, obj)  # a bound function is a reference: its value is passed
    else:
        content = html_table(obj, max_rows=max_rows, height=height)
    return TableHTML(
        content,
        stylesheets=[STYLESHEET],
        sizing_mode="stretch_width",
        css_classes=["tbl", *(css_classes or [])],
        **kw,
    )
