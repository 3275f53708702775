"""Delivery capacity and the quarter's assignment of visits to delivery methods (a MILP).

Capacity
--------
Each team gives, per day and time band, ``officers x on-duty share x band minutes x patrol
share x (1 - abstraction) x (1 - leave)`` officer-minutes, only on the weekdays and bands of
its shift pattern and only from its start date (the fifth Guardian Taskforce team from
2025-11-17). Teams of one method in one LPA (or force-wide for the taskforce) form a *pool*.
A visit by a method with crew ``c`` uses ``minutes x c`` officer-minutes.

The model (scipy.optimize.milp / HiGHS)
---------------------------------------
Variables ``x[p, t, d, b]`` (integer): visits delivered by pool ``p`` at TGP ``t`` on day ``d``
in band ``b``, for eligible pools (method patrols that TGP kind, same LPA for local methods).

* stage 1 follows the sampled timetable: ``sum_p x[p, t, d, b] <= k[t, d, b]`` (the visits
  sampled for that slot);
* capacity: ``sum_t usage x[p, t, d, b] <= capacity[p, d, b]`` in officer-minutes;
* objective: maximise harm-weighted patrol minutes (minutes x (1 + harm weight of the slot)),
  with a tiny per-method preference as tie-break.

Stage 2 (repair) re-places any visit stage 1 could not staff into another band of the same
TGP-day with spare capacity, within the per-slot cap. Visits still unplaced are *unmet*; when
they push the quarter below its floor, :func:`diagnose` names the binding constraint(s) and by
how many hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.errors import PlannerError
from planner.planning.config import PlanConfig

#: tie-break scale for method preference in the objective (far below any harm difference)
PREFERENCE_SCALE = 1e-3
#: relative random jitter of the objective when stage 2 re-places visits (unpredictability)
STAGE2_JITTER = 0.25
#: days per independent sub-problem (constraints never span days)
DAYS_PER_BLOCK = 7


@dataclass
class Capacity:
    """Officer-minutes per team, day and band, and the pools the MILP uses.

    ``team_cap[j, d, b]`` int; ``pool_of_team[j]``; ``pool_cap[p, d, b]`` (conservative: in a
    pool of several teams each team keeps back one visit's officer-minutes so that the
    assignment of pool visits to teams never overruns a team).
    """

    team_ids: np.ndarray
    team_method: np.ndarray
    team_lpa: np.ndarray
    team_cap: np.ndarray
    pool_method: np.ndarray
    pool_lpa: np.ndarray
    pool_wards: list[tuple[str, ...]]
    pool_of_team: np.ndarray
    pool_cap: np.ndarray
    margin: np.ndarray  #: per-team officer-minutes held back

    @property
    def n_pools(self) -> int:
        """Number of pools (method x LPA, or x ward set, groups of interchangeable teams)."""
        return len(self.pool_method)

    def pool_label(self, p: int) -> str:
        """Describe a pool for messages: ``"<method> (<LPA or force-wide>[, teams])"``.

        Parameters
        ----------
        p : int
            Pool index.

        Returns
        -------
        str
            The label.
        """
        lpa = self.pool_lpa[p]
        where = "force-wide" if lpa == "" else lpa
        if self.pool_wards[p]:
            teams = self.team_ids[self.pool_of_team == p]
            where += ", " + "/".join(map(str, teams))
        return f"{self.pool_method[p]} ({where})"


def team_capacity(
    cfg: PlanConfig, dates: pd.DatetimeIndex, max_visit_minutes: int | None = None
) -> Capacity:
    """Capacity arrays for the configured teams over ``dates``.

    Parameters
    ----------
    cfg : PlanConfig
        Teams (officers, shifts, patrol share, availability) and methods (crew).
    dates : pandas.DatetimeIndex
        The days planned.
    max_visit_minutes : int, optional
        The longest visit; each team keeps this much margin so its last visit fits.

    Returns
    -------
    Capacity
        Officer-minutes per team, day and band, and the pools the teams form.
    """
    dates = pd.DatetimeIndex(dates)
    nb = len(cfg.bands)
    labels = cfg.band_labels
    band_min = np.array([b.minutes for b in cfg.bands], dtype=float)
    teams = cfg.teams
    nt, nd = len(teams), len(dates)
    cap = np.zeros((nt, nd, nb), dtype=np.int64)
    dow = dates.day_of_week.to_numpy()
    day = dates.date
    for j, t in enumerate(teams):
        if t.officers < 0:
            raise PlannerError(f"team {t.team_id}: negative officer count")
        active = np.ones(nd, dtype=bool)
        if t.start_date is not None:
            active &= np.array([d >= t.start_date for d in day])
        if t.end_date is not None:
            active &= np.array([d <= t.end_date for d in day])
        active &= np.isin(dow, t.shift.weekdays)
        bands = np.isin(np.array(labels), t.shift.bands)
        share = t.shift.duty_share(dict(zip(labels, band_min, strict=True)))
        per = t.officers * share * t.patrol_share * t.availability * band_min
        cap[j] = np.floor(np.outer(active, bands * per) + 1e-9).astype(np.int64)
    methods = np.array([t.method for t in teams], dtype=object)
    lpas = np.array(
        [("" if (t.lpa is None or cfg.method(t.method).local is False) else t.lpa) for t in teams],
        dtype=object,
    )
    wards = [tuple(t.wards) for t in teams]
    tkeys = list(zip(methods.tolist(), lpas.tolist(), wards, strict=True))
    keys = list(dict.fromkeys(tkeys))
    pool_of_team = np.array([keys.index(k) for k in tkeys], dtype=np.int64)
    vmax = cfg.dosage.max_visit_minutes if max_visit_minutes is None else max_visit_minutes
    crew = np.array([cfg.method(m).crew for m in methods], dtype=np.int64)
    size = np.bincount(pool_of_team, minlength=len(keys)) if nt else np.zeros(0, dtype=np.int64)
    margin = np.where(size[pool_of_team] > 1, vmax * crew, 0) if nt else np.zeros(0, dtype=np.int64)
    eff = np.maximum(cap - margin[:, None, None], 0)
    pool_cap = np.zeros((len(keys), nd, nb), dtype=np.int64)
    np.add.at(pool_cap, pool_of_team, eff)
    return Capacity(
        team_ids=np.array([t.team_id for t in teams], dtype=object),
        team_method=methods,
        team_lpa=lpas,
        team_cap=cap,
        pool_method=np.array([k[0] for k in keys], dtype=object),
        pool_lpa=np.array([k[1] for k in keys], dtype=object),
        pool_wards=[k[2] for k in keys],
        pool_of_team=pool_of_team,
        pool_cap=pool_cap,
        margin=np.asarray(margin, dtype=np.int64),
    )


def eligibility(cap: Capacity, tgp_kind, tgp_lpa, cfg: PlanConfig, tgp_wards=None) -> np.ndarray:
    """Decide which pools may patrol which TGPs.

    A pool may patrol a TGP when its method patrols the TGP's kind, in the same LPA for local
    methods, and in a shared ward for teams restricted to wards.

    Parameters
    ----------
    cap : Capacity
        The pools.
    tgp_kind : array_like
        ``"violent"`` or ``"asb"`` per TGP.
    tgp_lpa : array_like
        LPA per TGP.
    cfg : PlanConfig
        The methods.
    tgp_wards : sequence of set, optional
        Wards each TGP touches (for ward-restricted teams).

    Returns
    -------
    numpy.ndarray
        Boolean (n_pools, n_tgps).
    """
    kind = np.asarray(tgp_kind, dtype=object)
    lpa = np.asarray(tgp_lpa, dtype=object)
    tw = None
    if tgp_wards is not None:
        tw = pd.Series(list(tgp_wards), dtype=object).fillna("").astype(str).str.split(";")
    out = np.zeros((cap.n_pools, len(kind)), dtype=bool)
    for p in range(cap.n_pools):
        m = cfg.method(cap.pool_method[p])
        ok = np.isin(kind, m.eligible_kinds)
        if m.local:
            ok &= lpa == cap.pool_lpa[p]
        if cap.pool_wards[p]:
            pw = set(cap.pool_wards[p])
            ok &= np.array([bool(pw.intersection(w)) for w in tw]) if tw is not None else False
        out[p] = ok
    return out


@dataclass
class Assignment:
    """Visits per (slot, pool): arrays of equal length ``t, d, b, p, n`` (n visits)."""

    t: np.ndarray
    d: np.ndarray
    b: np.ndarray
    p: np.ndarray
    n: np.ndarray
    status: str
    stage1_visits: int
    moved_visits: int


def _solve_one(
    slot_t,
    slot_d,
    slot_b,
    slot_ub,
    group,
    group_ub,
    usage_td,
    weight_tdb,
    cap_left,
    elig,
    cfg: PlanConfig,
    crew_pool,
    pref_pool,
):
    """One MILP over candidate (slot, pool) pairs. Returns (slot index, pool, count)."""
    nslot = len(slot_t)
    if nslot == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), "empty"
    ok = elig[:, slot_t].T & (cap_left[:, slot_d, slot_b].T > 0)  # (nslot, npool)
    si, pi = np.nonzero(ok)
    if len(si) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), "no-capacity"
    use = usage_td[slot_t[si], slot_d[si]] * crew_pool[pi]
    nv = len(si)
    nd, nb = cap_left.shape[1], cap_left.shape[2]
    # capacity rows: (pool, day, band) present among candidates
    ckey = (pi * nd + slot_d[si]) * nb + slot_b[si]
    ukey, crow = np.unique(ckey, return_inverse=True)
    cap_ub = cap_left.reshape(-1)[ukey].astype(float)
    # rows whose visits all use the same officer-minutes become visit counts with an integer
    # right-hand side: the model is then a bipartite transportation problem (totally
    # unimodular) whose LP optimum is already integral, so HiGHS solves it at the root
    umin = np.full(len(ukey), np.inf)
    umax = np.zeros(len(ukey))
    np.minimum.at(umin, crow, use)
    np.maximum.at(umax, crow, use)
    uniform = umin == umax
    coef = np.where(uniform[crow], 1.0, use.astype(float))
    cap_ub = np.where(uniform, np.floor(cap_ub / np.where(uniform, umin, 1.0)), cap_ub)
    A_cap = sparse.csr_array((coef, (crow, np.arange(nv))), shape=(len(ukey), nv))
    A_slot = sparse.csr_array((np.ones(nv), (si, np.arange(nv))), shape=(nslot, nv))
    cons = [
        LinearConstraint(A_cap, -np.inf, cap_ub),
        LinearConstraint(A_slot, -np.inf, slot_ub.astype(float)),
    ]
    if group is not None:
        ng = len(group_ub)
        A_g = sparse.csr_array((np.ones(nv), (group[si], np.arange(nv))), shape=(ng, nv))
        cons.append(LinearConstraint(A_g, -np.inf, group_ub.astype(float)))
    c = -(weight_tdb[slot_t[si], slot_d[si], slot_b[si]] + PREFERENCE_SCALE * pref_pool[pi])
    ub = slot_ub[si].astype(float)
    opts = {"time_limit": cfg.solver_time_limit, "mip_rel_gap": cfg.solver_gap, "presolve": True}
    bounds = Bounds(np.zeros(nv), ub)
    # the LP relaxation first: when its optimum is integral (the usual case, see above) it is
    # the MILP optimum; otherwise branch and bound
    res = milp(c, integrality=np.zeros(nv), bounds=bounds, constraints=cons, options=opts)
    how = "LP relaxation integral"
    if res.x is None or np.abs(res.x - np.rint(res.x)).max(initial=0.0) > 1e-6:
        res = milp(c, integrality=np.ones(nv), bounds=bounds, constraints=cons, options=opts)
        how = "branch and bound"
    if res.x is None:
        raise PlannerError(f"patrol assignment MILP failed: {res.message}")
    x = np.rint(res.x).astype(np.int64)
    keep = x > 0
    return (
        si[keep],
        pi[keep],
        x[keep],
        (f"optimal ({how})" if res.status == 0 else str(res.message)),
    )


def _solve(
    slot_t,
    slot_d,
    slot_b,
    slot_ub,
    group,
    group_ub,
    usage_td,
    weight_tdb,
    cap_left,
    elig,
    cfg: PlanConfig,
    crew_pool,
    pref_pool,
):
    """Solve the model in blocks of days.

    Every constraint (slot, TGP-day, pool-day-band) lies within one day, so the days are independent problems; blocks of ``DAYS_PER_BLOCK`` days keep
    each LP small (simplex time grows faster than linearly with size). Same optimum.
    """
    if len(slot_t) == 0:
        return _solve_one(
            slot_t,
            slot_d,
            slot_b,
            slot_ub,
            group,
            group_ub,
            usage_td,
            weight_tdb,
            cap_left,
            elig,
            cfg,
            crew_pool,
            pref_pool,
        )
    block = slot_d // DAYS_PER_BLOCK
    outs_s, outs_p, outs_x, statuses = [], [], [], []
    for blk in np.unique(block):
        idx = np.flatnonzero(block == blk)
        g = gu = None
        if group is not None:
            ug, g = np.unique(group[idx], return_inverse=True)
            gu = group_ub[ug]
        si, pi, x, st = _solve_one(
            slot_t[idx],
            slot_d[idx],
            slot_b[idx],
            slot_ub[idx],
            g,
            gu,
            usage_td,
            weight_tdb,
            cap_left,
            elig,
            cfg,
            crew_pool,
            pref_pool,
        )
        outs_s.append(idx[si])
        outs_p.append(pi)
        outs_x.append(x)
        statuses.append(st)
    bad = [
        st for st in statuses if not st.startswith("optimal") and st not in ("empty", "no-capacity")
    ]
    if bad:
        status = bad[0]
    elif any("branch" in st for st in statuses):
        status = "optimal (branch and bound)"
    elif any(st.startswith("optimal") for st in statuses):
        status = "optimal (LP relaxation integral)"
    else:
        status = statuses[0]
    return np.concatenate(outs_s), np.concatenate(outs_p), np.concatenate(outs_x), status


def assign(
    k: np.ndarray,
    visits_td: np.ndarray,
    usage_td: np.ndarray,
    weight_tdb: np.ndarray,
    slot_cap: np.ndarray,
    cap: Capacity,
    elig: np.ndarray,
    cfg: PlanConfig,
    rng: np.random.Generator | None = None,
) -> Assignment:
    """Assign sampled visits to pools under capacity, then re-place unstaffed visits.

    Stage 1 staffs the visits ``k[t, d, b]`` as drawn (a HiGHS MILP); stage 2 moves visits
    that could not be staffed to other bands of the same TGP-day.

    Parameters
    ----------
    k : numpy.ndarray
        Sampled visits per TGP, day and band.
    visits_td : numpy.ndarray
        Visits per TGP-day.
    usage_td : numpy.ndarray
        Longest visit at each TGP-day in minutes (capacity is charged conservatively at that
        length).
    weight_tdb : numpy.ndarray
        Objective value of a visit per slot.
    slot_cap : numpy.ndarray
        Most visits a slot may hold.
    cap : Capacity
        Officer-minutes per team, day and band.
    elig : numpy.ndarray
        :func:`eligibility`.
    cfg : PlanConfig
        Crew sizes and solver settings.
    rng : numpy.random.Generator, optional
        Breaks ties between equal placements.

    Returns
    -------
    Assignment
        Visits per slot and pool (arrays ``t, d, b, p, n``), the solver status, the visits
        staffed as drawn and those moved.
    """
    crew_pool = np.array([cfg.method(m).crew for m in cap.pool_method], dtype=np.int64)
    pref_pool = np.array([cfg.method(m).preference for m in cap.pool_method], dtype=float)
    cap_left = cap.pool_cap.copy()
    st, sd, sb = np.nonzero(k)
    s1, p1, x1, status = _solve(
        st,
        sd,
        sb,
        k[st, sd, sb],
        None,
        None,
        usage_td,
        weight_tdb,
        cap_left,
        elig,
        cfg,
        crew_pool,
        pref_pool,
    )
    T, D, B = k.shape
    placed = np.zeros_like(k)
    np.add.at(placed, (st[s1], sd[s1], sb[s1]), x1)
    used = np.zeros_like(cap_left)
    np.add.at(used, (p1, sd[s1], sb[s1]), x1 * usage_td[st[s1], sd[s1]] * crew_pool[p1])
    cap_left = cap_left - used
    stage1 = int(x1.sum())
    out_t, out_d, out_b, out_p, out_n = [st[s1]], [sd[s1]], [sb[s1]], [p1], [x1]
    resid = visits_td - placed.sum(axis=2)
    moved = 0
    if (resid > 0).any():
        rt, rd = np.nonzero(resid > 0)
        # candidate slots: every band of those TGP-days with room under the slot cap
        tt = np.repeat(rt, B)
        dd = np.repeat(rd, B)
        bb = np.tile(np.arange(B), len(rt))
        room = slot_cap[tt, dd, bb] - placed[tt, dd, bb]
        m = room > 0
        tt, dd, bb, room = tt[m], dd[m], bb[m], room[m]
        group = np.repeat(np.arange(len(rt)), B)[m]
        # stage 2 chooses bands itself: a seeded random jitter on the harm weights (up to
        # STAGE2_JITTER of a visit's value) keeps those choices from repeating day after day
        w2 = weight_tdb
        if rng is not None and STAGE2_JITTER > 0:
            w2 = weight_tdb * (1.0 + STAGE2_JITTER * rng.random(weight_tdb.shape))
        s2, p2, x2, status2 = _solve(
            tt,
            dd,
            bb,
            room,
            group,
            resid[rt, rd],
            usage_td,
            w2,
            cap_left,
            elig,
            cfg,
            crew_pool,
            pref_pool,
        )
        if status in ("empty", "no-capacity") or (
            not status2.startswith("optimal") and status2 not in ("empty", "no-capacity")
        ):
            status = status2
        out_t.append(tt[s2])
        out_d.append(dd[s2])
        out_b.append(bb[s2])
        out_p.append(p2)
        out_n.append(x2)
        moved = int(x2.sum())
    return Assignment(
        t=np.concatenate(out_t),
        d=np.concatenate(out_d),
        b=np.concatenate(out_b),
        p=np.concatenate(out_p),
        n=np.concatenate(out_n),
        status=status,
        stage1_visits=stage1,
        moved_visits=moved,
    )


def assign_teams(pool_visits: pd.DataFrame, cap: Capacity, rng: np.random.Generator) -> np.ndarray:
    """Give each visit of a pool to one of its teams without exceeding any team's capacity.

    Visits are shuffled (seeded) and laid end to end, stretched over the pool's capacity; a
    visit goes to the team whose share contains its (stretched) starting point, so load follows
    each team's capacity. Each team's share is its capacity less one visit's margin, so the
    overhang of its last visit never overruns it.

    Parameters
    ----------
    pool_visits : pandas.DataFrame
        Columns ``p, d, b, usage`` (officer-minutes).
    cap : Capacity
        Team capacities and pools.
    rng : numpy.random.Generator
        The shuffle.

    Returns
    -------
    numpy.ndarray
        Team index per visit.

    Raises
    ------
    PlannerError
        (internal) when a pool's visits exceed its teams' capacity.
    """
    n = len(pool_visits)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    nd, nb = cap.team_cap.shape[1], cap.team_cap.shape[2]
    g = (pool_visits["p"].to_numpy() * nd + pool_visits["d"].to_numpy()) * nb + pool_visits[
        "b"
    ].to_numpy()
    order = np.lexsort((rng.random(n), g))
    use = pool_visits["usage"].to_numpy()[order].astype(np.int64)
    gs = g[order]
    cum = np.cumsum(use)
    first = np.r_[True, gs[1:] != gs[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    base = cum[grp_start] - use[grp_start]
    start_pos = cum - use - base  # officer-minutes before this visit within its group
    # team shares per (pool, day, band): effective caps laid end to end
    eff = np.maximum(cap.team_cap - cap.margin[:, None, None], 0)  # (teams, d, b)
    jj3, dd, bb = np.meshgrid(
        np.arange(len(cap.team_ids)), np.arange(nd), np.arange(nb), indexing="ij"
    )
    tg3 = (cap.pool_of_team[jj3] * nd + dd) * nb + bb
    tg, jj, e = tg3.ravel(), jj3.ravel(), eff.ravel()
    o = np.lexsort((rng.random(len(tg)), tg))  # teams in random order within each group
    tg, jj, e = tg[o], jj[o], e[o]
    ce = np.cumsum(e)
    tfirst = np.r_[True, tg[1:] != tg[:-1]]
    tstart = np.maximum.accumulate(np.where(tfirst, np.arange(len(tg)), 0))
    bound = ce - (ce[tstart] - e[tstart])  # cumulative share end within group
    # spread the pool's visits over its teams in proportion to their shares: scale the
    # positions by (sum of shares) / (officer-minutes used) >= 1
    gend = np.searchsorted(tg, gs, side="right") - 1
    if (gend < 0).any() or (tg[np.maximum(gend, 0)] != gs).any():
        raise PlannerError("internal: visits assigned to a pool with no team")
    share_total = bound[gend]
    last = np.r_[np.flatnonzero(first[1:]), n - 1]
    used_total = (cum[last] - base[last])[np.cumsum(first) - 1]
    scale = np.where(used_total > 0, share_total / np.maximum(used_total, 1), 1.0)
    pos = start_pos * np.maximum(scale, 1.0)
    big = float(max(int(bound.max(initial=0)), int(pos.max(initial=0))) + 2)
    keys = tg.astype(float) * big + bound
    q = gs.astype(float) * big + pos
    idx = np.searchsorted(keys, q, side="right")
    if (idx >= len(keys)).any() or (tg[np.minimum(idx, len(tg) - 1)] != gs).any():
        raise PlannerError("internal: a pool's visits exceed its teams' capacity")
    team = np.empty(n, dtype=np.int64)
    team[order] = jj[idx]
    return team


def diagnose(
    unmet_t: np.ndarray,
    unmet_d: np.ndarray,
    unmet_minutes: np.ndarray,
    planned_minutes: int,
    floor_minutes: int,
    cap: Capacity,
    elig: np.ndarray,
    slot_full: np.ndarray,
    tgp_ids: np.ndarray,
    bands: tuple[str, ...] = (),
) -> list[dict]:
    """Name the constraints that stop the quarterly floor being met, with the hours they cost.

    Each unmet visit is attributed to the first reason that holds on its TGP-day:
    ``no method`` (no pool may patrol the TGP), ``slot cap`` (every band is full), else the
    capacity of the eligible pools in the bands that still had room (exhausted, or absent
    from the shift patterns). One row per distinct reason (a Python loop over the unmet
    TGP-days only, which are few in any plan worth running).

    Parameters
    ----------
    unmet_t, unmet_d : numpy.ndarray
        TGP and day of each unmet TGP-day.
    unmet_minutes : numpy.ndarray
        Minutes unmet there.
    planned_minutes : int
        Minutes planned in total.
    floor_minutes : int
        The quarter's target.
    cap : Capacity
        Capacities and pools.
    elig : numpy.ndarray
        :func:`eligibility`.
    slot_full : numpy.ndarray
        Whether each slot is at its cap.
    tgp_ids : numpy.ndarray
        TGP ids (named in the details).
    bands : tuple of str
        Band labels.

    Returns
    -------
    list of dict
        ``{"constraint", "short_hours", "detail"}`` sorted by hours, the floor shortfall first.
    """
    out: list[dict] = []
    short = floor_minutes - planned_minutes
    if short <= 0 or len(unmet_t) == 0:
        return out
    out.append(
        {
            "constraint": "quarterly floor",
            "short_hours": short / 60,
            "detail": f"planned {planned_minutes / 60:,.2f} h of a floor of {floor_minutes / 60:,.2f} h",
        }
    )
    # reason per unmet TGP-day: no eligible method; every band at its visit cap; else the
    # capacity of the eligible pools in the bands that still had room for a visit
    labels = np.array([cap.pool_label(p) for p in range(cap.n_pools)], dtype=object)
    band_names = np.asarray(bands, dtype=object)
    keys = []
    for t, d in zip(unmet_t, unmet_d, strict=True):
        pools = np.flatnonzero(elig[:, t])
        room = ~slot_full[t, d]
        if len(pools) == 0:
            keys.append(f"no delivery method can patrol {tgp_ids[t]}")
        elif not room.any():
            keys.append("per-slot visit cap (max_visits_per_slot x bands)")
        else:
            staffed = [p for p in pools if (cap.pool_cap[p, d, room] > 0).any()]
            if staffed:
                keys.append(
                    "capacity of "
                    + " + ".join(labels[staffed])
                    + " in bands "
                    + ",".join(band_names[room])
                )
            else:
                keys.append(
                    "no capacity of "
                    + " + ".join(labels[pools])
                    + " in bands "
                    + ",".join(band_names[room])
                    + " (shift patterns) and per-slot visit cap elsewhere"
                )
    reasons = (
        pd.Series(np.asarray(unmet_minutes, dtype=float))
        .groupby(np.array(keys, dtype=object))
        .sum()
        .to_dict()
    )
    for key, mins in sorted(reasons.items(), key=lambda kv: -kv[1]):
        out.append(
            {
                "constraint": key,
                "short_hours": mins / 60,
                "detail": f"{mins / 60:,.2f} h of visits could not be staffed",
            }
        )
    return out


def binding_message(binding: list[dict]) -> str:
    """Summarise in one line which constraint binds and by how many hours.

    Parameters
    ----------
    binding : list of dict
        :func:`diagnose` output.

    Returns
    -------
    str
        The message; "all constraints met" when nothing binds.

    Examples
    --------
    >>> binding_message([])
    'all constraints met'
    """
    if not binding:
        return "all constraints met"
    head = binding[0]
    rest = "; ".join(f"{b['constraint']}: {b['short_hours']:,.2f} h" for b in binding[1:])
    return f"{head['constraint']} not met, short by {head['short_hours']:,.2f} h ({head['detail']}); binding: {rest}"
