"""Reference page for the browser timings: a bare Panel page with two small HoloViews figures.

Run as ``python baseline_app.py PORT``. Served in its own process, like the app
(``planner serve``), so that both are measured the same way.
"""

from __future__ import annotations

import sys

import holoviews as hv
import panel as pn

hv.extension("bokeh", logo=False)


def baseline():
    return pn.Column(hv.Curve([1, 3, 2]), hv.Bars([("a", 1), ("b", 2)]))


if __name__ == "__main__":
    pn.serve({"baseline": baseline}, port=int(sys.argv[1]), address="127.0.0.1", show=False)
