"""Property-based test (hypothesis) of the GPS ping reader: each generated row's fate is known
(accepted, or rejected for one stated reason) and checked exactly; counts reconcile."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.io.pings import R_IMPLAUSIBLE, load_pings

#: one defect per row -> the reason (None: accepted)
DEFECTS = {
    "ok": None,
    "no_officer": "missing officer",
    "no_time": "missing timestamp",
    "bad_time": "unparseable timestamp",
    "epoch": R_IMPLAUSIBLE,
    "far_future": R_IMPLAUSIBLE,
    "no_lon": "missing longitude",
    "bad_lat": "unparseable latitude",
    "lon_range": "longitude out of range",
}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(list(DEFECTS)),
            st.integers(0, 86_399),
            st.floats(-2.0, -1.8),
            st.floats(52.4, 52.6),
        ),
        max_size=25,
    )
)
def test_every_ping_accepted_or_rejected_for_its_reason(rows):
    lines = ["officer_id,timestamp,longitude,latitude"]
    expected: dict[int, str] = {}
    accepted: list[int] = []
    for i, (kind, sec, lon, lat) in enumerate(rows):
        h, m, s = sec // 3600, sec // 60 % 60, sec % 60
        off, ts, x, y = "PC1", f"2025-06-02T{h:02d}:{m:02d}:{s:02d}+01:00", repr(lon), repr(lat)
        if kind == "no_officer":
            off = ""
        elif kind == "no_time":
            ts = ""
        elif kind == "bad_time":
            ts = "half past ten"
        elif kind == "epoch":
            ts = "1970-01-01T00:00:00Z"
        elif kind == "far_future":
            ts = "2150-01-01T00:00:00Z"
        elif kind == "no_lon":
            x = ""
        elif kind == "bad_lat":
            y = "52,4x"
        elif kind == "lon_range":
            x = "181.5"
        lines.append(",".join([off, ts, x, f'"{y}"' if "," in y else y]))
        line = i + 2
        if DEFECTS[kind] is None:
            accepted.append(line)
        else:
            expected[line] = DEFECTS[kind]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "pings.csv"
        p.write_text("\n".join(lines) + "\n")
        res = load_pings(p, progress=False)
    assert res.read == len(rows) == res.accepted + res.rejected
    got = dict(zip(res.rejects["source_row"].astype(int), res.rejects["reason"]))
    assert got == expected
    assert sorted(res.pings["source_row"].astype(int)) == accepted
