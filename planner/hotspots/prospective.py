"""Prospective hotspotting (Bowers, Johnson and Pease 2004; open_cp ``prohotspot``).

Each past event adds ``1 / ((1 + d) (1 + t))`` to every cell within ``max_cells`` cells, with
``d`` the distance between cell centres in cells and ``t`` the event's age in time steps
(0 = the latest step). Because the weight is a product of a space and a time term, the score
is one sparse space kernel applied to the time-weighted sum of the per-step count maps:
``score = K_space @ (sum_t C_t / (1 + t))``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree


def space_kernel(grid, max_cells: int) -> sparse.csr_matrix:
    """Sparse ``1 / (1 + d)`` weights between kept cells within ``max_cells`` cells.

    ``d`` is in cell units; each cell is included with weight 1.

    Parameters
    ----------
    grid : Grid
        The cells.
    max_cells : int
        Neighbourhood radius in cells.

    Returns
    -------
    scipy.sparse.csr_matrix
        n x n weights.
    """
    x, y = grid.centres()
    tree = cKDTree(np.column_stack([x, y]))
    m = tree.sparse_distance_matrix(
        tree, max_cells * grid.cell * (1 + 1e-9), output_type="coo_matrix"
    )
    off = m.row != m.col
    k = sparse.coo_matrix(
        (1.0 / (1.0 + m.data[off] / grid.cell), (m.row[off], m.col[off])), shape=(grid.n, grid.n)
    )
    return (k + sparse.identity(grid.n, format="coo")).tocsr()


def prospective_scores(
    grid,
    cube: np.ndarray,
    max_cells: int = 2,
    max_steps: int = 6,
    kernel: sparse.spmatrix | None = None,
) -> np.ndarray:
    """Prospective score per cell from recent counts, discounted by age and distance.

    Parameters
    ----------
    grid : Grid
        The cells.
    cube : numpy.ndarray
        Counts, steps x cells; the last row is the most recent step.
    max_cells : int
        Spatial radius in cells.
    max_steps : int
        Steps older than this are ignored; a step ``t`` old weighs ``1 / (1 + t)``.
    kernel : scipy.sparse.spmatrix, optional
        A precomputed :func:`space_kernel`.

    Returns
    -------
    numpy.ndarray
        One score per cell.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> from planner.hotspots.grid import make_grid
    >>> g = make_grid(box(0, 0, 300, 100), 100)
    >>> prospective_scores(g, np.array([[0.0, 0, 2], [1.0, 0, 0]]), max_cells=1).tolist()
    [1.0, 1.0, 1.0]
    """
    cube = np.asarray(cube, dtype="float64")
    t = np.arange(cube.shape[0])[::-1]  # age of each row
    wt = np.where(t < max_steps, 1.0 / (1.0 + t), 0.0)
    recent = wt @ cube
    k = kernel if kernel is not None else space_kernel(grid, max_cells)
    return k @ recent
