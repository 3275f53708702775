"""CSV text to a string frame with physical line numbers, shared by every CSV reader.

Fast path through pandas when every record is one line with the header's field count;
otherwise the csv module record by record, so that a row with extra or missing fields, or a
stray quote, is one reject at its own line and never shifts or swallows the rest.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from planner.errors import InputError


def read_csv_text(name: str, data: bytes) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Parse CSV bytes: all columns as strings, malformed rows (wrong field count) apart.

    Parameters
    ----------
    name
        The file's name, for messages.
    data
        The file's bytes (UTF-8 with or without BOM, else Latin-1).

    Returns
    -------
    tuple
        The frame with a ``_line`` column (the physical line where the record starts,
        header = 1) and a list of (line, reason detail, raw text) for malformed rows.

    Notes
    -----
    A stray (unbalanced) quote rejects its own line only: reading resumes on the next line
    instead of swallowing the rest of the file into one field.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        raise InputError(name, "file is empty", line=1)
    if "\x00" in text[:4096]:
        raise InputError(name, "not a text CSV file (binary content)", line=1)
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        # header=None: every row must have the header's field count (more -> ParserError,
        # fewer -> checked below); a blank line or a quoted newline changes the row count
        df = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            on_bad_lines="error",
            skip_blank_lines=False,
        )
        if len(df) == n_lines and _no_short_rows(text, df):
            header = [str(c) for c in df.iloc[0]]
            if len(set(header)) == len(header):
                df = df.iloc[1:].reset_index(drop=True)
                df.columns = header
                df.insert(0, "_line", np.arange(2, len(df) + 2, dtype="int64"))
                return df, []
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        pass
    return _read_csv_slow(name, text)


def _why(exc: csv.Error) -> str:
    """The csv module's complaint in a user's words."""
    msg = str(exc)
    if "end of data" in msg:
        return "unclosed quote (the field's closing quote is missing)"
    if "expected after" in msg:
        return "stray quote inside a field (a quote must be doubled or close the field)"
    if "new-line character" in msg:
        return "carriage return inside an unquoted field"
    return f"unreadable row ({msg})"


def _no_short_rows(text: str, df: pd.DataFrame) -> bool:
    """True when every row had the header's field count (pandas pads short rows with "").

    Longer rows already raised, so the delimiters outside quoted fields must number exactly
    (fields - 1) per line; commas inside quoted fields are the commas in the cell values.
    """
    commas = text.count(",")
    if '"' in text:
        commas -= int(sum(df[c].str.count(",").sum() for c in df.columns))
    return commas == (df.shape[1] - 1) * len(df)


class _LineFeed:
    """Iterate ``lines`` from ``pos`` without copying (a restart after a bad quote is O(1))."""

    def __init__(self, lines: list[str], pos: int):
        self.lines, self.i = lines, pos

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if self.i >= len(self.lines):
            raise StopIteration
        self.i += 1
        return self.lines[self.i - 1]


def _read_csv_slow(name: str, text: str) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """The csv module, record by record, with physical line numbers and quote recovery."""
    lines = io.StringIO(text).readlines()
    try:
        header = next(csv.reader(lines[:1], strict=True), [])
    except csv.Error as exc:
        raise InputError(name, f"header row cannot be read ({exc})", line=1) from None
    rows: list[list[str]] = []
    starts: list[int] = []
    bad: list[tuple[int, str, str]] = []
    pos = 1  # index into ``lines`` of the next record's first line
    while pos < len(lines):
        reader = csv.reader(_LineFeed(lines, pos), strict=True)
        done = 0  # physical lines consumed by this reader so far
        restart = False
        while True:
            first = pos + done
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # a quote opened on this line never closed (or closed mid-field): reject this
                # line alone and read on from the next one
                raw = lines[first].rstrip("\r\n")
                bad.append((first + 1, _why(exc), raw))
                pos, restart = first + 1, True
                break
            done = reader.line_num
            if not rec:
                continue
            if len(rec) == len(header):
                rows.append(rec)
                starts.append(first + 1)
            else:
                # (a record whose quoted field spans lines and then closes properly is one
                # reject, starting on its first line)
                bad.append(
                    (first + 1, f"expected {len(header)} fields, found {len(rec)}", ",".join(rec))
                )
        if not restart:
            break
    df = pd.DataFrame(rows, columns=header, dtype=str)
    df.insert(0, "_line", np.asarray(starts, dtype="int64"))
    return df, bad
