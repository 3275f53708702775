"""Errors shown to users as one clear line (never a traceback)."""

from __future__ import annotations

from os import PathLike


class PlannerError(Exception):
    """A problem with the user's input or request, reported as one line."""


class InputError(PlannerError):
    """A malformed input file: names the file, line and field."""

    def __init__(
        self,
        file: str | PathLike[str] | None,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ):
        self.file = str(file)
        self.message = message
        self.line = line
        self.field = field
        where = self.file
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # picklable with its keyword arguments (errors raised on a Dask worker come back whole)
        return (_input_error, (type(self), self.file, self.message, self.line, self.field))


def _input_error(cls, file, message, line, field):
    return cls(file, message, line=line, field=field)


class AccessDenied(PlannerError):
    """The signed-in user's role does not allow the request (issue 15)."""
