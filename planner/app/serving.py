"""Serving the app to many users at once.

A liveness route, sessions built off the server's event loop, and memory given back when
sessions close.

Measured (docs/benchmarks.md, "App under load"): with 20 browsers opening the app at once,
building each session's document on Tornado's event loop (Bokeh's default) kept the loop busy
for seconds at a time, so the server stopped answering anything, even a liveness probe, while
it created sessions. :func:`build_sessions_off_loop` runs that build in a worker thread instead:
the loop goes on serving static files, websockets and ``/healthz`` in between (the GIL is
handed over every few milliseconds), and the sessions are built first come, first served.

No data and no sign-in on ``/healthz``: it answers ``ok`` as long as the event loop runs.
"""

from __future__ import annotations

import contextvars
import ctypes
import ctypes.util
import gc
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tornado.web import RequestHandler

#: the liveness route
HEALTH_PATH = "/healthz"
#: threads that build session documents (one: sessions are built in arrival order, and with
#: the GIL a second thread would only interleave two builds and delay both)
BUILD_WORKERS = 1
#: after the last open session of a burst closes, wait this long (s) before collecting garbage
#: and handing freed memory back to the system
RELEASE_DELAY_S = 2.0

#: the running server's counters (one process: ``--num-procs`` forks get their own)
_STATUS: dict[str, Any] = {"pending": 0, "created": 0, "last_created": 0.0, "contexts": []}


class HealthHandler(RequestHandler):
    """``GET /healthz`` -> 200 ``ok`` (text/plain, not cached): the server's event loop runs."""

    def get(self) -> None:
        """Answer ``ok`` (text/plain, not cached)."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write("ok")

    def head(self) -> None:
        """Answer the headers of :meth:`get` without a body."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")


def add_liveness_route(tornado_app: Any, path: str = HEALTH_PATH) -> None:
    """Serve ``path`` (default ``/healthz``) from ``tornado_app`` without sign-in.

    The route is added as its own host rule ahead of Bokeh's routes, so the sign-in guard
    (:func:`planner.access.server.guard_routes`, which wraps Bokeh's routes) does not apply
    to it; it sends no data.

    Parameters
    ----------
    tornado_app : tornado.web.Application
        The server's Tornado application (``server._tornado``).
    path : str
        The route.
    """
    tornado_app.add_handlers(r".*", [(path, HealthHandler)])


class _OffLoopApplication:
    """A Bokeh application whose documents are built in a worker thread.

    Bokeh awaits ``on_session_created`` and then calls ``initialize_document`` on the event
    loop; this wrapper builds the document inside the awaited hook (in the executor) and makes
    the later call a no-op for that document. Anything else is the wrapped application's.
    """

    def __init__(self, app: Any, pool: ThreadPoolExecutor):
        self._app = app
        self._pool = pool
        self._built: weakref.WeakSet = weakref.WeakSet()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    async def on_session_created(self, session_context: Any) -> None:
        import asyncio

        from panel.io.state import state

        await self._app.on_session_created(session_context)
        doc = session_context._document
        ctx = contextvars.copy_context()
        _STATUS["pending"] += 1
        _STATUS["last_created"] = time.monotonic()
        try:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._pool, ctx.run, self._app.initialize_document, doc)
        finally:
            _STATUS["pending"] -= 1
            _STATUS["created"] += 1
            _STATUS["last_created"] = time.monotonic()
        # Panel notes the thread a document was built on and defers updates made from any
        # other thread; from now on the document is the event loop's
        state._thread_id_[doc] = threading.get_ident()
        self._built.add(doc)

    def initialize_document(self, doc: Any) -> None:
        if doc in self._built:
            self._built.discard(doc)
            return
        self._app.initialize_document(doc)  # the hook failed: build it here, as Bokeh would


