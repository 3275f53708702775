"""Property-based tests (hypothesis) of every reader: crime CSV, zip and API JSON, boundaries.

Each generated file is built from rows whose fate the generator knows (accepted, or rejected
for one stated reason), so every example is checked against exact expected values: the
lines accepted, each reject's line and reason, and ``read == accepted + rejected``. Nothing
may raise but :class:`planner.errors.PlannerError`.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from planner.errors import PlannerError
from planner.io.boundaries import read_layer, read_study_area
from planner.io.crime import load_crimes

TODAY = date(2026, 1, 15)
HEADER = ["Crime ID", "Month", "Longitude", "Latitude", "Location", "LSOA code", "Crime type"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: one defect per row -> the reason the loader must give (None: accepted)
DEFECTS = {
    "ok": None,
    "blank_coords": "missing coordinates",
    "bad_number": "unparseable number",
    "out_of_range": "coordinates out of range",
    "bad_type": "unknown crime type",
    "bad_month": "bad month",
    "future_month": "date in the future",
    "early_month": "date too early",
}
#: rows that break the CSV structure itself (all "malformed row")
STRUCTURAL = ("extra_field", "short_row", "stray_quote")

# free text for the Location field: commas, quotes, newlines and non-ASCII included
location_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    max_size=30,
)


@dataclass
class Row:
    kind: str
    location: str
    lon: float
    lat: float
    ctype: str


rows_strategy = st.lists(
    st.builds(
        Row,
        kind=st.sampled_from([*DEFECTS, *STRUCTURAL, "blank_line"]),
        location=location_text,
        lon=st.floats(-2.5, -1.0),
        lat=st.floats(52.0, 53.0),
        ctype=st.sampled_from(["Burglary", "Robbery", "Shoplifting", "Anti-social behaviour"]),
    ),
    max_size=25,
)


def _fields(i: int, r: Row) -> list[str]:
    month, lon, lat, ctype = "2025-06", repr(r.lon), repr(r.lat), r.ctype
    if r.kind == "blank_coords":
        lon = lat = ""
    elif r.kind == "bad_number":
        lon = "12o.5"
    elif r.kind == "out_of_range":
        lon = "150.25"
    elif r.kind == "bad_type":
        ctype = "Jaywalking"
    elif r.kind == "bad_month":
        month = "2025-13"
    elif r.kind == "future_month":
        month = "2099-01"
    elif r.kind == "early_month":
        month = "1971-01"
    return [f"id{i}", month, lon, lat, r.location, "E01000001", ctype]


def build_csv(rows: list[Row]) -> tuple[str, dict[int, str], list[int], int]:
    """(file text, {line: reason} of rejects, accepted lines, records read).

    CSV grammar cannot tell a stray quote from a quoted field that closes on a later line,
    so a file with a stray quote gets Location text without quotes or newlines (the reader
    then rejects the stray line alone and reads on).
    """
    if any(r.kind == "stray_quote" for r in rows):
        rows = [
            Row(r.kind, r.location.replace('"', "").replace("\n", " "), r.lon, r.lat, r.ctype)
            for r in rows
        ]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    line = 2
    expected: dict[int, str] = {}
    accepted: list[int] = []
    read = 0
    for i, r in enumerate(rows):
        start = out.tell()
        if r.kind == "blank_line":
            out.write("\n")
        elif r.kind == "extra_field":
            w.writerow([*_fields(i, r), "surplus"])
        elif r.kind == "short_row":
            w.writerow(_fields(i, r)[:3])
        elif r.kind == "stray_quote":
            # an opening quote that never closes, in the last field of its line
            out.write(",".join(f"id{i} 2025-06 -1.9 52.4 x E01000001".split()) + ',"Burglary\n')
        else:
            w.writerow(_fields(i, r))
        text = out.getvalue()[start:]
        if r.kind != "blank_line":
            read += 1
            reason = "malformed row" if r.kind in STRUCTURAL else DEFECTS[r.kind]
            if reason is None:
                accepted.append(line)
            else:
                expected[line] = reason
        line += text.count("\n")
    return out.getvalue(), expected, accepted, read


def check(res, expected: dict[int, str], accepted: list[int], read: int) -> None:
    assert res.read == read == res.accepted + res.rejected
    got = dict(zip(res.rejects["source_row"].astype(int), res.rejects["reason"]))
    assert got == expected
    assert res.crimes["source_row"].astype(int).tolist() == accepted


def _load(path: Path):
    try:
        return load_crimes(path, today=TODAY)
    except PlannerError:
        return None


@SETTINGS
@given(rows=rows_strategy)
def test_street_csv_every_row_accepted_or_rejected_for_its_reason(rows):
    text, expected, accepted, read = build_csv(rows)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "2025-06-test-street.csv"
        p.write_text(text, encoding="utf-8")
        res = load_crimes(p, today=TODAY)
    check(res, expected, accepted, read)
    # the accepted rows keep their text exactly (Location through quoting and newlines)
    if not any(r.kind == "stray_quote" for r in rows):
        want = dict(zip(_record_lines(rows), rows))
        for ln, loc in zip(res.crimes["source_row"], res.crimes["location"].fillna("")):
            assert loc == want[int(ln)].location.strip()


def _record_lines(rows: list[Row]) -> list[int]:
    """The physical line each generated row starts on (same arithmetic as build_csv)."""
    lines, line = [], 2
    for r in rows:
        lines.append(line)
        line += build_csv([r])[0].count("\n") - 1
    return lines


@SETTINGS
@given(rows=rows_strategy, gz=st.booleans())
def test_zip_and_gzip_give_the_same_rows_as_the_csv(rows, gz):
    import gzip

    text, expected, accepted, read = build_csv(rows)
    with tempfile.TemporaryDirectory() as d:
        if gz:
            p = Path(d) / "2025-06-test-street.csv.gz"
            p.write_bytes(gzip.compress(text.encode()))
        else:
            p = Path(d) / "2025-06.zip"
            with zipfile.ZipFile(p, "w") as z:
                z.writestr("2025-06/2025-06-test-street.csv", text)
                z.writestr("2025-06/2025-06-test-outcomes.csv", "ignored,columns\n1,2\n")
        res = load_crimes(p, today=TODAY)
    check(res, expected, accepted, read)


# ---- API JSON ------------------------------------------------------------------------------
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


@SETTINGS
@given(
    items=st.lists(
        st.one_of(
            st.tuples(st.just("rec"), st.sampled_from(list(DEFECTS)), st.floats(-2.5, -1.0)),
            st.tuples(st.just("junk"), junk, st.just(0.0)),
        ),
        max_size=20,
    )
)
def test_api_json_every_element_accepted_or_rejected(items):
    recs, expected, accepted = [], {}, []
    for i, (what, arg, lon) in enumerate(items, start=1):
        if what == "junk" and not isinstance(arg, dict):
            recs.append(arg)
            expected[i] = "malformed row"
            continue
        if what == "junk":  # an object with none of the fields: no month first
            recs.append(
                {k: v for k, v in arg.items() if k not in ("month", "location", "category")}
            )
            expected[i] = "bad month"
            continue
        f = _fields(i, Row(arg, "Main St", lon, 52.5, "Burglary"))
        cat = {"Burglary": "burglary", "Jaywalking": "jaywalking"}[f[6]]
        recs.append(
            {
                "category": cat,
                "persistent_id": f[0],
                "month": f[1],
                "location": {"longitude": f[2], "latitude": f[3], "street": {"name": f[4]}},
            }
        )
        if DEFECTS[arg] is None:
            accepted.append(i)
        else:
            expected[i] = DEFECTS[arg]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "api.json"
        p.write_text(json.dumps(recs))
        res = load_crimes(p, today=TODAY)
    check(res, expected, accepted, len(items))


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".json", ".zip", ".csv.gz"]))
def test_arbitrary_bytes_never_a_traceback(data, suffix):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"2025-06-x-street{suffix}"
        p.write_bytes(data)
        res = _load(p)
    if res is not None:
        assert res.read == res.accepted + res.rejected


# ---- boundaries ------------------------------------------------------------------------------
@SETTINGS
@given(
    shapes=st.lists(
        st.tuples(
            st.sampled_from(["box", "bowtie", "empty"]),
            st.floats(100, 900),
            st.floats(100, 900),
        ),
        min_size=1,
        max_size=8,
    ),
    fmt=st.sampled_from([".gpkg", ".geojson", ".parquet"]),
)
def test_boundary_layers_repairs_reported_and_area_exact(shapes, fmt):
    geoms, area, repaired, dropped = [], 0.0, [], []
    for i, (kind, w, h) in enumerate(shapes):
        x0, y0 = 400_000 + 1000 * i, 280_000  # one cell each: no overlaps
        if kind == "box":
            geoms.append(box(x0, y0, x0 + w, y0 + h))
            area += w * h
        elif kind == "bowtie":
            geoms.append(Polygon([(x0, y0), (x0 + w, y0 + h), (x0 + w, y0), (x0, y0 + h)]))
            area += w * h / 2  # two triangles meeting at the centre
            repaired.append(i + 1)
        else:
            geoms.append(Polygon())
            dropped.append(i + 1)
    gdf = gpd.GeoDataFrame(
        {"name": [f"s{i}" for i in range(len(geoms))]}, geometry=geoms, crs=27700
    )
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"force{fmt}"
        if fmt == ".parquet":
            gdf.to_parquet(p)
        else:
            gdf.to_file(p, engine="pyogrio")
        if len(dropped) == len(shapes):
            with pytest.raises(PlannerError):
                read_study_area(p)
            return
        layer, rep = read_layer(p)
        geom, rep2 = read_study_area(p)
    assert rep.repaired == repaired and rep2.repaired == repaired
    assert rep.dropped_empty == dropped
    assert len(layer) == len(shapes) - len(dropped)
    assert shapely.is_valid(layer.geometry).all()
    assert geom.area == pytest.approx(area, rel=1e-9)
    if repaired:
        assert f"{len(repaired)} invalid geometr" in rep.message()
