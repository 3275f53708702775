"""Kernel density on a grid: quartic kernel by binning and FFT convolution.

The quartic (biweight) kernel used by crime analysts (Chainey; sfhotspot ``hotspot_kde``) is

    K(d) = 3 / (pi h**2) * (1 - d**2 / h**2)**2   for d < h, else 0,

which integrates to 1, so the density is "weighted crimes per square metre" (returned per
square kilometre).

Two fast paths, chosen automatically (``KDEConfig.method``):

* **snap binning (square grids, few distinct locations)**: police.uk points are anonymised to
  snap points, so a month of 25,000 crimes sits on about 11,000 distinct locations and two years
  of the demo's 700,000 on about 15,000. The points are binned exactly onto those locations
  (:func:`snap_bin`, 1 cm lattice) and the kernel is summed from each location to the cell
  centres within the bandwidth (a small stencil, one ``bincount``). The result equals exact
  summation up to the 1 cm binning (measured: 2e-5 of the peak); it is used when the distinct locations
  number at most ``snap_max_fraction`` of the points.
* **fine-raster binning** otherwise (e.g. force extracts with exact locations, and hexagons):
  the fast path bins the points linearly (each point's weight shared
between the four nearest pixel centres) into a fine raster of ``cell / oversample`` pixels
aligned with the grid, convolves it with the kernel sampled at pixel offsets
(FFT convolution) and reads the value at each cell centre (bilinear
interpolation for hexagons, whose centres are not pixel centres). Its error is second order in
the pixel size; :func:`kde_exact` sums the kernel over every point and is used to measure that error
(tests and ``benchmarks/bench_hotspots.py``). scikit-learn has no quartic kernel; the same
fast path with ``kernel="epanechnikov"`` is checked against ``sklearn.neighbors.KernelDensity``.

Default bandwidth rule: ``KDEConfig.bandwidth_cells`` (2) times the cell size. A bandwidth
below the cell size raises :class:`~planner.errors.PlannerError`.
"""

from __future__ import annotations

import numpy as np

from planner.errors import PlannerError
from planner.hotspots.config import KDEConfig

PER_KM2 = 1e6


def kernel_values(d: np.ndarray, h: float, kernel: str = "quartic") -> np.ndarray:
    """Evaluate a normalised 2-D kernel at distances ``d`` (per square metre).

    Parameters
    ----------
    d : numpy.ndarray
        Distances in metres.
    h : float
        Bandwidth (kernel radius) in metres.
    kernel : str
        ``"quartic"``, ``"epanechnikov"`` or ``"tophat"``.

    Returns
    -------
    numpy.ndarray
        Kernel values; 0 at and beyond ``h``. Each kernel integrates to 1 over the plane.

    Raises
    ------
    PlannerError
        For an unknown kernel.

    Examples
    --------
    >>> import numpy as np
    >>> (kernel_values(np.array([0.0, 50.0, 100.0]), 100.0) * np.pi * 100**2 / 3).round(4).tolist()
    [1.0, 0.5625, 0.0]
    """
    u2 = (np.asarray(d, dtype="float64") / h) ** 2
    inside = u2 < 1.0
    if kernel == "quartic":
        k = 3.0 / (np.pi * h * h) * (1.0 - u2) ** 2
    elif kernel == "epanechnikov":
        k = 2.0 / (np.pi * h * h) * (1.0 - u2)
    elif kernel == "tophat":
        k = np.full_like(u2, 1.0 / (np.pi * h * h))
    else:
        raise PlannerError(f"unknown kernel '{kernel}'; use quartic, epanechnikov or tophat")
    return np.where(inside, k, 0.0)


