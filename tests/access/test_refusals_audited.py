"""Every refusal of a choice outside the principal's scope is an AccessDenied that is in the
audit trail as ``denied`` with the user (issue 15): a TGP or team outside the principal's list,
a Tasking LPA or day of another LPA, a drill-down into another LPA, a community report of an
area outside the scope. Expected values come from the store and the workspace tables."""

from __future__ import annotations

import pytest

from planner.access.roles import Principal
from planner.errors import AccessDenied


@pytest.fixture
def audit_calls(tmp_path, inspector_lpa):
    """The served process's audit hook (``audit_downloads``) collecting (user, action, kw)."""
    from planner.access.server import Gate, audit_downloads
    from planner.access.users import UsersFile, add_user

    f = tmp_path / "u.json"
    add_user(f, "insp", "insp-password-1", role="inspector", lpas=[inspector_lpa])
    calls: list = []
    gate = Gate(
        users=UsersFile(f), audit=lambda user, action, **kw: calls.append((user, action, kw))
    )
    audit_downloads(gate)
    yield calls
    audit_downloads(None)


@pytest.fixture(scope="module")
def lpas(served_ws, inspector_lpa):
    from planner.workspace import Workspace

    every = sorted(Workspace(served_ws).officers()["lpa"].dropna().unique())
    return inspector_lpa, [x for x in every if x != inspector_lpa][0]


def _insp(lpa: str) -> Principal:
    return Principal("insp", "inspector", (lpa,))


def _denied(calls) -> list:
    return [(u, kw["role"], kw["detail"]) for u, a, kw in calls if a == "denied"]


def test_a_tgp_of_another_lpa_is_refused_and_audited_on_delivery(served_ws, lpas, audit_calls):
    from planner.app.cache import get_data
    from planner.app.state.delivery import DeliveryState

    mine, other = lpas
    data = get_data(served_ws)
    tgps = data.table("tgps")
    other_tgp = sorted(tgps.loc[tgps["lpa"] == other, "tgp_id"].astype(str))[0]
    st = DeliveryState(data, principal=_insp(mine))
    before = st.tgp
    assert before in set(tgps.loc[tgps["lpa"] == mine, "tgp_id"].astype(str))
    with pytest.raises(AccessDenied, match="insp .inspector. may not choose tgp"):
        st.tgp = other_tgp
    assert st.tgp == before
    assert _denied(audit_calls) == [("insp", "inspector", {"attempt": "tgp", "value": other_tgp})]
    # control: intelligence may choose it, and nothing more is audited
    DeliveryState(data, principal=Principal("intel", "intelligence")).tgp = other_tgp
    assert len(_denied(audit_calls)) == 1


def test_a_team_and_a_tgp_of_another_lpa_are_refused_and_audited_on_the_plan(
    served_ws, lpas, audit_calls
):
    from planner.app.cache import get_data
    from planner.app.state.plan import PlanState

    mine, other = lpas
    data = get_data(served_ws)
    st = PlanState(data, principal=_insp(mine))
    # the other LPA's teams and TGPs as an intelligence user choosing that LPA gets them
    theirs = PlanState(data, principal=Principal("intel", "intelligence"), lpa=other)
    other_team, other_tgp = theirs.param.team.objects[0], theirs.param.tgp.objects[0]
    assert other_team not in st.param.team.objects and other_tgp not in st.param.tgp.objects
    team, tgp = st.team, st.tgp
    with pytest.raises(AccessDenied):
        st.team = other_team
    with pytest.raises(AccessDenied):
        st.param.update(tgp=other_tgp)  # what a widget link sends
    assert (st.team, st.tgp) == (team, tgp)
    assert _denied(audit_calls) == [
        ("insp", "inspector", {"attempt": "team", "value": other_team}),
        ("insp", "inspector", {"attempt": "tgp", "value": other_tgp}),
    ]


def test_drill_downs_and_reports_outside_the_scope_are_audited(served_ws, lpas, audit_calls):
    from planner.app.cache import get_data, get_store
    from planner.app.state.commitments import CommitmentsState
    from planner.app.state.neighbourhoods import RecordsDrillState, RecordsState
    from planner.records import default_store_path

    mine, other = lpas
    data = get_data(served_ws)
    store = get_store(str(default_store_path(data.ws)))
    p = _insp(mine)
    com = CommitmentsState(data, store, principal=p)
    with pytest.raises(AccessDenied):
        com.abs_drill.drill(other)  # a click on another LPA's bar
    with pytest.raises(AccessDenied):
        com.report_html(other)
    rec = RecordsState(data, store, principal=p)
    with pytest.raises(AccessDenied):
        rec.counts([other])
    with pytest.raises(AccessDenied):
        RecordsDrillState(records=rec).drill(other)
    assert com.abs_drill.path == []
    assert _denied(audit_calls) == [
        ("insp", "inspector", {"attempt": "drill", "lpa": other}),
        ("insp", "inspector", {"attempt": "report", "area": other}),
        ("insp", "inspector", {"attempt": "drill", "lpa": other}),
        ("insp", "inspector", {"attempt": "lpa", "lpa": other}),
    ]


def test_a_tasking_lpa_or_day_of_another_lpa_is_refused_and_audited(served_ws, lpas, audit_calls):
    from planner.app.cache import get_data, get_store
    from planner.app.state.tasking import TaskingState
    from planner.records import default_store_path

    mine, other = lpas
    data = get_data(served_ws)
    store = get_store(str(default_store_path(data.ws)))
    st = TaskingState(data, store, principal=_insp(mine))
    assert st.param.lpa.objects == [mine]
    with pytest.raises(AccessDenied):
        st.lpa = other
    with pytest.raises(AccessDenied):
        st.day_id = "ADV-OTHER-LPA-DAY"
    assert st.lpa == mine
    assert _denied(audit_calls) == [
        ("insp", "inspector", {"attempt": "lpa", "value": other}),
        ("insp", "inspector", {"attempt": "day_id", "value": "ADV-OTHER-LPA-DAY"}),
    ]


def test_without_sign_in_a_bad_choice_stays_a_value_error_and_is_not_audited(
    served_ws, audit_calls
):
    from planner.app.cache import get_data
    from planner.app.state.delivery import DeliveryState

    st = DeliveryState(get_data(served_ws))
    with pytest.raises(ValueError, match="not-a-tgp") as e:
        st.tgp = "not-a-tgp"
    assert not isinstance(e.value, AccessDenied) and _denied(audit_calls) == []


def test_a_forged_drill_key_is_refused_and_audited(served_ws, lpas, audit_calls):
    from planner.app.cache import get_data
    from planner.app.state.hotspots import CrimeDrillState, MapState

    mine, other = lpas
    drill = CrimeDrillState(map=MapState(get_data(served_ws), principal=_insp(mine)))
    assert list(drill.frame()["key"]) == [mine]
    with pytest.raises(AccessDenied, match="not an item"):
        drill.drill(other)  # a tap on a bar whose key the client replaced
    assert drill.path == []
    assert _denied(audit_calls) == [("insp", "inspector", {"attempt": "drill", "key": other})]
    # control: without sign-in it stays a ValueError
    nobody = CrimeDrillState(map=MapState(get_data(served_ws)))
    with pytest.raises(ValueError, match="not an item"):
        nobody.drill("no-such-lpa")
