"""`planner users add|remove|list|passwd|role --users FILE`: the sign-in users file.

Passwords are read from standard input (one line) or, at a terminal, a hidden prompt typed
twice; never from a flag or an environment variable. Only salted argon2 hashes are stored.
With ``--workspace DIR`` or ``--db URL`` each change is also written to the audit trail.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from planner.access.roles import ROLES
from planner.errors import PlannerError


def _common(p, *, audit: bool = True) -> None:
    p.add_argument("--users", type=Path, required=True, metavar="FILE", help="users file (JSON)")
    if audit:
        p.add_argument(
            "--workspace", type=Path, help="workspace whose records store gets the audit row"
        )
        p.add_argument("--db", metavar="URL", help="records store for the audit row")


def _role_args(p) -> None:
    p.add_argument("--role", required=True, choices=ROLES, help="the user's role")
    p.add_argument(
        "--lpa",
        action="append",
        default=[],
        metavar="LPA",
        help="an inspector's LPA (repeatable; inspectors only)",
    )
    p.add_argument("--officer-id", help="an officer's id in the records store (default: NAME)")


def register(sub) -> None:
    """Add ``planner users`` to the command line.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``planner`` parser.
    """
    u = sub.add_parser(
        "users",
        help="manage the sign-in users file (salted argon2 hashes, roles)",
        description="Manage the users file of `planner serve --users FILE`. Passwords come from "
        "standard input or a prompt, never from a flag or an environment variable.",
    )
    us = u.add_subparsers(
        dest="users_command", metavar="ACTION", help="add, remove, list, passwd or role"
    )
    a = us.add_parser("add", help="add a user (password from stdin or a prompt)")
    a.add_argument("name", metavar="NAME", help="the user's sign-in name")
    _role_args(a)
    _common(a)
    a.set_defaults(func=run_add)
    r = us.add_parser("remove", help="remove a user")
    r.add_argument("name", metavar="NAME", help="the user's sign-in name")
    _common(r)
    r.set_defaults(func=run_remove)
    li = us.add_parser("list", help="list users and roles (never hashes)")
    _common(li, audit=False)
    li.add_argument("--json", action="store_true", help="print JSON")
    li.set_defaults(func=run_list)
    pw = us.add_parser("passwd", help="set a user's password (from stdin or a prompt)")
    pw.add_argument("name", metavar="NAME", help="the user's sign-in name")
    _common(pw)
    pw.set_defaults(func=run_passwd)
    ro = us.add_parser("role", help="change a user's role and LPAs")
    ro.add_argument("name", metavar="NAME", help="the user's sign-in name")
    _role_args(ro)
    _common(ro)
    ro.set_defaults(func=run_role)
    u.set_defaults(func=lambda args: (u.print_help(), 0)[1])


def read_password(stream=None, prompt=None) -> str:
    """One password: a line of ``stream`` (stdin), or a hidden prompt typed twice at a terminal.

    Parameters
    ----------
    stream : file-like, optional
        Where to read (default ``sys.stdin``).
    prompt : callable, optional
        Asks for the password at a terminal (default :func:`getpass.getpass`).

    Returns
    -------
    str
        The password (an error when empty or the two differ).
    """
    import getpass

    stream = sys.stdin if stream is None else stream
    if stream.isatty():
        ask = prompt or getpass.getpass
        first = ask("password: ")
        if ask("password again: ") != first:
            raise PlannerError("the two passwords differ")
        password = first
    else:
        password = stream.readline().rstrip("\r\n")
    if not password:
        raise PlannerError("no password given on standard input")
    return password


def _audit(args, action: str, name: str, detail: dict) -> bool:
    """Write the change to the audit trail when a store is given; whether it was."""
    if not getattr(args, "workspace", None) and not getattr(args, "db", None):
        print(
            "note: not in the audit trail (give --workspace DIR or --db URL to record it)",
            file=sys.stderr,
        )
        return False
    from planner.access.audit import log_event, os_user
    from planner.records.store import open_store

    with open_store(args.db, workspace=args.workspace) as store:
        log_event(
            store,
            os_user(),
            action,
            table_name="users",
            record_id=name,
            detail=detail,
            source=f"planner users ({Path(args.users).name})",
        )
    return True


def run_add(args) -> int:
    """Run ``planner users add``: add a user (password from stdin or a prompt).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.access.users import add_user

    password = read_password()
    entry = add_user(
        args.users,
        args.name,
        password,
        role=args.role,
        lpas=args.lpa,
        officer_id=args.officer_id,
    )
    _audit(args, "user_add", args.name, {"role": entry["role"], "lpas": entry["lpas"]})
    lpas = f" ({', '.join(entry['lpas'])})" if entry["lpas"] else ""
    print(f"added {args.name}: {entry['role']}{lpas}")
    return 0


def run_remove(args) -> int:
    """Run ``planner users remove``: remove a user.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.access.users import remove_user

    entry = remove_user(args.users, args.name)
    _audit(args, "user_remove", args.name, {"role": entry["role"], "lpas": entry["lpas"]})
    print(f"removed {args.name}")
    return 0


def run_passwd(args) -> int:
    """Run ``planner users passwd``: set a user's password (from stdin or a prompt).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.access.users import read_users, set_password

    if args.name not in read_users(args.users):
        raise PlannerError(f"no user {args.name!r} in {args.users}")
    set_password(args.users, args.name, read_password())
    _audit(args, "password_change", args.name, {})
    print(f"password changed for {args.name}")
    return 0


def run_role(args) -> int:
    """Run ``planner users role``: change a user's role and LPAs.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.access.users import set_role

    before, after = set_role(
        args.users, args.name, role=args.role, lpas=args.lpa, officer_id=args.officer_id
    )
    _audit(
        args,
        "role_change",
        args.name,
        {
            "role": [before["role"], after["role"]],
            "lpas": [before["lpas"], after["lpas"]],
        },
    )
    print(f"{args.name}: {before['role']} -> {after['role']}")
    return 0


def run_list(args) -> int:
    """Run ``planner users list``: list users and roles (never hashes).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        Exit status (0: success; errors are raised as :class:`~planner.errors.PlannerError`).
    """
    from planner.access.users import public_entry, read_users

    users = read_users(args.users)
    rows = {name: public_entry(e) for name, e in sorted(users.items())}
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for name, e in rows.items():
        lpas = ", ".join(e.get("lpas") or [])
        officer = f" officer {e['officer_id']}" if e.get("officer_id") else ""
        print(f"{name}\t{e['role']}\t{lpas}{officer}")
    return 0
