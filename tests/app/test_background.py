"""Background work and closed tabs: no traceback in the server log (issue 13 item 6, issue 17)."""

from __future__ import annotations

import asyncio
import logging

from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError

from planner.app.components.background import quiet_closed_sockets, session_gone


class _Ctx:
    def __init__(self, destroyed: bool):
        self.destroyed = destroyed


class _Doc:
    def __init__(self, ctx):
        self.session_context = ctx


def test_session_gone():
    assert session_gone(_Doc(_Ctx(True))) is True
    assert session_gone(_Doc(_Ctx(False))) is False
    assert session_gone(_Doc(None)) is False


def test_closed_socket_errors_are_dropped_others_passed_on(caplog):
    loop = asyncio.new_event_loop()
    try:
        seen = []
        loop.set_exception_handler(lambda _loop, ctx: seen.append(ctx["message"]))
        quiet_closed_sockets(loop)
        quiet_closed_sockets(loop)  # installed once: the previous handler is not wrapped twice
        handler = loop.get_exception_handler()
        with caplog.at_level(logging.DEBUG, logger="planner.app.components.background"):
            handler(loop, {"message": "closed", "exception": WebSocketClosedError()})
            handler(loop, {"message": "stream", "exception": StreamClosedError()})
        handler(loop, {"message": "other", "exception": ValueError("x")})
        handler(loop, {"message": "no exception"})
        assert seen == ["other", "no exception"]
        assert [r.levelno for r in caplog.records] == [logging.DEBUG, logging.DEBUG]
    finally:
        loop.close()


def test_default_handler_used_when_none_was_set(caplog):
    loop = asyncio.new_event_loop()
    try:
        quiet_closed_sockets(loop)
        handler = loop.get_exception_handler()
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            handler(loop, {"message": "boom", "exception": ValueError("x")})
            handler(loop, {"message": "gone", "exception": WebSocketClosedError()})
        assert [r.getMessage() for r in caplog.records] == ["boom"]
    finally:
        loop.close()
