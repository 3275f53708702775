"""The rejects CSV of a streamed `planner load` is written column-wise in Arrow: byte for
byte what ``DataFrame.to_csv`` writes (the reference), on built edge cases and real rejects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.io.crime_stream import csv_field_py, csv_text, load_to_parquet
from planner.paths import GEODATA

API = GEODATA / "crime" / "policeuk_api_2018-06_wm_area.csv.gz"


def test_edge_cases_match_to_csv():
    vals = ["plain", "", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "é ü ß", "  pad ", "/x\\y"]
    df = pd.DataFrame(
        {
            "source_file": pd.Series(vals, dtype="string"),
            "source_row": np.arange(len(vals), dtype=np.int64),
            "value": pd.Series(vals[::-1], dtype=object),
            "raw": pd.Series([*vals[:-1], None], dtype="string"),
        }
    )
    assert csv_text(df) == df.to_csv(index=False, header=False)
    assert csv_text(df.iloc[:0]) == ""
    assert [csv_field_py(v) for v in ("a", "a,b", 'q"')] == ["a", '"a,b"', '"q"""']


def test_other_dtypes_are_left_to_pandas():
    assert csv_text(pd.DataFrame({"x": [1.5, 2.0]})) is None
    assert csv_text(pd.DataFrame({"x": pd.Series(["a", 3], dtype=object)})) is None


def test_streamed_rejects_file_is_byte_for_byte_pandas(tmp_path):
    """5,743 real rejects (outside the force area): the file equals pandas' to_csv of them."""
    from planner.testing import api_to_street

    src = tmp_path / "2018-06-west-midlands-street.csv"
    api_to_street(API).to_csv(src, index=False)
    s = load_to_parquet([src], tmp_path / "c.parquet", boundary=GEODATA / "force_area.parquet")
    assert s.rejected == 5743
    text = (tmp_path / "c_rejects.csv").read_text()
    df = pd.read_csv(tmp_path / "c_rejects.csv", dtype=str, keep_default_na=False)
    df["source_row"] = df["source_row"].astype(np.int64)
    assert text == df.to_csv(index=False)
    assert len(df) == 5743 and (df["reason"] == "outside force area").all()


@pytest.mark.parametrize("n", [1, 3])
def test_header_written_once(tmp_path, n):
    from planner.testing import api_to_street

    files = []
    for i in range(n):
        f = tmp_path / f"2018-0{i + 1}-west-midlands-street.csv"
        api_to_street(API).sample(3000, random_state=1).assign(Month=f"2018-0{i + 1}").to_csv(
            f, index=False
        )
        files.append(f)
    s = load_to_parquet(files, tmp_path / "c.parquet", boundary=GEODATA / "force_area.parquet")
    lines = (tmp_path / "c_rejects.csv").read_text().splitlines()
    assert lines[0] == "source_file,source_row,reason,field,value,raw"
    assert sum(ln.startswith("source_file,") for ln in lines) == 1
    assert len(pd.read_csv(tmp_path / "c_rejects.csv")) == s.rejected > 0


def _ref_json(table, idx):
    from planner.io.crime_fast import raw_rows

    return raw_rows(table, idx).to_json(orient="records", lines=True).splitlines()


def test_raw_json_lines_match_pandas_to_json():
    import pyarrow as pa

    from planner.io.crime_fast import json_lines

    vals = [
        "plain",
        "",
        'q"uote',
        "back\\slash",
        "a/b",
        "tab\there",
        "nl\nx",
        "é",
        "€ 5",
        "\x7f",
        "𝄞",
    ]
    t = pa.table({"Crime ID": vals, "Month/Year": vals[::-1], "x": ["1"] * len(vals)})
    idx = np.arange(len(vals))
    assert json_lines(t, idx) == _ref_json(t, idx)
    assert json_lines(t, idx[::-2]) == _ref_json(t, idx[::-2])
    assert json_lines(t, idx[:0]) == []


def test_raw_json_lines_on_the_real_month():
    import pyarrow as pa

    from planner.io.crime_fast import json_lines, read_table
    from planner.testing import api_to_street

    data = api_to_street(API).to_csv(index=False).encode()
    t = read_table(data)
    assert isinstance(t, pa.Table) and t.num_rows == 30831
    idx = np.arange(0, t.num_rows, 3)
    assert json_lines(t, idx) == _ref_json(t, idx)
