"""The users file: names, roles and salted argon2 password hashes (never a password).

A JSON file, written atomically with owner-only permissions::

    {"format": "planner-users/1",
     "users": {"alice": {"hash": "$argon2id$v=19$...", "role": "inspector",
                          "lpas": ["Coventry"], "officer_id": null,
                          "created": "2026-12-01T22:50:00Z", "updated": "..."}}}

Hashes are argon2id (argon2-cffi's defaults, a random salt per hash). Managed by
``planner users add|remove|list|passwd --users FILE``.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from planner.access.roles import Principal, check_role
from planner.errors import InputError, PlannerError

FORMAT = "planner-users/1"


@dataclass(frozen=True)
class UsersConfig:
    """Settings of the users file.

    min_password_length: shortest password accepted (NCSC guidance: at least 8 characters
    with throttled sign-in).
    max_name_length: longest user name.
    """

    min_password_length: int = 8
    max_name_length: int = 120


DEFAULT_USERS_CONFIG = UsersConfig()

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A valid hash of a random password, verified against when the user is unknown.

    A valid hash of a random password, verified against when the user is unknown (so
    that a sign-in for an unknown name takes as long as one for a known name).
    """
    return _hasher.hash(os.urandom(16).hex())


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_users(path: str | Path) -> dict[str, dict[str, Any]]:
    """The users of a users file (``{}`` when the file does not exist yet).

    Parameters
    ----------
    path : str or Path
        The users file (TOML).

    Returns
    -------
    dict
        ``{name: entry}``.

    Raises
    ------
    InputError
        When the file is not a planner users file, or an entry lacks a hash or a valid role.
    """
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(str(p), f"not a JSON users file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(str(p), f"not a planner users file (expected format {FORMAT!r})")
    users = data.get("users")
    if not isinstance(users, dict):
        raise InputError(str(p), "no 'users' table", field="users")
    for name, u in users.items():
        if not isinstance(u, dict) or not str(u.get("hash", "")).startswith("$argon2"):
            raise InputError(str(p), f"user {name!r}: no argon2 hash", field="hash")
        try:
            check_role(str(u.get("role")), u.get("lpas") or ())
        except PlannerError as exc:
            raise InputError(str(p), f"user {name!r}: {exc}", field="role") from None
    return users


def write_users(path: str | Path, users: dict[str, dict[str, Any]]) -> None:
    """Write the users file atomically (a temporary file renamed over it), mode 0600.

    Parameters
    ----------
    path : str or Path
        The users file (TOML).
    users : dict
        Every user's entry (with hashes).
    """
    p = Path(path)
    if not p.parent.is_dir():
        raise PlannerError(f"cannot write {p}: folder {p.parent} does not exist")
    text = json.dumps({"format": FORMAT, "users": users}, indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".users-", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_name(name: str, config: UsersConfig = DEFAULT_USERS_CONFIG) -> str:
    """A valid user name (no spaces or control characters, not empty, not too long).

    Parameters
    ----------
    name : str
        The proposed name.
    config : UsersConfig
        Password and name rules.

    Returns
    -------
    str
        The name (an :class:`~planner.errors.PlannerError` when invalid).
    """
    if not name or len(name) > config.max_name_length:
        raise PlannerError(f"user name must be 1 to {config.max_name_length} characters")
    if any(c.isspace() or not c.isprintable() for c in name):
        raise PlannerError(f"user name {name!r} may not contain spaces or control characters")
    return name


def hash_password(password: str, config: UsersConfig = DEFAULT_USERS_CONFIG) -> str:
    """A salted argon2id hash of ``password`` (refuses passwords that are too short).

    Parameters
    ----------
    password : str
        The password (never logged).
    config : UsersConfig
        Password and name rules.

    Returns
    -------
    str
        The argon2id hash.
    """
    if len(password) < config.min_password_length:
        raise PlannerError(f"password too short: at least {config.min_password_length} characters")
    return _hasher.hash(password)


def add_user(
    path: str | Path,
    name: str,
    password: str,
    *,
    role: str,
    lpas: tuple[str, ...] | list[str] = (),
    officer_id: str | None = None,
    config: UsersConfig = DEFAULT_USERS_CONFIG,
) -> dict[str, Any]:
    """Add a user (an existing name is an error: use :func:`set_role` / :func:`set_password`).

    Parameters
    ----------
    path : str or Path
        The users file (TOML).
    name : str
        The user's sign-in name.
    password : str
        The password (never logged).
    role : str
        The role (one of :data:`planner.access.roles.ROLES`).
    lpas : sequence of str
        The LPAs of an inspector's scope (none for the other roles).
    officer_id : str, optional
        The officer a user of role ``officer`` is.
    config : UsersConfig
        Password and name rules.

    Returns
    -------
    dict
        The stored entry (without the hash).
    """
    check_name(name, config)
    role, lp = check_role(role, lpas)
    if officer_id is not None and role != "officer":
        raise PlannerError("--officer-id is only for users with role officer")
    users = read_users(path)
    if name in users:
        raise PlannerError(f"user {name!r} already exists in {path}")
    now = _now()
    users[name] = {
        "hash": hash_password(password, config),
        "role": role,
        "lpas": list(lp),
        "officer_id": officer_id,
        "created": now,
        "updated": now,
    }
    write_users(path, users)
    return public_entry(users[name])


def remove_user(path: str | Path, name: str) -> dict[str, Any]:
    """Remove a user; returns the removed entry (without the hash).

    Parameters
    ----------
    path : str or Path
        The users file (TOML).
    name : str
        The user's sign-in name.

    Returns
    -------
    dict
        The removed entry (without the hash).
    """
    users = read_users(path)
    if name not in users:
        raise PlannerError(f"no user {name!r} in {path}")
    entry = users.pop(name)
    write_users(path, users)
    return public_entry(entry)


def set_password(
    path: str | Path, name: str, password: str, config: UsersConfig = DEFAULT_USERS_CONFIG
) -> None:
    """Replace a user's password hash.

    Parameters
    ----------
    path : str or Path
        The users file (TOML).
    name : str
        The user's sign-in name.
    password : str
        The password (never logged).
    config : UsersConfig
        Password and name rules.
    """
    users = read_users(path)
    if name not in users:
        raise PlannerError(f"no user {name!r} in {path}")
    users[name]["hash"] = hash_password(password, config)
    users[name]["updated"] = _now()
    write_users(path, users)


def set_role(
    path: str | Path,
    name: str,
    *,
    role: str,
    lpas: tuple[str, ...] | list[str] = (),
    officer_id: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change a user's role (and LPAs); returns the entries before and after (no hashes).

    Parameters
    ----------
    path : str or Path
        The users file (TOML).
    name : str
        The user's sign-in name.
    role : str
        The new role.
    lpas : sequence of str
        The new LPAs (inspectors).
    officer_id : str, optional
        The officer a user of role ``officer`` is.

    Returns
    -------
    tuple of dict
        The entry before and after (no hashes).
    """
    role, lp = check_role(role, lpas)
    users = read_users(path)
    if name not in users:
        raise PlannerError(f"no user {name!r} in {path}")
    before = public_entry(users[name])
    users[name].update(
        role=role, lpas=list(lp), officer_id=officer_id if role == "officer" else None
    )
    users[name]["updated"] = _now()
    write_users(path, users)
    return before, public_entry(users[name])


def public_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry without its hash (what may be printed or audited).

    Parameters
    ----------
    entry : dict
        A users-file entry.

    Returns
    -------
    dict
        The entry without ``hash``.
    """
    return {k: v for k, v in entry.items() if k != "hash"}


def verify(users: dict[str, dict[str, Any]], name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s password (constant work for unknown names).

    Parameters
    ----------
    users : dict
        The users (:func:`read_users`).
    name : str
        The user's sign-in name.
    password : str
        The password (never logged).

    Returns
    -------
    bool
        True when it matches.
    """
    entry = users.get(name)
    try:
        return _hasher.verify(entry["hash"] if entry else _dummy_hash(), password) and bool(entry)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def principal(users: dict[str, dict[str, Any]], name: str) -> Principal | None:
    """The principal of a users-file user (None when the name is not in the file).

    Parameters
    ----------
    users : dict
        The users (:func:`read_users`).
    name : str
        The user's sign-in name.

    Returns
    -------
    Principal or None
        The user's role, LPAs and officer id.
    """
    entry = users.get(name)
    if entry is None:
        return None
    return Principal(
        user=name,
        role=entry["role"],
        lpas=tuple(entry.get("lpas") or ()),
        officer_id=entry.get("officer_id"),
    )


class UsersFile:
    """A users file re-read whenever it changes on disk (removals take effect at once)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, dict[str, Any]] = {}
        if not self.path.is_file():
            raise PlannerError(
                f"{self.path}: no such users file (create it with `planner users add`)"
            )
        self.users()

    def users(self) -> dict[str, dict[str, Any]]:
        """The current users (re-read when the file's mtime or size changed).

        Returns
        -------
        dict
            ``{name: entry}``.
        """
        st = self.path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._users = read_users(self.path)
            self._stamp = stamp
        return self._users

    def verify(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s password (:func:`verify` on the current users).

        Parameters
        ----------
        name : str
            The sign-in name.
        password : str
            The password.

        Returns
        -------
        bool
            True when it matches.
        """
        return verify(self.users(), name, password)

    def principal(self, name: str) -> Principal | None:
        """The principal of a user of the file (:func:`principal` on the current users).

        Parameters
        ----------
        name : str
            The sign-in name.

        Returns
        -------
        Principal or None
            None when the name is not in the file.
        """
        return principal(self.users(), name)
