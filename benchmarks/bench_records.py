"""Benchmark: records store imports and form writes (SQLite; PostgreSQL with PLANNER_BENCH_PG_URL).

* import of an engagement export (validation, content hashes, unknown-officer check, bulk insert
  through the driver's executemany) against a baseline that inserts the same validated rows as
  ORM objects (``session.add_all``), measured in the same run on fresh stores;
* re-import of the same file (every row a duplicate);
* one form submission (``record_engagement``), median latency;
* 20 threads submitting forms at once: throughput, and that nothing was lost.

Writes ``docs/benchmarks/records.md``.

    python benchmarks/bench_records.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_info  # noqa: E402

from planner.records import load_reference, open_store, record_engagement  # noqa: E402
from planner.records import models as m  # noqa: E402
from planner.records.imports import content_hash, import_engagements, read_export, validate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOW = pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime()


def people(n_wards: int = 40, per_ward: int = 3) -> dict[str, pd.DataFrame]:
    wards = pd.DataFrame(
        {
            "ward_code": [f"W{i:03d}" for i in range(n_wards)],
            "ward": "w",
            "lpa": [f"L{i % 4}" for i in range(n_wards)],
            "nbh_code": [f"T{i // 4}" for i in range(n_wards)],
            "population": 10_000.0,
        }
    )
    teams = wards.drop_duplicates("nbh_code").assign(
        team_id=lambda d: d["nbh_code"], name="t", kind="neighbourhood"
    )[["team_id", "name", "kind", "lpa", "nbh_code"]]
    k = np.arange(n_wards * per_ward)
    officers = pd.DataFrame(
        {
            "officer_id": [f"O{i:04d}" for i in k],
            "name": "x",
            "role": np.where(k % per_ward == 0, "DNO", "PCSO"),
            "team_id": wards["nbh_code"].to_numpy()[k // per_ward],
            "lpa": wards["lpa"].to_numpy()[k // per_ward],
            "ward_code": wards["ward_code"].to_numpy()[k // per_ward],
            "npp1_trained": True,
        }
    )
    return {"wards": wards, "teams": teams, "officers": officers}


def export(path: Path, n: int, ppl: dict, rng) -> None:
    off = ppl["officers"]
    i = rng.integers(0, len(off), n)
    days = pd.to_timedelta(rng.integers(0, 270, n), unit="D")
    t = (
        pd.Timestamp("2025-04-01")
        + days
        + pd.to_timedelta(rng.integers(8 * 60, 20 * 60, n), unit="m")
    )
    pd.DataFrame(
        {
            "record_id": [f"E{j:08d}" for j in range(n)],
            "occurred_at": t.strftime("%Y-%m-%dT%H:%M"),
            "officer_id": off["officer_id"].to_numpy()[i],
            "ward_code": off["ward_code"].to_numpy()[i],
            "engagement_type": rng.choice(["meeting", "street briefing", "event"], n),
            "method": "face to face",
            "priority_group": "residents",
            "minority_group": rng.choice(["none", "asian", ""], n),
            "longitude": np.round(rng.uniform(-2.1, -1.7, n), 6),
            "latitude": np.round(rng.uniform(52.4, 52.6, n), 6),
        }
    ).to_csv(path, index=False)


def fresh(url_or_path, ppl):
    s = open_store(url_or_path)
    load_reference(s, **ppl)
    return s


def baseline_orm(store, path: Path) -> None:
    """The straightforward way: validate, then one ORM object per row via session.add_all."""
    raw = read_export(path, "engagements")
    clean, reasons = validate(raw, "engagements", now=NOW)
    clean = clean[reasons == ""].copy()
    clean["content_hash"] = content_hash(clean, "engagements")
    now = pd.Timestamp.now("UTC").tz_localize(None).to_pydatetime()
    recs = clean.astype(object).where(clean.notna(), None).to_dict("records")
    with store.transaction() as s:
        s.add_all(
            m.Engagement(
                **{
                    k: (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                    for k, v in r.items()
                },
                source=path.name,
                created_at=now,
                updated_at=now,
            )
            for r in recs
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    ppl = people()
    tmp = Path(tempfile.mkdtemp())
    csv = tmp / "export.csv"
    export(csv, args.rows, ppl, rng)
    backends = [("SQLite", lambda i: tmp / f"r{i}.sqlite")]
    pg = os.environ.get("PLANNER_BENCH_PG_URL")
    if pg:
        backends.append(("PostgreSQL", lambda i: pg))
    rows = []
    for name, url in backends:
        imp, base, again = [], [], []
        for r in range(args.repeat):
            s = fresh(url(f"i{r}"), ppl)
            t0 = time.perf_counter()
            res = import_engagements(s, csv, now=NOW, rejects_path=tmp / "rej.csv")
            imp.append(time.perf_counter() - t0)
            assert res.inserted == args.rows, res.counts()
            t0 = time.perf_counter()
            res2 = import_engagements(s, csv, now=NOW, rejects_path=tmp / "rej.csv")
            again.append(time.perf_counter() - t0)
            assert res2.duplicates == args.rows
            if name == "PostgreSQL":
                with s.transaction() as ss:
                    for t in ("audit_log", "engagements"):
                        ss.execute(m.Base.metadata.tables[t].delete())
            s.close()
            s = fresh(url(f"b{r}"), ppl)
            t0 = time.perf_counter()
            baseline_orm(s, csv)
            base.append(time.perf_counter() - t0)
            assert s.count("engagements") == args.rows
            if name == "PostgreSQL":
                with s.transaction() as ss:
                    ss.execute(m.Base.metadata.tables["engagements"].delete())
            s.close()
        rows.append(
            (
                name,
                statistics.median(imp),
                imp,
                statistics.median(base),
                base,
                statistics.median(again),
            )
        )
        print(
            f"{name}: import {statistics.median(imp):.2f} s, ORM baseline {statistics.median(base):.2f} s, re-import {statistics.median(again):.2f} s",
            flush=True,
        )
    # form latency and 20 concurrent writers (SQLite)
    s = fresh(tmp / "forms.sqlite", ppl)
    form = {
        "occurred_at": "2025-09-29T10:00",
        "officer_id": "O0000",
        "ward_code": "W000",
        "engagement_type": "meeting",
        "method": "face to face",
        "priority_group": "residents",
    }
    lat = []
    for _ in range(50):
        t0 = time.perf_counter()
        record_engagement(s, now=NOW, **form)
        lat.append(time.perf_counter() - t0)
    n_threads, per = 20, 10
    barrier = threading.Barrier(n_threads)

    def writer() -> None:
        barrier.wait()
        for _ in range(per):
            record_engagement(s, now=NOW, **form)

    th = [threading.Thread(target=writer) for _ in range(n_threads)]
    t0 = time.perf_counter()
    for t in th:
        t.start()
    for t in th:
        t.join()
    wall = time.perf_counter() - t0
    stored = s.count("engagements") - 50
    s.close()
    print(
        f"form: median {statistics.median(lat) * 1000:.0f} ms; 20 writers: {stored} stored in {wall:.1f} s",
        flush=True,
    )

    lines = [
        "# Records benchmark",
        "",
        f"`benchmarks/bench_records.py`: importing an engagement export of {args.rows:,} rows into a fresh store (validation, hashes, officer check, insert), median of {args.repeat} runs; baseline = the same validated rows inserted as ORM objects (`session.add_all`) in the same run.",
        f"Machine: {machine_info()}. 1-minute load average at the end: {os.getloadavg()[0]:.1f} (other jobs share the machine; medians, not minima).",
        "",
        "| backend | import s (median) | runs s | rows/s | ORM-object baseline s | runs s | ratio | re-import (all duplicates) s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, mi, imp, mb, base, ag in rows:
        lines.append(
            f"| {name} | {mi:.2f} | {', '.join(f'{x:.2f}' for x in imp)} | {args.rows / mi:,.0f} | {mb:.2f} | {', '.join(f'{x:.2f}' for x in base)} | {mb / mi:.1f}x | {ag:.2f} |"
        )
    lines += [
        "",
        f"Form submission (`record_engagement`, SQLite, validation + one transaction): median {statistics.median(lat) * 1000:.0f} ms over 50.",
        f"20 threads x {per} submissions at once on one SQLite store: {stored} of {n_threads * per} stored in {wall:.1f} s ({stored / wall:.0f} per second), none lost.",
        "",
    ]
    (ROOT / "docs" / "benchmarks" / "records.md").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
