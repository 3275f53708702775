"""Work done off the session's event loop; a server log free of closed-tab tracebacks.

Work done off the session's event loop, the page updated when it is done; and a server log
free of the tracebacks a closed browser tab would otherwise leave.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

import panel as pn

log = logging.getLogger(__name__)


def session_gone(doc: Any) -> bool:
    """Whether ``doc``'s browser session has been destroyed (its tab closed a while ago).

    Parameters
    ----------
    doc : bokeh.document.Document
        A served session's document.

    Returns
    -------
    bool
        True once Bokeh has destroyed the session: its document takes no more callbacks.
    """
    ctx = doc.session_context
    if ctx is None:
        # Bokeh's Document.destroy drops the session context *and* the document's callback
        # tables; a later add_next_tick_callback then raised AttributeError '_change_callbacks'
        # in the server log (issue 17). A document without them has been destroyed.
        callbacks = getattr(doc, "callbacks", None)
        return callbacks is not None and not hasattr(callbacks, "_change_callbacks")
    return ctx.destroyed


def in_background(work: Callable[[], Any], then: Callable[[Exception | None], Any]) -> None:
    """Run ``work()`` in a thread, then ``then(error)`` on the session's event loop.

    Run ``work()`` in a thread, then ``then(error)`` on the session's event loop, ``error``
    being the exception ``work`` raised or None (both at once when there is no served session,
    e.g. a notebook or a test rendering into a Document). When the session has gone in the
    meantime (the tab closed), ``then`` is not called: there is no page left to update.

    Parameters
    ----------
    work : callable
        The slow part, run in a thread.
    then : callable
        Called on the session's event loop with the exception ``work`` raised, or None.
    """

    def attempt() -> Exception | None:
        try:
            work()
        except Exception as e:  # noqa: BLE001  (shown on the page rather than lost in a thread)
            return e
        return None

    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        then(attempt())
        return

    def run() -> None:
        error = attempt()
        if session_gone(doc):
            return
        try:
            doc.add_next_tick_callback(functools.partial(then, error))
        except AttributeError:
            # destroyed between the check and the call (Bokeh deletes the document's callbacks)
            if not session_gone(doc):
                raise

    threading.Thread(target=run, daemon=True).start()


def _closed_socket(context: dict[str, Any]) -> bool:
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError

    return isinstance(context.get("exception"), WebSocketClosedError | StreamClosedError)


def quiet_closed_sockets(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Keep tracebacks of writes to a closed browser tab out of the server log.

    When a tab closes while the server is sending it an update, Panel's pending writes fail
    with ``WebSocketClosedError`` and, never awaited after the session is gone, asyncio logs
    "Task exception was never retrieved" with a traceback. Nothing is wrong (there is no one to
    send to): this event-loop exception handler logs those at debug level and passes every
    other exception to the handler there was before. Installed once per loop.

    Parameters
    ----------
    loop : asyncio.AbstractEventLoop, optional
        The server's loop; the running (or current) one by default.
    """
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
    previous = loop.get_exception_handler()
    if getattr(previous, "_planner_quiet", False):
        return

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if _closed_socket(context):
            log.debug("write to a closed browser tab dropped: %s", context.get("message"))
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    handler._planner_quiet = True  # type: ignore[attr-defined]
    loop.set_exception_handler(handler)
