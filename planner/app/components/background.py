"""Work done off the session's event loop, the page updated when it is done."""

from __future__ import annotations

import panel as pn


def in_background(work, then) -> None:
    """Run ``work()`` in a thread, then ``then(error)`` on the session's event loop, ``error``
    being the exception ``work`` raised or None (both at once when there is no served session,
    e.g. a notebook or a test rendering into a Document)."""
    import functools
    import threading

    def attempt():
        try:
            work()
        except Exception as e:  # noqa: BLE001  (shown on the page rather than lost in a thread)
            return e
        return None

    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        then(attempt())
        return

    def run():
        doc.add_next_tick_callback(functools.partial(then, attempt()))

    threading.Thread(target=run, daemon=True).start()