def resolve_bandwidth(cell: float, config: KDEConfig | None = None) -> float:
    """Return the bandwidth in metres: ``config.bandwidth`` or the default rule.

    Parameters
    ----------
    cell : float
        Cell size in metres.
    config : KDEConfig, optional
        ``bandwidth`` (metres) or ``bandwidth_cells`` (default 2 cells).

    Returns
    -------
    float
        The bandwidth, never below one cell.

    Raises
    ------
    PlannerError
        When the bandwidth is below the cell size.

    Examples
    --------
    >>> resolve_bandwidth(250.0)
    500.0
    """
    config = config or KDEConfig()
    h = config.bandwidth if config.bandwidth is not None else config.bandwidth_cells * cell
    if h < cell:
        raise PlannerError(
            f"KDE bandwidth {h:g} m is below the cell size {cell:g} m; use a bandwidth of at least one cell"
        )
    return float(h)


def kde_grid(
    grid, x, y, weights=None, config: KDEConfig | None = None, *, kernel: str = "quartic"
) -> np.ndarray:
    """Kernel density (weighted points per km²) at the centre of every kept cell of ``grid``.

    Parameters
    ----------
    grid : Grid
        Square or hexagonal cells (:class:`~planner.hotspots.grid.Grid`).
    x, y : array_like
        Point coordinates (EPSG:27700 metres).
    weights : array_like, optional
        Per-point weights (e.g. harm); default 1 (counts).
    config : KDEConfig, optional
        Bandwidth, oversampling and method.
    kernel : str
        ``"quartic"`` (default), ``"epanechnikov"`` or ``"tophat"``.

    Returns
    -------
    numpy.ndarray
        Density per kept cell, weighted points per km².

    Raises
    ------
    PlannerError
        For a bandwidth below the cell size or an even oversampling factor.

    Examples
    --------
    One point at the centre of a 100 m cell, bandwidth 200 m: the quartic peak is
    ``3 / (pi h**2)`` per m², 23.87 per km²:

    >>> from shapely import box
    >>> from planner.hotspots.grid import make_grid
    >>> g = make_grid(box(0, 0, 500, 500), 100)
    >>> round(float(kde_grid(g, [250.0], [250.0]).max()), 2)
    23.87
    """
    config = config or KDEConfig()
    h = resolve_bandwidth(grid.cell, config)
    k = int(config.oversample)
    if k < 1 or k % 2 == 0:
        raise PlannerError(f"KDE oversample must be an odd positive integer, not {k}")
    f = grid.cell / k
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    if grid.kind == "square" and config.method in ("auto", "snap"):
        ux, uy, uw = snap_bin(x, y, w, config.snap_resolution)
        if config.method == "snap" or len(ux) <= config.snap_max_fraction * len(x):
            return square_snap_density(grid, ux, uy, uw, h, kernel)
    if grid.kind == "square" and _direct_taps(h, grid.cell, k) <= config.direct_max_taps:
        return _kde_square_direct(grid, x, y, w, h, k, kernel)
    # raster covering the lattice plus one bandwidth of margin
    cx, cy = grid.centres()
    pad = int(np.ceil(h / f)) + 1
    ox = (
        np.floor(min(cx.min() if len(cx) else 0.0, grid.x0) / f) * f
        if grid.kind == "hex"
        else grid.x0
    )
    oy = (
        np.floor(min(cy.min() if len(cy) else 0.0, grid.y0) / f) * f
        if grid.kind == "hex"
        else grid.y0
    )
    ox -= pad * f
    oy -= pad * f
    ncol = int(np.ceil((cx.max() + grid.cell - ox) / f)) + pad + 1 if len(cx) else 1
    nrow = int(np.ceil((cy.max() + grid.cell - oy) / f)) + pad + 1 if len(cy) else 1
    # linear binning: each point's weight is shared between the 4 surrounding pixel centres
    raster = _linear_bin((x - ox) / f - 0.5, (y - oy) / f - 0.5, w, nrow, ncol)
    r = int(np.ceil(h / f))
    off = np.arange(-r, r + 1) * f
    kern = kernel_values(np.hypot(off[None, :], off[:, None]), h, kernel)
    dens = fftconvolve_same(raster, kern)
    out = _bilinear(dens, (cx - ox) / f - 0.5, (cy - oy) / f - 0.5)
    out[np.abs(out) < 1e-12 * max(1.0, float(np.abs(w).sum())) / (h * h)] = 0.0  # FFT round-off
    return out * PER_KM2


