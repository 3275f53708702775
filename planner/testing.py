"""Helpers for tests and benchmarks (like ``geopandas.testing``).

Run a notebook on a workspace; serve the app in its own process.
"""

from __future__ import annotations

import os
from pathlib import Path


def run_notebook(path: str | Path, workspace: str | Path, *, timeout: int = 600) -> str:
    """Execute a notebook top to bottom with ``PLANNER_WORKSPACE=workspace``.

    Parameters
    ----------
    path : str or Path
        The notebook.
    workspace : str or Path
        The workspace it runs on.
    timeout : int
        Seconds a cell may take.

    Returns
    -------
    str
        The text of every code cell's output (streams and ``text/plain``).

    Raises
    ------
    AssertionError
        Naming the cell when a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("PLANNER_WORKSPACE")
    os.environ["PLANNER_WORKSPACE"] = str(workspace)
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except CellExecutionError as exc:
        raise AssertionError(f"{path.name}: a cell failed:\n{exc}") from None
    finally:
        if old is None:
            os.environ.pop("PLANNER_WORKSPACE", None)
        else:
            os.environ["PLANNER_WORKSPACE"] = old
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if errors:
        raise AssertionError(
            f"{path.name}: error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        )
    return "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )


def error_lines(stderr: str) -> list[str]:
    r"""The lines of a command's stderr that are not progress lines.

    Progress lines are those :func:`planner.progress.step` prints ("X ..." when a step starts,
    "X: done in N s" when it ends); what remains is what the command said otherwise, e.g. its
    one-line error.

    Parameters
    ----------
    stderr : str
        A command's standard error.

    Returns
    -------
    list of str
        The other lines, in order.

    Examples
    --------
    >>> error_lines("load: reading 1 path(s) ...\nplanner load: error: x.csv, line 2\n")
    ['planner load: error: x.csv, line 2']
    """
    import re

    done = re.compile(r": done in \d+(\.\d+)? s$")
    return [x for x in stderr.strip().splitlines() if not (x.endswith(" ...") or done.search(x))]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    Returns
    -------
    int
        The port.
    """
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server started as its own process (e.g. ``planner serve``), as a user runs it.

    Its output lines are kept in :attr:`log` with their arrival times (``time.monotonic()``), so
    that a caller can time the server's phases (browser tests, the cold-start benchmark).
    """

    def __init__(self, cmd: list[str], *, cwd: str | Path | None = None):
        import subprocess
        import threading
        import time

        self.launched = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.log: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        import time

        assert self.proc.stdout is not None  # started with stdout=PIPE
        for line in self.proc.stdout:
            self.log.append((time.monotonic(), line))

    def tail(self, n: int = 30) -> str:
        """Return the last lines the server printed.

        Parameters
        ----------
        n : int
            Number of lines.

        Returns
        -------
        str
            The lines, joined.
        """
        return "".join(line for _, line in self.log[-n:])

    def _check(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"the server exited with code {self.proc.returncode}:\n{self.tail()}"
            )

    def line_time(self, text: str, timeout: float = 180.0) -> float:
        """Return when the server printed a line containing ``text`` (waits for it).

        Parameters
        ----------
        text : str
            Text to look for.
        timeout : float
            Seconds to wait.

        Returns
        -------
        float
            ``time.monotonic()`` when the line was read.

        Raises
        ------
        RuntimeError
            When the server exits first.
        TimeoutError
            When the line does not come in time.
        """
        import time

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            for t, line in list(self.log):
                if text in line:
                    return t
            self._check()
            time.sleep(0.005)
        raise TimeoutError(f"the server did not print {text!r} within {timeout:.0f} s")

    def wait_port(self, port: int, timeout: float = 180.0) -> float:
        """Wait until something listens on ``port``; return the time it did.

        Parameters
        ----------
        port : int
            TCP port on 127.0.0.1.
        timeout : float
            Seconds to wait.

        Returns
        -------
        float
            ``time.monotonic()`` when the port accepted a connection.

        Raises
        ------
        RuntimeError
            When the server exits first.
        TimeoutError
            When the port does not open in time.
        """
        import socket
        import time

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return time.monotonic()
            self._check()
            time.sleep(0.005)
        raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server (terminate, then kill if it does not exit)."""
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def api_to_street(api_csv: str | Path, month: str | None = None):
    """The police.uk API month as a police.uk street CSV frame (the archive's columns).

    The API month is ``geodata/crime/policeuk_api_*.csv.gz``; ``month`` relabels it.

    Parameters
    ----------
    api_csv
        The API CSV (columns ``persistent_id, month, derived_crime_type, longitude, ...``).
    month
        ``YYYY-MM`` to write in ``Month`` (default: the file's own).

    Returns
    -------
    pandas.DataFrame
        Street CSV columns, all text.
    """
    import pandas as pd

    a = pd.read_csv(api_csv, dtype=str, keep_default_na=False)
    force = "West Midlands Police"
    return pd.DataFrame(
        {
            "Crime ID": a["persistent_id"],
            "Month": month or a["month"],
            "Reported by": force,
            "Falls within": force,
            "Longitude": a["longitude"],
            "Latitude": a["latitude"],
            "Location": a["street_name"],
            "LSOA code": a["derived_lsoa11cd"],
            "LSOA name": "",
            "Crime type": a["derived_crime_type"],
            "Last outcome category": a["outcome_category"],
            "Context": a["context"],
        }
    )


def write_archive(frames: dict[tuple[str, str], object], root: str | Path) -> list[Path]:
    """Write street CSV frames in the police.uk archive layout.

    Parameters
    ----------
    frames
        ``(month, force) -> frame``: written to ``root/<month>/<month>-<force>-street.csv``.
    root
        The archive folder.

    Returns
    -------
    list of Path
        The files written.
    """
    out = []
    for (month, force), df in frames.items():
        d = Path(root) / month
        d.mkdir(parents=True, exist_ok=True)
        f = d / f"{month}-{force}-street.csv"
        df.to_csv(f, index=False)  # type: ignore[attr-defined]
        out.append(f)
    return out


def wm_two_force_archive(root: str | Path, rows: int = 6000) -> list[Path]:
    """A small police.uk archive of two 'forces' for tests.

    The first ``rows`` of the real WM API month (``geodata/crime``) split at longitude -1.9
    into ``west-mids-a`` (west) and ``west-mids-b``, written for the months 2018-06 and 2018-07.

    Parameters
    ----------
    root
        The archive folder.
    rows
        Rows of the WM month taken.

    Returns
    -------
    list of Path
        The files written.
    """
    from planner.paths import GEODATA

    s = api_to_street(GEODATA / "crime" / "policeuk_api_2018-06_wm_area.csv.gz").iloc[:rows]
    lon = s["Longitude"].astype(float)
    parts = {"west-mids-a": s[lon < -1.9], "west-mids-b": s[lon >= -1.9]}
    return write_archive(
        {(m, f): df.assign(Month=m) for m in ("2018-06", "2018-07") for f, df in parts.items()},
        root,
    )
