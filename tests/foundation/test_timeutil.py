"""planner.timeutil: epoch conversions, month arithmetic and funding years, exact values."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from planner import timeutil as tu


def test_epoch_round_trip_across_the_autumn_clock_change():
    # 26 Oct 2025: 01:30 BST (00:30 UTC) and 01:30 GMT (01:30 UTC) are an hour apart
    sec = np.array([1761438600.0, 1761442200.0, 0.0])
    ts = tu.from_epoch(sec)
    assert [str(t) for t in ts] == [
        "2025-10-26 01:30:00+01:00",
        "2025-10-26 01:30:00+00:00",
        "1970-01-01 01:00:00+01:00",  # the UK was on British Standard Time in 1970
    ]
    np.testing.assert_array_equal(tu.to_epoch(ts), sec)
    np.testing.assert_array_equal(tu.to_epoch_ns(ts), (sec * 1e9).astype(np.int64))


def test_to_epoch_refuses_naive_timestamps():
    with pytest.raises(ValueError, match="timezone-aware"):
        tu.to_epoch(pd.Series(pd.to_datetime(["2025-01-01"])))


def test_month_arithmetic():
    assert tu.add_months("2025-11", 3) == "2026-02"
    assert tu.add_months("2025-01", -1) == "2024-12"
    assert tu.add_months("2025-01", -13) == "2023-12"
    assert tu.month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert tu.month_range("2025-02", "2025-01") == []
    with pytest.raises(ValueError):
        tu.parse_month("2025-13")


def test_funding_years_start_in_april():
    assert tu.funding_year(date(2026, 3, 31)) == 2025
    assert tu.funding_year(date(2026, 4, 1)) == 2026
    assert tu.funding_year_start(date(2026, 1, 15)) == date(2025, 4, 1)
    assert tu.funding_year(date(2026, 1, 15), start_month=1) == 2026
