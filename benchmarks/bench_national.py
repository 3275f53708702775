"""Inputs and baselines for the whole-command crime ingest and national-scale benchmarks
(issue 16, items 1 and 4). REPLICATED data: real police.uk months copied under other month
or force names, never new crimes. Generated data goes to a folder you name (keep it out of
the repository).

    # the real WM month (police.uk API, geodata/crime) as street CSVs, replicated to N months
    python benchmarks/bench_national.py wm --months 60 --out /tmp/wm60
    # the police.uk archive layout (one folder per month, one file per force) of ROWS rows:
    # the 35 real Leicestershire months and the WM month, copied as forces r000, r001, ...
    python benchmarks/bench_national.py archive --rows 20000000 --out /tmp/archive
    # the baseline: pyarrow reads every street CSV below the folder (interpreter start included)
    python benchmarks/bench_national.py read /tmp/archive

Time the commands from outside as whole processes, paired with the baseline
(``/usr/bin/time -v`` for the peak RSS), e.g. ``planner load /tmp/wm60 --boundary
geodata/force_area.parquet --out /tmp/o.parquet --json`` against ``read /tmp/wm60``, and
``planner load /tmp/archive --by-force --boundary B --out /tmp/byforce`` then ``planner tgps
--by-force --crimes /tmp/byforce --boundary B --out /tmp/tgps``. Figures: docs/benchmarks.md
("Crime ingest and national scale").
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "real"
LEICS = SHARED / "crime" / "leicestershire"


def _months(n: int, first: int = 2000) -> list[str]:
    return [f"{first + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def wm(months: int, out: Path) -> int:
    """The WM month as ``months`` monthly street files (``Month`` relabelled)."""
    from planner.testing import api_to_street

    s = api_to_street(REPO / "geodata" / "crime" / "policeuk_api_2018-06_wm_area.csv.gz")
    out.mkdir(parents=True, exist_ok=True)
    for m in _months(months, 2015):
        d = out / m
        d.mkdir(exist_ok=True)
        s.assign(Month=m).to_csv(d / f"{m}-west-midlands-street.csv", index=False)
    return len(s) * months


def archive(rows: int, out: Path) -> int:
    """Copies of the 35 Leicestershire months (as written, gzip) and the WM month until
    ``rows`` rows: force ``leicestershire-rNNN`` for each copy (boundary: the Leicestershire
    LSOAs) and ``west-midlands-rNNN`` (boundary: the WM force area), one folder per month."""
    from planner.testing import api_to_street

    if not LEICS.is_dir():
        sys.exit(f"needs {LEICS}")
    leics = sorted(LEICS.glob("*-street.csv.gz"))
    lrows = [gzip.decompress(f.read_bytes()).count(b"\n") - 1 for f in leics]
    wm_df = api_to_street(REPO / "geodata" / "crime" / "policeuk_api_2018-06_wm_area.csv.gz")
    wm_csv = wm_df.assign(Month="2018-06").to_csv(index=False).encode()
    done, k = 0, 0
    while done < rows:
        for f, n in zip(leics, lrows, strict=True):
            m = f.name[:7]
            d = out / m
            d.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, d / f"{m}-leicestershire-r{k:03d}-street.csv.gz")
            done += n
        d = out / "2018-06"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"2018-06-west-midlands-r{k:03d}-street.csv").write_bytes(wm_csv)
        done += len(wm_df)
        k += 1
    return done


def read(folder: str) -> int:
    """The baseline: every street CSV read by pyarrow (multi-threaded), nothing else."""
    import pyarrow.csv as pacsv

    n = 0
    for f in sorted(Path(folder).rglob("*-street.csv*")):
        n += pacsv.read_csv(f).num_rows
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wm")
    w.add_argument("--months", type=int, default=60)
    w.add_argument("--out", type=Path, required=True)
    a = sub.add_parser("archive")
    a.add_argument("--rows", type=int, default=20_000_000)
    a.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("read")
    r.add_argument("folder")
    args = ap.parse_args(argv)
    if args.cmd == "wm":
        print(f"{wm(args.months, args.out):,} rows (REPLICATED) in {args.out}")
    elif args.cmd == "archive":
        print(f"{archive(args.rows, args.out):,} rows (REPLICATED) in {args.out}")
    else:
        print(read(args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
