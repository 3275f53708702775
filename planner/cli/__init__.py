"""The ``planner`` command. Thin: parse arguments, call the library, print.

Each area registers its subcommands from its own module (``planner/cli/<area>.py`` with a
``register(subparsers)`` function). Commands return an exit code. A
:class:`planner.errors.PlannerError` becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from planner.arrowpool import BATCH_COMMANDS

#: modules that register subcommands, in the order they appear in --help
AREAS = (
    "demo",
    "ownforce",
    "load",
    "serve",
    "hotspots",
    "planning",
    "tracking",
    "records",
    "tasking",
    "report",
    "users",
    "audit",
)

#: the area module of each command, so that ``planner load ...`` imports only
#: ``planner/cli/load.py`` (registering every area imports SQLAlchemy, the hotspot engine,
#: the access layer ...: seconds of start-up before any work). A command missing here still
#: works (the full parser is built); ``tests/foundation/test_cli_areas.py`` keeps it in step.
COMMAND_AREA = {
    "demo": "demo",
    "init": "ownforce",
    "import": "ownforce",
    "status": "ownforce",
    "load": "load",
    "serve": "serve",
    "hotspots": "hotspots",
    "tgps": "hotspots",
    "coverage": "hotspots",
    "backtest": "hotspots",
    "advance": "hotspots",
    "schedule": "planning",
    "servator": "planning",
    "track": "tracking",
    "visibility": "tracking",
    "records": "records",
    "people": "tasking",
    "tasking": "tasking",
    "pop": "tasking",
    "report": "report",
    "users": "users",
    "audit": "audit",
}


def _areas_for(argv: list[str] | None) -> tuple[str, ...]:
    """The areas to register: the named command's alone, else every area (help, unknown)."""
    if argv:
        first = argv[0]
        area = COMMAND_AREA.get(first)
        if area is not None and area in AREAS:
            return (area,)
    return AREAS


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``planner`` argument parser.

    Parameters
    ----------
    argv
        The arguments to be parsed: when they name a known command, only that command's
        area is registered (fast start-up); None or anything else registers every area.

    Returns
    -------
    argparse.ArgumentParser
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Hotspot and patrol planner for UK neighbourhood policing.",
    )
    parser.add_argument(
        "--version", action="version", version=f"planner {__import__('planner').__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in _areas_for(argv):
        try:
            mod = importlib.import_module(f"planner.cli.{area}")
        except ModuleNotFoundError as exc:  # an area not built yet
            if exc.name != f"planner.cli.{area}":
                raise
            continue
        mod.register(sub)
    from planner.cli.examples import add_examples

    add_examples(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``planner`` command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: the command's, 2 for a :class:`~planner.errors.PlannerError` (one line on
        stderr, no traceback), 130 when interrupted.

    Examples
    --------
    >>> main(["--help"])  # doctest: +SKIP
    """
    from planner.errors import PlannerError

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    if args.command in BATCH_COMMANDS:
        from planner.arrowpool import use_batch_pool

        use_batch_pool(args.command)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        # `planner ... --json | head`: the reader has gone; nothing more to say to it
        _silence_stdout()
        return 0
    except PlannerError as exc:
        print(f"planner {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
