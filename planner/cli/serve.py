"""`planner serve`: serve the planner app (the bundled demo workspace when none is given)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from planner.errors import PlannerError
from planner.paths import DEFAULT_WORKSPACE

DEFAULT_PORT = 5006
DEFAULT_ADDRESS = "localhost"


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the planner app in the browser (default: the demo workspace)",
        description="Serve the planner app (Panel) on http://ADDRESS:PORT. Without --workspace the "
        f"bundled demo workspace ({DEFAULT_WORKSPACE}) is served, built first if it does not exist. "
        "The app makes no request outside its own server unless --tiles is given.",
    )
    p.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help=f"workspace folder (default {DEFAULT_WORKSPACE})",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        help=f"address to listen on (default {DEFAULT_ADDRESS})",
    )
    p.add_argument(
        "--tiles",
        default=None,
        help="basemap tile URL template with {Z}/{X}/{Y} (default: no basemap, fully offline)",
    )
    p.add_argument(
        "--records",
        default=None,
        help="neighbourhood records store: a SQLite path or SQLAlchemy URL "
        "(default: the workspace's records.sqlite)",
    )
    p.add_argument("--show", action="store_true", help="open a browser tab")
    p.set_defaults(func=run)


def ensure_workspace(path: Path | None) -> Path:
    """The workspace to serve; builds the demo at the default path when it is missing."""
    if path is not None:
        if not (path / "workspace.json").exists():
            raise PlannerError(
                f"{path} is not a planner workspace (no workspace.json); build one with `planner demo --out {path}`"
            )
        return path
    path = DEFAULT_WORKSPACE
    if not (path / "workspace.json").exists():
        from planner.demo import build_demo

        print(f"no demo workspace at {path}: building it (about a minute)", file=sys.stderr)
        t0 = time.perf_counter()
        build_demo(path)
        print(f"demo workspace built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return path


def run(args) -> int:
    ws = ensure_workspace(args.workspace)
    import panel as pn

    from planner.app import create_app
    from planner.app.main import warm

    t0 = time.perf_counter()
    print(f"loading workspace {ws} ...", file=sys.stderr)
    warm(ws)
    print(f"workspace loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(
        f"serving the planner app on http://{args.address}:{args.port}/ (Ctrl-C to stop)",
        file=sys.stderr,
    )

    def app():
        return create_app(ws, tiles=args.tiles, records_url=args.records)

    pn.serve(
        {"planner": app},
        port=args.port,
        address=args.address,
        show=args.show,
        title="Hotspot and patrol planner",
        websocket_origin=[
            f"{args.address}:{args.port}",
            f"localhost:{args.port}",
            f"127.0.0.1:{args.port}",
        ],
        index="planner",
    )
    return 0
