"""Running the heavy steps on a Dask cluster.

Chosen with ``--scheduler ADDRESS`` or ``DASK_SCHEDULER_ADDRESS``.

Every distributed step is a pure function over one partition (a crime file, an officer-day
block of pings, a force): the same function the single-machine run calls, so a cluster run
gives the same result. :func:`map_ordered` sends the partitions out and hands the results
back in partition order, keeping only a bounded number in flight. Without a scheduler the
partitions run here, one after another (no Dask import).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from planner.errors import PlannerError

#: the environment variable read when no --scheduler is given
ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"


@dataclass(frozen=True)
class ClusterConfig:
    """How partitions are sent to a cluster."""

    #: partitions in flight per worker thread (bounds the memory of results not yet used)
    in_flight_per_thread: int = 2
    #: seconds to wait for the scheduler before giving up
    connect_timeout_s: float = 10.0


def scheduler_address(arg: str | None = None) -> str | None:
    """Choose the scheduler: the argument, else ``$DASK_SCHEDULER_ADDRESS``, else None (local).

    Parameters
    ----------
    arg
        Address given on the command line (``tcp://host:8786``), or None.

    Returns
    -------
    str or None
        The address, or None to run on this machine.
    """
    addr = arg or os.environ.get(ENV_SCHEDULER) or None
    return addr.strip() if addr else None


@contextmanager
def connect(address: str | None, cfg: ClusterConfig | None = None) -> Iterator[Any]:
    """Open a ``distributed.Client`` for ``address`` (None yields None: run locally).

    Parameters
    ----------
    address
        Scheduler address or None.
    cfg
        Connection settings.

    Returns
    -------
    contextmanager
        Yields the client (closed on exit) or None.
    """
    if address is None:
        yield None
        return
    cfg = cfg or ClusterConfig()
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency of the dask extra
        raise PlannerError(
            "--scheduler needs the 'distributed' package (pip install 'planner[dask]')"
        ) from None
    try:
        client = Client(address, timeout=cfg.connect_timeout_s)
    except (OSError, TimeoutError) as exc:
        raise PlannerError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
    try:
        yield client
    finally:
        client.close()


def map_ordered(
    fn: Callable[..., Any],
    items: Iterable[Any],
    client: Any = None,
    cluster_cfg: ClusterConfig | None = None,
    **kwargs: Any,
) -> Iterator[Any]:
    """``fn(item, **kwargs)`` for each item, results yielded in item order.

    Parameters
    ----------
    fn
        A pure, picklable function of one partition.
    items
        The partitions.
    client
        A ``distributed.Client`` (None: run here, one by one).
    cluster_cfg
        Bounds the partitions in flight on the cluster.
    **kwargs
        Shared arguments, scattered once to the workers.

    Returns
    -------
    iterator
        The results, in the order of ``items``.
    """
    if client is None:
        for it in items:
            yield fn(it, **kwargs)
        return
    cfg = cluster_cfg or ClusterConfig()
    # unique keys (hash=False): two calls scattering equal data would share a key, and the
    # first call's futures going away would cancel the second's tasks ("lost dependencies")
    shared = {k: client.scatter(v, broadcast=True, hash=False) for k, v in kwargs.items()}
    threads = sum(client.nthreads().values()) or 1
    limit = max(cfg.in_flight_per_thread * threads, 1)
    pending: deque = deque()
    for it in items:
        pending.append(client.submit(fn, it, pure=False, **shared))
        if len(pending) >= limit:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
