"""`planner serve` under many users (not timed): the liveness route, sessions built off the
event loop, and a closed session's state released (benchmarks/bench_app_load.py times it)."""

from __future__ import annotations

import asyncio
import gc
import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from planner.cli import build_parser
from planner.testing import free_port


def _get(port: int, path: str, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


class _Served:
    """``build_server`` of ``planner serve`` running on its own event loop in a thread."""

    def __init__(self, argv: list[str]):
        self.port = free_port()
        self.args = build_parser().parse_args(
            ["serve", *argv, "--port", str(self.port), "--address", "127.0.0.1"]
        )
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(120), "the server did not start"
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        from planner.cli.serve import build_server

        asyncio.set_event_loop(asyncio.new_event_loop())
        try:
            self.server, self.store, _gate = build_server(self.args)
            # discard closed sessions within about a second (Bokeh: 15 s, checked every 17 s)
            self.server._tornado._check_unused_sessions_milliseconds = 300
            self.server._tornado._unused_session_lifetime_milliseconds = 300
            self.server.start()
        except BaseException as e:  # noqa: BLE001  (re-raised in the test's thread)
            self.error = e
            self.ready.set()
            return
        self.ready.set()
        self.server.io_loop.start()

    def call(self, fn):
        """Run ``fn()`` on the server's loop; return its result."""
        done = threading.Event()
        out: dict = {}

        def run():
            try:
                out["v"] = fn()
            finally:
                done.set()

        self.server.io_loop.add_callback(run)
        assert done.wait(30)
        return out["v"]

    def stop(self) -> None:
        def halt():
            self.server.stop()
            self.server.io_loop.stop()

        self.server.io_loop.add_callback(halt)
        self.thread.join(30)
        self.store.close()


@pytest.fixture
def served(small_ws):
    s = _Served(["--workspace", str(small_ws.root)])
    yield s
    s.stop()


def test_healthz_answers_ok_without_data(served):
    status, headers, body = _get(served.port, "/healthz")
    assert (status, body) == (200, b"ok")
    assert headers["Content-Type"].startswith("text/plain")
    assert headers["Cache-Control"] == "no-store"
    status, _h, body = _get(served.port, "/healthz", method="HEAD")
    assert (status, body) == (200, b"")
    # the app itself is still served next to it
    status, _h, body = _get(served.port, "/planner")
    assert status == 200 and b"bokeh" in body.lower()


def test_healthz_needs_no_sign_in_while_the_app_does(small_ws, tmp_path, monkeypatch):
    from planner.access.users import add_user

    users = tmp_path / "users.json"
    add_user(users, "intel", "intel-password-1", role="intelligence")
    monkeypatch.setenv("PLANNER_COOKIE_SECRET", "s" * 40)
    s = _Served(["--workspace", str(small_ws.root), "--users", str(users)])
    try:
        assert _get(s.port, "/healthz")[::2] == (200, b"ok")
        status, headers, body = _get(s.port, "/planner")
        assert status == 302 and headers["Location"].startswith("/login?next=")
        assert body == b""
    finally:
        s.stop()


def test_sessions_are_built_off_the_loop_and_released_when_closed(served, monkeypatch):
    from bokeh.client import pull_session
    from bokeh.protocol import Protocol

    from planner.app import serving
    from planner.app.main import live_apps

    def loop_thread() -> int:
        return threading.get_ident()

    loop_id = served.call(loop_thread)
    built_on: list[int] = []
    real = serving._OffLoopApplication.on_session_created

    async def spy(self, ctx):
        app = self._app
        orig = app.initialize_document

        def record(doc):
            built_on.append(threading.get_ident())
            orig(doc)

        app.initialize_document = record
        try:
            await real(self, ctx)
        finally:
            del app.initialize_document

    serving._OffLoopApplication.on_session_created = spy
    pulled_on: list[int] = []
    create = Protocol.create

    def spy_create(self, msgtype, *a, **kw):
        if msgtype == "PULL-DOC-REPLY":
            pulled_on.append(threading.get_ident())
        return create(self, msgtype, *a, **kw)

    monkeypatch.setattr(Protocol, "create", spy_create)
    try:
        gc.collect()
        base = live_apps()
        url = f"http://127.0.0.1:{served.port}/planner"

        def three_clients() -> tuple[list[int], int, int, int]:
            # bokeh's client runs its own event loop in the calling thread: a thread of its
            # own, since the browser tests' sync Playwright keeps a loop running on the main one
            sessions = [pull_session(url=url) for _ in range(3)]
            try:
                counts = (
                    served.call(serving.server_sessions),
                    served.call(serving.open_sessions),
                    served.call(live_apps),
                )
                return [len(s.document.roots) for s in sessions], *counts
            finally:
                for s in sessions:
                    s.close()

        with ThreadPoolExecutor(1) as pool:
            roots, n_server, n_open, n_live = pool.submit(three_clients).result(timeout=300)
        assert all(r >= 1 for r in roots)  # each got its page
        assert n_server == 3
        assert n_open == 3
        assert n_live == base + 3
    finally:
        serving._OffLoopApplication.on_session_created = real
    # each document was built once, in the worker thread, not on the loop, and serialized
    # for its client in a worker thread too
    assert len(built_on) == 3 and loop_id not in built_on
    assert len(pulled_on) == 3 and loop_id not in pulled_on
    t0 = time.monotonic()
    while served.call(serving.server_sessions) and time.monotonic() - t0 < 30:
        time.sleep(0.2)
    assert served.call(serving.server_sessions) == 0
    assert served.call(serving.open_sessions) == 0

    def collected() -> int:
        gc.collect()
        return live_apps()

    t0 = time.monotonic()
    while served.call(collected) > base and time.monotonic() - t0 < 10:
        time.sleep(0.2)
    assert served.call(collected) == base  # every closed session's page tree is gone


def test_num_procs_option():
    args = build_parser().parse_args(["serve"])
    assert args.num_procs == 1
    assert build_parser().parse_args(["serve", "--num-procs", "2"]).num_procs == 2