def build_sessions_off_loop(tornado_app: Any, workers: int = BUILD_WORKERS) -> ThreadPoolExecutor:
    """Build every new session's document in a worker thread instead of on the event loop.

    Parameters
    ----------
    tornado_app : bokeh.server.tornado.BokehTornado
        The server's Tornado application (``server._tornado``).
    workers : int
        Threads building documents.

    Returns
    -------
    concurrent.futures.ThreadPoolExecutor
        The pool (shut it down with the server).
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planner-session")
    contexts = []
    for ctx in tornado_app._applications.values():
        if not isinstance(ctx._application, _OffLoopApplication):
            ctx._application = _OffLoopApplication(ctx._application, pool)
        contexts.append(weakref.ref(ctx))
    _STATUS["contexts"] = contexts  # one planner server per process: the latest is counted
    return pool


_PULL_POOL: list[ThreadPoolExecutor] = []


def serialize_off_loop() -> None:
    """Serialize a session's document for its browser in a worker thread, not on the loop.

    Bokeh's PULL-DOC reply takes ~0.3 s of CPU for the Hotspots page (about 0.5 MB of JSON).
    The session's document lock is held meanwhile, as Bokeh holds it, so no callback changes
    the document while it is read. Applies to every Bokeh server of this process.
    """
    import asyncio

    from bokeh.server.session import ServerSession, _needs_document_lock

    if getattr(ServerSession._handle_pull, "_planner_off_loop", False):
        return
    if not _PULL_POOL:
        _PULL_POOL.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-pull"))
    pool = _PULL_POOL[0]

    async def pull(self: Any, message: Any, connection: Any) -> Any:
        msgid = message.header["msgid"]
        return await asyncio.get_running_loop().run_in_executor(
            pool, connection.protocol.create, "PULL-DOC-REPLY", msgid, self.document
        )

    handler = _needs_document_lock(pull)
    handler._planner_off_loop = True  # type: ignore[attr-defined]
    ServerSession._handle_pull = handler  # type: ignore[method-assign,assignment]  # an async handler; the stub types the sync one


def open_sessions() -> int:
    """Sessions of this process's server with a browser connected (0 without a server).

    Returns
    -------
    int
    """
    n = 0
    for ref in _STATUS["contexts"]:
        ctx = ref()
        if ctx is not None:
            n += sum(1 for s in ctx.sessions if s.connection_count > 0)
    return n


def server_sessions() -> int:
    """Sessions this process's server holds (connected or not yet discarded).

    Returns
    -------
    int
    """
    return sum(len(ctx.sessions) for ref in _STATUS["contexts"] if (ctx := ref()) is not None)


def busy(idle_s: float) -> bool:
    """Whether a session is being built or one was built within the last ``idle_s`` seconds.

    Parameters
    ----------
    idle_s : float
        Quiet time (s) that counts as idle.

    Returns
    -------
    bool
    """
    return _STATUS["pending"] > 0 or time.monotonic() - _STATUS["last_created"] < idle_s


def _malloc_trim() -> None:
    """Hand the C heap's free pages back to the system (glibc; a no-op elsewhere)."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system.

    A destroyed session leaves reference cycles of Bokeh models and Panel objects.
    """
    gc.collect()
    _malloc_trim()


def release_after_sessions(server: Any, delay_s: float = RELEASE_DELAY_S) -> None:
    """After sessions are discarded, release their memory once the server holds none.

    Bokeh discards a session some seconds after its tab closes; when the last one is gone
    (and again every time the count falls to zero), :func:`release_memory` runs on the loop.

    Parameters
    ----------
    server : bokeh.server.server.Server
        The server (not yet started).
    delay_s : float
        Seconds between checks.
    """
    from tornado.ioloop import PeriodicCallback

    seen = {"held": 0}

    def check() -> None:
        held = server_sessions()
        if held == 0 and seen["held"] > 0:
            release_memory()
        seen["held"] = held

    PeriodicCallback(check, delay_s * 1000).start()


def die_with_parent() -> None:
    """In a forked server process (``--num-procs``), exit when the parent does (Linux).

    Tornado's parent process only watches its children: stopped with SIGTERM it exits and
    leaves them serving. ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` makes the kernel stop each child
    when the parent goes; a no-op where prctl is missing.
    """
    import signal

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        prctl = ctypes.CDLL(name).prctl
    except (OSError, AttributeError):
        return
    pr_set_pdeathsig = 1
    prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)


def prepare(server: Any) -> ThreadPoolExecutor:
    """Everything above for a configured, not yet started, server of ``planner serve``.

    Parameters
    ----------
    server : bokeh.server.server.Server
        The server.

    Returns
    -------
    concurrent.futures.ThreadPoolExecutor
        The session build pool.
    """
    from planner.app.components.background import quiet_closed_sockets

    add_liveness_route(server._tornado)
    pool = build_sessions_off_loop(server._tornado)
    serialize_off_loop()
    server.io_loop.add_callback(quiet_closed_sockets)
    server.io_loop.add_callback(release_after_sessions, server)
    return pool