def snap_bin(x: np.ndarray, y: np.ndarray, w: np.ndarray, resolution: float = 1.0):
    """Bin points onto a ``resolution``-metre lattice: unique locations and summed weights.

    Exact for police.uk snap points, which share coordinates. Points move at most
    ``resolution / sqrt(2)`` metres; points with a non-finite coordinate or weight are dropped.

    Parameters
    ----------
    x, y : numpy.ndarray
        Point coordinates in metres.
    w : numpy.ndarray
        Point weights.
    resolution : float
        Lattice spacing in metres.

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y, weight)`` of the unique locations.
    """
    import pandas as pd

    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(w)
    if not ok.all():
        x, y, w = x[ok], y[ok], w[ok]
    if not len(x):
        return x, y, w
    qx = np.round(x / resolution).astype(np.int64)
    qy = np.round(y / resolution).astype(np.int64)
    x0, y0 = qx.min(), qy.min()
    span = int(qy.max() - y0) + 1
    # hash-based grouping (pandas.factorize) is O(n); np.unique would sort
    codes, keys = pd.factorize((qx - x0) * span + (qy - y0), sort=False)
    uw = np.bincount(codes, weights=w, minlength=len(keys))
    return (keys // span + x0) * resolution, (keys % span + y0) * resolution, uw


def square_snap_density(
    grid, ux, uy, uw, h: float, kernel: str = "quartic", *, cells: np.ndarray | None = None
) -> np.ndarray:
    """Square grids: exact kernel sums from each (snap-binned) location to nearby centres.

    The sums run to the centres of the cells within the bandwidth, accumulated with one
    ``bincount`` over (stencil offset, location) pairs. With police.uk data (tens of thousands
    of snap points however many crimes) this is both exact and the fastest path. Each cell's
    sum adds its locations' terms in the order the locations are given, so any subset of the
    locations in the same order that holds every location within ``h`` of a cell gives that
    cell the same value to the last bit (the KDE tiles of :mod:`planner.hotspots.partitions`).

    Parameters
    ----------
    grid : Grid
        A square grid.
    ux, uy, uw : numpy.ndarray
        Distinct locations (EPSG:27700 metres) and their summed weights.
    h : float
        Bandwidth (metres).
    kernel : str
        As :func:`kernel_values`.
    cells : numpy.ndarray, optional
        Flat lattice ids to return the density of; default the grid's kept cells.

    Returns
    -------
    numpy.ndarray
        Density per km² at each requested cell.
    """
    hc = h / grid.cell  # bandwidth in cells
    m = int(np.ceil(hc + 0.5))
    d = np.arange(-m, m + 1)
    dr, dc = (a.ravel() for a in np.meshgrid(d, d, indexing="ij"))
    # keep only the stencil offsets some point of a cell can reach within the bandwidth
    near = np.maximum(np.abs(dr) - 0.5, 0) ** 2 + np.maximum(np.abs(dc) - 0.5, 0) ** 2 < hc * hc
    dr, dc = dr[near][:, None], dc[near][:, None]
    gx = (ux - grid.x0) / grid.cell
    gy = (uy - grid.y0) / grid.cell
    c0 = np.floor(gx).astype(np.int64)
    r0 = np.floor(gy).astype(np.int64)
    # squared distance, in bandwidths, from each location to each stencil cell centre
    u2 = ((dc + 0.5 - (gx - c0)) ** 2 + (dr + 0.5 - (gy - r0)) ** 2) / (hc * hc)
    ok = u2 < 1.0
    if kernel == "quartic":  # kernel_values without the square root, on the hot path
        kv = (3.0 / np.pi) * (1.0 - u2[ok]) ** 2
    else:
        kv = kernel_values(np.sqrt(u2[ok]), 1.0, kernel)
    col = np.broadcast_to(c0 + dc, u2.shape)[ok]
    row = np.broadcast_to(r0 + dr, u2.shape)[ok]
    kv *= np.broadcast_to(uw, u2.shape)[ok] / (h * h)
    inside = (row >= 0) & (row < grid.ny) & (col >= 0) & (col < grid.nx)
    if not inside.all():
        row, col, kv = row[inside], col[inside], kv[inside]
    out = np.bincount(row * grid.nx + col, weights=kv, minlength=grid.nx * grid.ny)
    return out[grid.ids if cells is None else cells] * PER_KM2


def _direct_taps(h: float, cell: float, k: int) -> int:
    """Shifted array additions the direct (phase-decimated) path needs."""
    rf = int(np.ceil(h * k / cell))
    m = int(np.ceil((rf + (k - 1) // 2) / k))
    return k * k * (2 * m + 1) ** 2


def _kde_square_direct(grid, x, y, w, h: float, k: int, kernel: str) -> np.ndarray:
    """Square grids: the linearly binned fine raster, convolved only at the cell centres.

    The fine raster splits into ``k * k`` phase rasters at cell
    resolution (``R[p::k, q::k]``); each is shifted and added with the kernel weight of its
    offsets, so the work is ``k^2`` times a small cell-resolution kernel instead of an FFT of
    the fine raster. Identical in exact arithmetic to the FFT path.
    """
    c = (k - 1) // 2
    f = grid.cell / k
    rf = int(np.ceil(h / f))
    m = int(np.ceil((rf + c) / k))
    mc = m + 1  # margin in cells
    nrc, ncc = grid.ny + 2 * mc, grid.nx + 2 * mc
    ox, oy = grid.x0 - mc * grid.cell, grid.y0 - mc * grid.cell
    fine = _linear_bin((x - ox) / f - 0.5, (y - oy) / f - 0.5, w, nrc * k, ncc * k)
    # float32 accumulation halves the memory traffic; its rounding (1e-7 relative) is far
    # below the binning error
    scale = float(np.abs(fine).max()) or 1.0
    fine = (fine / scale).astype(np.float32)
    out = np.zeros((grid.ny, grid.nx), dtype=np.float32)
    tmp = np.empty_like(out)
    offs = np.arange(-m, m + 1)
    for p in range(k):  # loops over kernel phases and taps (a few hundred array additions)
        for q in range(k):
            rpq = fine[p::k, q::k]
            dr = (k * offs + c - p) * f
            dc = (k * offs + c - q) * f
            wts = kernel_values(np.hypot(dr[:, None], dc[None, :]), h, kernel)
            for i, mr in enumerate(offs):
                for j, mcol in enumerate(offs):
                    if wts[i, j] > 0:
                        sl = rpq[mc - mr : mc - mr + grid.ny, mc - mcol : mc - mcol + grid.nx]
                        np.multiply(sl, np.float32(wts[i, j] * h * h), out=tmp)
                        out += tmp
    return out.ravel()[grid.ids].astype("float64") * (scale / (h * h) * PER_KM2)


def _fast_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n (a fast FFT length)."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def fftconvolve_same(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Convolve like ``scipy.signal.fftconvolve(a, k, mode="same")`` with numpy's FFT.

    For 2-D arrays and an odd-sized kernel (``scipy.signal`` takes seconds to import, longer
    than the work).

    Parameters
    ----------
    a : numpy.ndarray
        The 2-D raster.
    k : numpy.ndarray
        The 2-D kernel, odd in both dimensions.

    Returns
    -------
    numpy.ndarray
        The convolution, shaped like ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((3, 3)); a[1, 1] = 1.0
    >>> fftconvolve_same(a, np.ones((3, 3))).round(6).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    s0 = _fast_len(a.shape[0] + k.shape[0] - 1)
    s1 = _fast_len(a.shape[1] + k.shape[1] - 1)
    full = np.fft.irfft2(np.fft.rfft2(a, (s0, s1)) * np.fft.rfft2(k, (s0, s1)), (s0, s1))
    r0, r1 = (k.shape[0] - 1) // 2, (k.shape[1] - 1) // 2
    return full[r0 : r0 + a.shape[0], r1 : r1 + a.shape[1]]


def _linear_bin(u: np.ndarray, v: np.ndarray, w: np.ndarray, nrow: int, ncol: int) -> np.ndarray:
    """Bin weights linearly ("cloud-in-cell") at fractional pixel coordinates.

    One ``bincount`` over the four corners of every point.
    """
    i0 = np.floor(u).astype(np.int64)
    j0 = np.floor(v).astype(np.int64)
    fu = u - i0
    fv = v - j0
    cols = np.concatenate([i0, i0 + 1, i0, i0 + 1])
    rows = np.concatenate([j0, j0, j0 + 1, j0 + 1])
    wts = np.concatenate(
        [(1 - fu) * (1 - fv) * w, fu * (1 - fv) * w, (1 - fu) * fv * w, fu * fv * w]
    )
    ok = (cols >= 0) & (cols < ncol) & (rows >= 0) & (rows < nrow) & np.isfinite(wts)
    return np.bincount(rows[ok] * ncol + cols[ok], weights=wts[ok], minlength=nrow * ncol).reshape(
        nrow, ncol
    )


def _bilinear(a: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of raster ``a`` at fractional pixel coordinates (u: column)."""
    nrow, ncol = a.shape
    i0 = np.clip(np.floor(u).astype(np.int64), 0, ncol - 2)
    j0 = np.clip(np.floor(v).astype(np.int64), 0, nrow - 2)
    fu = np.clip(u - i0, 0.0, 1.0)
    fv = np.clip(v - j0, 0.0, 1.0)
    return (
        a[j0, i0] * (1 - fu) * (1 - fv)
        + a[j0, i0 + 1] * fu * (1 - fv)
        + a[j0 + 1, i0] * (1 - fu) * fv
        + a[j0 + 1, i0 + 1] * fu * fv
    )


def kde_exact(
    ex,
    ey,
    x,
    y,
    weights=None,
    bandwidth: float = 200.0,
    *,
    kernel: str = "quartic",
    chunk: int = 20000,
) -> np.ndarray:
    """Sum the kernel exactly at points (ex, ey) over every data point (per km²); the reference.

    Parameters
    ----------
    ex, ey : array_like
        Where to evaluate (metres).
    x, y : array_like
        Data points (metres).
    weights : array_like, optional
        Per-point weights; default 1.
    bandwidth : float
        Kernel radius in metres.
    kernel : str
        ``"quartic"``, ``"epanechnikov"`` or ``"tophat"``.
    chunk : int
        Evaluation points per KD-tree query (bounds memory).

    Returns
    -------
    numpy.ndarray
        Density per evaluation point, weighted points per km².
    """
    from scipy.spatial import cKDTree

    ex = np.asarray(ex, dtype="float64")
    ey = np.asarray(ey, dtype="float64")
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype="float64")
    tree = cKDTree(np.column_stack([x, y]))
    out = np.zeros(len(ex))
    for s in range(0, len(ex), chunk):
        et = cKDTree(np.column_stack([ex[s : s + chunk], ey[s : s + chunk]]))
        m = et.sparse_distance_matrix(tree, bandwidth, output_type="coo_matrix")
        vals = kernel_values(m.data, bandwidth, kernel) * w[m.col]
        out[s : s + chunk] = np.bincount(m.row, weights=vals, minlength=min(chunk, len(ex) - s))
    return out * PER_KM2
