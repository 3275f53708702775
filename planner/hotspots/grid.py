"""Square and hexagonal grids clipped to a study area, and fast point-to-cell assignment.

A :class:`Grid` is a regular lattice (aligned to multiples of the cell size in British National
Grid metres, so the same cell has the same id in every run) of which only the cells that
intersect the study-area polygon are kept; each kept cell carries its geometry clipped to the
polygon and its clipped area. Points are assigned to cells by integer arithmetic (floor for
squares, cube rounding for hexagons) and a lookup table, never by a spatial join per point.

Hexagons are "pointy-top"; ``cell`` is the distance between the centres of horizontally
adjacent hexagons (the flat-to-flat width), so a hexagon has area ``sqrt(3)/2 * cell**2``.

Examples
--------
>>> from shapely import box
>>> g = make_grid(box(0, 0, 300, 200), 100)
>>> g.n, g.locate([50.0, 250.0, 999.0], [50.0, 150.0, 0.0]).tolist()
(6, [0, 5, -1])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from shapely.geometry.base import BaseGeometry

from planner.crs import BNG
from planner.errors import PlannerError

SQRT3 = float(np.sqrt(3.0))
#: axial neighbour offsets of a hexagon (q, r)
HEX_OFFSETS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))


@dataclass
class Grid:
    """A lattice of cells clipped to a study area.

    Attributes
    ----------
    kind : str
        ``"square"`` or ``"hex"``.
    cell : float
        Cell size in metres (side of a square; centre spacing of hexagons).
    x0, y0 : float
        Lattice origin (metres, EPSG:27700).
    nx, ny : int
        Lattice columns and rows covering the study area's bounding box.
    ids : numpy.ndarray
        Flat lattice index (``row * nx + col``) of each kept cell, ascending.
    geometry : numpy.ndarray
        Clipped cell polygons (shapely geometries).
    area : numpy.ndarray
        Clipped cell areas in square metres.
    boundary : shapely geometry or None
        The study area the cells were clipped to.
    """

    kind: str
    cell: float
    x0: float
    y0: float
    nx: int
    ny: int
    ids: np.ndarray
    geometry: np.ndarray
    area: np.ndarray
    boundary: object = field(repr=False, default=None)
    _lut: np.ndarray | None = field(repr=False, default=None)

    # ---- basic properties --------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of kept cells."""
        return len(self.ids)

    @property
    def rows(self) -> np.ndarray:
        """Lattice row of each kept cell."""
        return self.ids // self.nx

    @property
    def cols(self) -> np.ndarray:
        """Lattice column of each kept cell."""
        return self.ids % self.nx

    @property
    def cell_area(self) -> float:
        """Area of a whole (unclipped) cell."""
        return self.cell**2 if self.kind == "square" else SQRT3 / 2 * self.cell**2

    @property
    def total_area(self) -> float:
        """Clipped area of all kept cells in square metres (the study area's area)."""
        return float(self.area.sum())

    @property
    def lut(self) -> np.ndarray:
        """Lattice index -> position in the kept cells (-1 when not kept)."""
        if self._lut is None:
            lut = np.full(self.nx * self.ny, -1, dtype=np.int64)
            lut[self.ids] = np.arange(self.n)
            self._lut = lut
        return self._lut

    def centres(
        self, rows: np.ndarray | None = None, cols: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Centres (x, y) of whole cells (kept cells by default).

        Parameters
        ----------
        rows, cols : numpy.ndarray, optional
            Lattice rows and columns; default those of the kept cells.

        Returns
        -------
        tuple of numpy.ndarray
            ``(x, y)`` in metres.

        Examples
        --------
        >>> from shapely import box
        >>> x, y = make_grid(box(0, 0, 200, 100), 100).centres()
        >>> x.tolist(), y.tolist()
        ([50.0, 150.0], [50.0, 50.0])
        """
        rows = self.rows if rows is None else rows
        cols = self.cols if cols is None else cols
        if self.kind == "square":
            return self.x0 + (cols + 0.5) * self.cell, self.y0 + (rows + 0.5) * self.cell
        s = self.cell / SQRT3
        # odd-r offset layout: odd rows shifted right by half a cell
        x = self.x0 + (cols + 0.5 * (rows & 1)) * self.cell
        y = self.y0 + rows * 1.5 * s
        return x, y

    # ---- point assignment ---------------------------------------------------------------
    def lattice_index(self, x, y) -> np.ndarray:
        """Flat lattice index of each point (-1 outside the lattice).

        Parameters
        ----------
        x, y : array_like
            Point coordinates in metres (EPSG:27700).

        Returns
        -------
        numpy.ndarray
            ``row * nx + col`` per point, -1 outside the lattice or for non-finite coordinates.
        """
        x = np.asarray(x, dtype="float64")
        y = np.asarray(y, dtype="float64")
        if self.kind == "square":
            col = np.floor((x - self.x0) / self.cell).astype(np.int64)
            row = np.floor((y - self.y0) / self.cell).astype(np.int64)
        else:
            row, col = _hex_round(x - self.x0, y - self.y0, self.cell)
        ok = (
            (col >= 0)
            & (col < self.nx)
            & (row >= 0)
            & (row < self.ny)
            & np.isfinite(x)
            & np.isfinite(y)
        )
        return np.where(ok, row * self.nx + col, -1)

    def locate(self, x, y) -> np.ndarray:
        """Position (0..n-1) of the kept cell holding each point, -1 for none.

        Points in the part of an edge cell clipped away are still given that cell (crime
        loaders clip points to the study area first).

        Parameters
        ----------
        x, y : array_like
            Point coordinates in metres (EPSG:27700).

        Returns
        -------
        numpy.ndarray
            Kept-cell position per point (int64).
        """
        li = self.lattice_index(x, y)
        return np.where(li >= 0, self.lut[np.clip(li, 0, None)], -1)

    def aggregate(self, x, y, weights=None) -> np.ndarray:
        """Sum ``weights`` (default 1) per kept cell.

        Parameters
        ----------
        x, y : array_like
            Point coordinates in metres.
        weights : array_like, optional
            One weight per point (e.g. harm); default counts points.

        Returns
        -------
        numpy.ndarray
            float64 totals, one per kept cell; points outside every kept cell are dropped.

        Examples
        --------
        >>> from shapely import box
        >>> g = make_grid(box(0, 0, 200, 100), 100)
        >>> g.aggregate([10.0, 20.0, 150.0], [10.0, 20.0, 50.0], weights=[1.0, 2.0, 5.0]).tolist()
        [3.0, 5.0]
        """
        pos = self.locate(x, y)
        ok = pos >= 0
        w = None if weights is None else np.asarray(weights, dtype="float64")[ok]
        return np.bincount(pos[ok], weights=w, minlength=self.n).astype("float64")

    # ---- neighbours -------------------------------------------------------------------
    def neighbours(
        self, kind: str = "queen", distance: float | None = None, *, self_weight: bool = True
    ) -> sparse.csr_matrix:
        """Binary spatial weights between kept cells as a sparse CSR matrix.

        Parameters
        ----------
        kind : str
            ``"queen"``: cells sharing an edge or corner (8 for squares, 6 for hexagons);
            ``"distance"``: cells whose centres are within ``distance`` metres.
        distance : float, optional
            The distance band in metres (``kind="distance"`` only).
        self_weight : bool
            Put 1 on the diagonal (as Gi* needs).

        Returns
        -------
        scipy.sparse.csr_matrix
            n x n matrix of 0/1 weights.

        Raises
        ------
        PlannerError
            For an unknown rule or a missing distance.

        Examples
        --------
        >>> from shapely import box
        >>> w = make_grid(box(0, 0, 300, 300), 100).neighbours()
        >>> w.toarray().sum(axis=1).tolist()  # a corner cell: itself and 3 neighbours
        [4.0, 6.0, 4.0, 6.0, 9.0, 6.0, 4.0, 6.0, 4.0]
        """
        if kind == "queen":
            if self.kind == "square":
                offs = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
                pairs = [self._offset_pairs(dr, dc) for dr, dc in offs]
            else:
                pairs = [self._hex_pairs(dq, dr) for dq, dr in HEX_OFFSETS]
            i = np.concatenate([p[0] for p in pairs])
            j = np.concatenate([p[1] for p in pairs])
        elif kind == "distance":
            if distance is None or distance <= 0:
                raise PlannerError("distance-band neighbours need a positive --distance in metres")
            from scipy.spatial import cKDTree

            x, y = self.centres()
            tree = cKDTree(np.column_stack([x, y]))
            pr = tree.query_pairs(distance * (1 + 1e-9), output_type="ndarray")
            i = np.concatenate([pr[:, 0], pr[:, 1]])
            j = np.concatenate([pr[:, 1], pr[:, 0]])
        else:
            raise PlannerError(f"unknown neighbour rule '{kind}'; use 'queen' or 'distance'")
        if self_weight:
            i = np.concatenate([i, np.arange(self.n)])
            j = np.concatenate([j, np.arange(self.n)])
        w = sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(self.n, self.n))
        w.sum_duplicates()
        w.data[:] = 1.0
        return w

    def _offset_pairs(self, dr: int, dc: int) -> tuple[np.ndarray, np.ndarray]:
        r, c = self.rows + dr, self.cols + dc
        ok = (r >= 0) & (r < self.ny) & (c >= 0) & (c < self.nx)
        src = np.flatnonzero(ok)
        dst = self.lut[r[ok] * self.nx + c[ok]]
        keep = dst >= 0
        return src[keep], dst[keep]

    def _hex_pairs(self, dq: int, dr: int) -> tuple[np.ndarray, np.ndarray]:
        row, col = self.rows, self.cols
        q = col - (row - (row & 1)) // 2
        r2 = row + dr
        q2 = q + dq
        c2 = q2 + (r2 - (r2 & 1)) // 2
        ok = (r2 >= 0) & (r2 < self.ny) & (c2 >= 0) & (c2 < self.nx)
        src = np.flatnonzero(ok)
        dst = self.lut[r2[ok] * self.nx + c2[ok]]
        keep = dst >= 0
        return src[keep], dst[keep]

    # ---- output -----------------------------------------------------------------------
    def to_frame(self, **columns) -> gpd.GeoDataFrame:
        """Return the kept cells as a GeoDataFrame.

        Parameters
        ----------
        **columns : array_like
            Extra columns, one value per kept cell (e.g. ``count=...``).

        Returns
        -------
        geopandas.GeoDataFrame
            ``cell_id``, ``x``, ``y``, ``area_m2``, the extra columns and the clipped geometry
            (EPSG:27700).
        """
        x, y = self.centres()
        df = pd.DataFrame({"cell_id": self.ids, "x": x, "y": y, "area_m2": self.area})
        for k, v in columns.items():
            df[k] = np.asarray(v)
        return gpd.GeoDataFrame(df, geometry=self.geometry, crs=BNG)

    def subset(self, mask: np.ndarray) -> Grid:
        """Return a grid holding only the kept cells selected by ``mask`` (same lattice).

        Parameters
        ----------
        mask : numpy.ndarray
            Boolean, one per kept cell.

        Returns
        -------
        Grid
            The selected cells; their ids keep their lattice positions.
        """
        mask = np.asarray(mask, dtype=bool)
        return Grid(
            self.kind,
            self.cell,
            self.x0,
            self.y0,
            self.nx,
            self.ny,
            self.ids[mask],
            self.geometry[mask],
            self.area[mask],
            self.boundary,
        )


def _hex_round(x: np.ndarray, y: np.ndarray, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Odd-r offset (row, col) of the pointy-top hexagon holding each point (cube rounding)."""
    s = cell / SQRT3
    qf = (SQRT3 / 3 * x - y / 3) / s
    rf = (2.0 / 3.0 * y) / s
    xf, zf = qf, rf
    yf = -xf - zf
    rx, ry, rz = np.round(xf), np.round(yf), np.round(zf)
    dx, dy, dz = np.abs(rx - xf), np.abs(ry - yf), np.abs(rz - zf)
    fix_x = (dx > dy) & (dx > dz)
    fix_y = ~fix_x & (dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    ry = np.where(fix_y, -rx - rz, ry)
    rz = np.where(~fix_x & ~fix_y, -rx - ry, rz)
    q = rx.astype(np.int64)
    r = rz.astype(np.int64)
    col = q + (r - (r & 1)) // 2
    return r, col


def _as_polygon(boundary) -> BaseGeometry:
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is not None and boundary.crs.to_epsg() != 27700:
            boundary = boundary.to_crs(BNG)
        boundary = (
            boundary.geometry.union_all()
            if isinstance(boundary, gpd.GeoDataFrame)
            else boundary.union_all()
        )
    if boundary is None or shapely.is_empty(boundary):
        raise PlannerError("the study area is empty")
    if not isinstance(boundary, shapely.Polygon | shapely.MultiPolygon):
        boundary = shapely.make_valid(boundary)
    return boundary


def make_grid(boundary, cell: float, kind: str = "square", *, clip: bool = True) -> Grid:
    """Make cells of size ``cell`` metres intersecting ``boundary``, clipped to it.

    Parameters
    ----------
    boundary : shapely geometry, geopandas.GeoDataFrame or geopandas.GeoSeries
        The study area in EPSG:27700 (a frame or series is reprojected and dissolved).
    cell : float
        Cell size in metres (square side or hexagon centre spacing).
    kind : str
        ``"square"`` or ``"hex"``.
    clip : bool
        Clip edge cells to the boundary (default). ``False`` keeps whole cells (faster;
        enough when only the cell values matter, e.g. Gi* eligibility).

    Returns
    -------
    Grid
        The kept cells, ids ascending.

    Raises
    ------
    PlannerError
        For a non-positive cell, an unknown kind, an empty area or too many cells.

    Examples
    --------
    >>> from shapely import box
    >>> g = make_grid(box(0, 0, 250, 100), 100)
    >>> g.n, g.area.tolist()
    (3, [10000.0, 10000.0, 5000.0])
    """
    if not cell or cell <= 0:
        raise PlannerError(f"cell size must be a positive number of metres, not {cell}")
    if kind not in ("square", "hex"):
        raise PlannerError(f"unknown grid kind '{kind}'; use 'square' or 'hex'")
    poly = _as_polygon(boundary)
    minx, miny, maxx, maxy = poly.bounds
    if kind == "square":
        x0 = np.floor(minx / cell) * cell
        y0 = np.floor(miny / cell) * cell
        nx = int(np.ceil((maxx - x0) / cell)) or 1
        ny = int(np.ceil((maxy - y0) / cell)) or 1
    else:
        s = cell / SQRT3
        x0 = np.floor(minx / cell) * cell - cell
        y0 = np.floor(miny / (1.5 * s)) * 1.5 * s - 1.5 * s
        nx = int(np.ceil((maxx - x0) / cell)) + 2
        ny = int(np.ceil((maxy - y0) / (1.5 * s))) + 2
    if nx * ny > 50_000_000:
        raise PlannerError(
            f"a {cell} m grid over this area has {nx * ny:,} cells; use a larger cell"
        )
    shapely.prepare(poly)
    ids_all = np.arange(nx * ny, dtype=np.int64)
    g = Grid(
        kind,
        float(cell),
        float(x0),
        float(y0),
        nx,
        ny,
        ids_all,
        np.empty(0, object),
        np.empty(0),
        poly,
    )
    # cheap pre-filter: lattice cells whose bounding box meets the polygon's parts' boxes
    cells = _cell_polygons(g, ids_all // nx, ids_all % nx)
    hit = shapely.intersects(poly, cells)
    ids = ids_all[hit]
    cells = cells[hit]
    if not clip:
        return Grid(
            kind, float(cell), float(x0), float(y0), nx, ny, ids, cells, shapely.area(cells), poly
        )
    inside = shapely.contains_properly(poly, cells)
    geoms = cells.copy()
    edge = np.flatnonzero(~inside)
    if len(edge):
        geoms[edge] = _clip_edge_cells(g, ids[edge], cells[edge], poly)
    area = shapely.area(geoms)
    keep = area > 0
    return Grid(
        kind, float(cell), float(x0), float(y0), nx, ny, ids[keep], geoms[keep], area[keep], poly
    )


#: edge cells are clipped against the boundary cut into tiles of about this size (metres):
#: clipping a small cell against a 50,000-vertex force outline is the slow step otherwise
CLIP_TILE_M = 2000.0


def lattice_grid(boundary, cell: float) -> Grid:
    """Make square cells whose centre lies inside ``boundary``, without geometry.

    ``geometry`` holds None and ``area`` the whole-cell area: the cheap grid for values-only
    work such as Gi* eligibility on a large area.

    Parameters
    ----------
    boundary : shapely geometry, geopandas.GeoDataFrame or geopandas.GeoSeries
        The study area in EPSG:27700.
    cell : float
        Cell side in metres.

    Returns
    -------
    Grid
        The cells whose centres are inside the boundary.
    """
    poly = _as_polygon(boundary)
    minx, miny, maxx, maxy = poly.bounds
    x0 = np.floor(minx / cell) * cell
    y0 = np.floor(miny / cell) * cell
    nx = int(np.ceil((maxx - x0) / cell)) or 1
    ny = int(np.ceil((maxy - y0) / cell)) or 1
    ids = np.arange(nx * ny, dtype=np.int64)
    g = Grid(
        "square",
        float(cell),
        float(x0),
        float(y0),
        nx,
        ny,
        ids,
        np.empty(0, object),
        np.empty(0),
        poly,
    )
    cx, cy = g.centres()
    shapely.prepare(poly)
    keep = shapely.contains_xy(poly, cx, cy)
    n = int(keep.sum())
    return Grid(
        "square",
        float(cell),
        float(x0),
        float(y0),
        nx,
        ny,
        ids[keep],
        np.full(n, None, dtype=object),
        np.full(n, cell * cell),
        poly,
    )


def _clip_edge_cells(g: Grid, ids: np.ndarray, cells: np.ndarray, poly) -> np.ndarray:
    """Intersect each edge cell with ``poly``, against a local piece of ``poly``.

    The piece is the polygon cut to the cell's tile widened by one cell, which contains the cell.
    """
    tile = max(CLIP_TILE_M, 4 * g.cell)
    x, y = g.centres(ids // g.nx, ids % g.nx)
    tx = np.floor((x - g.x0) / tile).astype(np.int64)
    ty = np.floor((y - g.y0) / tile).astype(np.int64)
    key = ty * (int(np.ceil(g.nx * g.cell / tile)) + 2) + tx
    uk, inv = np.unique(key, return_inverse=True)
    first = np.unique(inv, return_index=True)[1]
    m = g.cell
    bx0 = g.x0 + tx[first] * tile - m
    by0 = g.y0 + ty[first] * tile - m
    pieces = shapely.intersection(
        poly, shapely.box(bx0, by0, bx0 + tile + 2 * m, by0 + tile + 2 * m)
    )
    return shapely.intersection(cells, pieces[inv])


def _cell_polygons(g: Grid, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    x, y = g.centres(rows, cols)
    if g.kind == "square":
        h = g.cell / 2
        return np.asarray(shapely.box(x - h, y - h, x + h, y + h))
    s = g.cell / SQRT3
    ang = np.deg2rad(30 + 60 * np.arange(7))  # pointy-top: vertices at 30, 90, ... degrees
    cx = x[:, None] + s * np.cos(ang)[None, :]
    cy = y[:, None] + s * np.sin(ang)[None, :]
    return np.asarray(shapely.polygons(np.stack([cx, cy], axis=-1)))


def filter_crimes(
    crimes: gpd.GeoDataFrame, types=None, start: str | None = None, end: str | None = None
) -> gpd.GeoDataFrame:
    """Select the crimes of some types in a month range.

    Parameters
    ----------
    crimes : geopandas.GeoDataFrame
        A canonical crime table.
    types : iterable of str, optional
        Crime types to keep; default all.
    start, end : str, optional
        First and last month, "YYYY-MM" (inclusive); default open.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows (``crimes`` itself when every row matches).
    """
    m = np.ones(len(crimes), dtype=bool)
    if types:
        m &= crimes["crime_type"].isin(list(types)).to_numpy()
    if start:
        m &= (crimes["month"] >= str(start)[:7]).to_numpy(dtype=bool, na_value=False)
    if end:
        m &= (crimes["month"] <= str(end)[:7]).to_numpy(dtype=bool, na_value=False)
    return crimes if m.all() else crimes.loc[m]


def month_steps(month: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Month index of each row and the gap-free list of months.

    Factorises the strings, so it is fast for millions of rows.

    Parameters
    ----------
    month : pandas.Series
        "YYYY-MM" strings.

    Returns
    -------
    tuple of (numpy.ndarray, list of str)
        Month index per row (0 = the first month) and the months from the first to the last.

    Examples
    --------
    >>> import pandas as pd
    >>> steps, months = month_steps(pd.Series(["2025-03", "2025-01", "2025-03"]))
    >>> steps.tolist(), months
    ([2, 0, 2], ['2025-01', '2025-02', '2025-03'])
    """
    codes, uniq = pd.factorize(month.astype("string"), sort=True)
    if len(uniq) == 0:
        return codes.astype(np.int64), []
    u = pd.Series(uniq, dtype="string")
    yy = u.str[:4].astype("int64").to_numpy()
    mm = u.str[5:7].astype("int64").to_numpy()
    abs_m = yy * 12 + (mm - 1)
    lo = abs_m.min()
    n = int(abs_m.max() - lo + 1)
    months = [f"{(lo + k) // 12:04d}-{(lo + k) % 12 + 1:02d}" for k in range(n)]
    return (abs_m - lo)[codes].astype(np.int64), months


def xy(crimes: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Point coordinates of a crime table as float arrays.

    Parameters
    ----------
    crimes : geopandas.GeoDataFrame
        Point geometries.

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y)``.
    """
    g = crimes.geometry.to_numpy()
    return shapely.get_x(g), shapely.get_y(g)


def cell_totals(
    grid: Grid,
    crimes: gpd.GeoDataFrame,
    types=None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Total the crimes per kept cell: ``count``, ``harm`` and ``knife`` (knife-proxy weight).

    Parameters
    ----------
    grid : Grid
        The cells.
    crimes : geopandas.GeoDataFrame
        A canonical crime table (EPSG:27700 points, ``harm``, ``knife_weight``).
    types : iterable of str, optional
        Crime types to count; default all.
    start, end : str, optional
        Month range "YYYY-MM" (inclusive).

    Returns
    -------
    pandas.DataFrame
        One row per kept cell: ``count`` (int64), ``harm`` and ``knife`` (float64).
    """
    c = filter_crimes(crimes, types, start, end)
    x, y = xy(c)
    pos = grid.locate(x, y)
    ok = pos >= 0
    p = pos[ok]

    def agg(w=None):
        return np.bincount(
            p, weights=None if w is None else np.asarray(w, dtype="float64")[ok], minlength=grid.n
        )

    return pd.DataFrame(
        {
            "count": agg().astype("int64"),
            "harm": agg(c["harm"].to_numpy(dtype="float64", na_value=0.0)),
            "knife": agg(c["knife_weight"].to_numpy(dtype="float64", na_value=0.0)),
        }
    )
