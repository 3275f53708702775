"""Progress lines of slow steps, on stderr (never on stdout, which the CLI's ``--json`` owns)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


@contextmanager
def step(what: str, *, stream: TextIO | None = None) -> Iterator[None]:
    """Say on stderr that ``what`` starts, and when it is done how long it took.

    Parameters
    ----------
    what : str
        The step, as the user reads it ("tgps: deriving the TGP layer").
    stream : file, optional
        Where the lines go (default ``sys.stderr``).

    Yields
    ------
    None
        The step runs inside the ``with`` block; no "done" line when it raises.
    """
    out = stream if stream is not None else sys.stderr
    print(f"{what} ...", file=out, flush=True)
    t0 = time.perf_counter()
    yield
    print(f"{what}: done in {time.perf_counter() - t0:.1f} s", file=out, flush=True)
