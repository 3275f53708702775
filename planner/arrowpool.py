"""Arrow's memory pool for the batch commands that read and write large tables.

pyarrow's default pool on Linux wheels is mimalloc, which hands freed pages back to the
kernel soon after a table is released; a batch ingest that frees one chunk and allocates
the next may then pay the kernel again to fault fresh pages in. Arrow's jemalloc pool keeps
freed pages for reuse. Measured on 10M pings (docs/benchmarks.md, "Pings at scale"): the
ingest took 0.79x the wall time with jemalloc while another test suite shared the 2 cores
(system time about halved), and the same (1.03x) on a quiet machine. The server
(``planner serve``) keeps the default: it is long-lived and mostly idle, where handing memory
back matters more.

``ARROW_DEFAULT_MEMORY_POOL`` set in the environment always wins (Arrow reads it itself).
"""

from __future__ import annotations

import contextlib
import os

#: the ``planner`` commands that use the batch pool
BATCH_COMMANDS = frozenset({"load", "track", "import"})


def use_batch_pool(command: str | None = None) -> str:
    """Make Arrow's jemalloc pool the default for this process (a batch command).

    Parameters
    ----------
    command
        The ``planner`` command; other than those in :data:`BATCH_COMMANDS` (and None, any
        batch caller) nothing changes.

    Returns
    -------
    str
        The backend of Arrow's default pool afterwards (``"jemalloc"``, or the default when
        the environment names a pool, the command is not a batch one, or this pyarrow has no
        jemalloc).
    """
    import pyarrow as pa

    if (command is None or command in BATCH_COMMANDS) and not os.environ.get(
        "ARROW_DEFAULT_MEMORY_POOL"
    ):
        with contextlib.suppress(NotImplementedError, ImportError):  # built without jemalloc
            pa.set_memory_pool(pa.jemalloc_memory_pool())
    return pa.default_memory_pool().backend_name
