"""The harm table: documented, complete, validated; per-offence weights override by code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.harm import HarmTable
from planner.schema import CRIME_TYPES, make_crimes


def test_default_table_covers_the_14_types_with_documented_values():
    t = HarmTable.default()
    t.check_covers(CRIME_TYPES)
    assert set(t.weights) == set(CRIME_TYPES)
    # ONS CSS grouped means (geodata/PROVENANCE.md)
    assert t.weights["Burglary"] == 703.25
    assert t.weights["Violence and sexual offences"] == 1098.46
    assert t.weights["Anti-social behaviour"] == 10
    assert t.knife_share["Possession of weapons"] == 1.0
    assert t.knife_share["Bicycle theft"] == 0.0


def test_weights_apply_as_columns_and_unknown_types_are_nan():
    t = HarmTable.default()
    w = t.weights_for(pd.Series(["Robbery", "Jaywalking"]))
    assert w[0] == 746 and np.isnan(w[1])
    c = make_crimes(
        [400000, 400100], [286000, 286000], ["Robbery", "Shoplifting"], month=["2025-01", "2025-01"]
    )
    assert c["harm"].tolist() == [746.0, 13.0]
    assert c["knife_weight"].tolist() == [0.25, 0.0]


def test_bad_tables_name_line_and_field(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("crime_type,weight\nRobbery,746\nBurglary,lots\n")
    with pytest.raises(InputError, match=r"h.csv, line 3, field 'weight'"):
        HarmTable.from_csv(p)
    p.write_text("crime_type,weight,knife_share\nRobbery,746,1.5\n")
    with pytest.raises(InputError, match="knife_share must be between 0 and 1"):
        HarmTable.from_csv(p)
    p.write_text("type,w\n")
    with pytest.raises(InputError, match="field 'crime_type'"):
        HarmTable.from_csv(p)


def test_offence_weights_override_category_weights(tmp_path):
    p = tmp_path / "cchi.csv"
    p.write_text("ho_code,weight\n8/1,1500\n 34/1 ,900\n")
    t = HarmTable.from_offence_weights(p)
    w = t.weights_for(
        pd.Series(["Violence and sexual offences", "Robbery", "Robbery"]),
        pd.Series(["8/1", "34/1", "99/9"]),
    )
    assert w.tolist() == [1500.0, 900.0, 746.0]
