"""A tiny made-up force for the own-force tests: six 1 km square wards in two LPAs, and
police.uk street CSVs whose points fall in known wards (plus known bad rows)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import box

X0, Y0 = 455_000.0, 300_000.0
HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
#: ward code -> (column, row) of its 1 km square
WARDS = {
    "E05000001": (0, 0),
    "E05000002": (1, 0),
    "E05000003": (2, 0),
    "E05000004": (0, 1),
    "E05000005": (1, 1),
    "E05000006": (2, 1),
}
LPA_OF = {
    "E05000001": "E07000001",
    "E05000002": "E07000001",
    "E05000003": "E07000001",
    "E05000004": "E07000002",
    "E05000005": "E07000002",
    "E05000006": "E07000002",
}
SECTOR_OF = {
    "E05000001": "S1",
    "E05000002": "S1",
    "E05000003": "S2",
    "E05000004": "S3",
    "E05000005": "S3",
    "E05000006": "S3",
}


def ward_centre(code: str, dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
    c, r = WARDS[code]
    return X0 + 1000 * c + 500 + dx, Y0 + 1000 * r + 500 + dy


def wards_frame() -> gpd.GeoDataFrame:
    rows = []
    for code, (c, r) in WARDS.items():
        rows.append(
            {
                "WD22CD": code,
                "WD22NM": f"Ward {code[-1]}",
                "LAD_CD": LPA_OF[code],
                "SECTOR": SECTOR_OF[code],
                "geometry": box(
                    X0 + 1000 * c, Y0 + 1000 * r, X0 + 1000 * (c + 1), Y0 + 1000 * (r + 1)
                ),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:27700")


def write_street(
    path: Path, month: str, points: list[tuple[str, float | None, float | None]]
) -> None:
    """A police.uk street CSV: (crime type, x, y) in BNG (None = no coordinates)."""
    tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, (ctype, x, y) in enumerate(points):
            if x is None:
                lon = lat = ""
            else:
                lon, lat = (f"{v:.6f}" for v in tr.transform(x, y))
            cid = "" if ctype == "Anti-social behaviour" else f"{month}-{i:05d}"
            w.writerow(
                [
                    cid,
                    month,
                    "Test Police",
                    "Test Police",
                    lon,
                    lat,
                    "On or near X",
                    "",
                    "",
                    ctype,
                    "",
                    "",
                ]
            )


@dataclass
class Force:
    root: Path
    wards: Path
    months: Path

    #: what the months hold, per month: in-force points, outside points, no-coordinate rows
    IN = {"2024-01": 7, "2024-02": 5}
    OUT = {"2024-01": 1, "2024-02": 0}
    NOCOORD = {"2024-01": 1, "2024-02": 1}


def month_points(month: str) -> list[tuple[str, float | None, float | None]]:
    if month == "2024-01":
        pts = [
            ("Violence and sexual offences", *ward_centre("E05000001", dx=d)) for d in (0, 10, 20)
        ]
        pts += [("Robbery", *ward_centre("E05000002")), ("Burglary", *ward_centre("E05000004"))]
        pts += [("Anti-social behaviour", *ward_centre("E05000006"))] * 2
        pts += [("Robbery", X0 - 5000.0, Y0)]  # outside the force
        pts += [("Burglary", None, None)]
        return pts
    pts = [("Violence and sexual offences", *ward_centre("E05000005", dy=d)) for d in (0, 5)]
    pts += [("Shoplifting", *ward_centre("E05000003")), ("Drugs", *ward_centre("E05000003"))]
    pts += [("Anti-social behaviour", *ward_centre("E05000001"))]
    pts += [("Burglary", None, None)]
    return pts
