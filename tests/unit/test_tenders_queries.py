"""The Tenders SQL (kdefense/sql/tenders_*.sql, filter_competitions.sql) on the fixture database, against an
independent pandas computation from the raw `competitions` view; and the kind filter on deals."""

from __future__ import annotations

import pandas as pd
import pytest

from kdefense.filters import Filters
from tests.unit.test_suppliers_queries import run

ALL = Filters(year_from=1950, year_to=2030)
OUTCOMES = ("won", "lost", "withdrawn", "cancelled", "open")


def raw(con) -> pd.DataFrame:
    df = con.execute("SELECT * FROM competitions").df()
    df["year"] = df["year_decided"].fillna(df["year_opened"]).astype(int)
    return df


def expected_record(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Independent: outcome counts per group, win rate = won / (won + lost)."""
    if key == "rival":
        rows = [{**r, "grp": b.strip()} for r in df.to_dict("records") if isinstance(r["rival_bidders"], str)
                for b in r["rival_bidders"].split(";") if b.strip()]
        df = pd.DataFrame(rows)
    else:
        df = df.assign(grp=df[key].astype(str))
    out = {}
    for grp, g in df.groupby("grp"):
        counts = {o: int((g["outcome"] == o).sum()) for o in OUTCOMES}
        decided = counts["won"] + counts["lost"]
        out[grp] = {"competitions": len(g), **counts,
                    "win_rate": round(counts["won"] / decided, 3) if decided else None}
    return pd.DataFrame.from_dict(out, orient="index").sort_index()


@pytest.mark.parametrize("by,key", [("system_family", "system_family"), ("recipient_region", "recipient_region"),
                                    ("year", "year"), ("rival", "rival")])
def test_record_matches_pandas(fixture_db, by, key):
    got = run(fixture_db, "tenders_record", ALL, by=by).set_index("grp").sort_index()
    want = expected_record(raw(fixture_db), key)
    assert list(got.index) == list(want.index)
    for col in ("competitions", *OUTCOMES):
        assert got[col].tolist() == want[col].tolist(), (by, col)
    assert [None if pd.isna(v) else v for v in got["win_rate"]] == [None if pd.isna(v) else v
                                                                     for v in want["win_rate"]]


def test_record_on_fixture_has_the_known_shape(fixture_db):
    got = run(fixture_db, "tenders_record", ALL, by="system_family").set_index("grp")
    assert got.loc["K9", ["won", "lost", "cancelled"]].tolist() == [0, 1, 1]
    assert got.loc["AS21 Redback/K21", "win_rate"] == 1.0
    rivals = run(fixture_db, "tenders_record", ALL, by="rival").set_index("grp")
    assert rivals.loc["KNDS", "rival_won"] == 1 and rivals.loc["KNDS", "competitions"] == 2


def test_filters_apply_to_competitions(fixture_db):
    europe = Filters(year_from=1950, year_to=2030, regions=("Europe",))
    got = run(fixture_db, "tenders_table", europe)
    df = raw(fixture_db)
    assert sorted(got["competition_id"]) == sorted(df[df["recipient_region"] == "Europe"]["competition_id"])
    years = Filters(year_from=2024, year_to=2024)
    got = run(fixture_db, "tenders_table", years)
    assert sorted(got["competition_id"]) == sorted(df[df["year"] == 2024]["competition_id"])
    company = Filters(year_from=1950, year_to=2030, companies=("Hanwha Ocean",))
    got = run(fixture_db, "tenders_table", company)
    assert sorted(got["competition_id"]) == sorted(
        df[df["korean_bidders"].str.split(";").map(lambda b: "Hanwha Ocean" in b)]["competition_id"])


def test_head_to_head_matches_pandas(fixture_db):
    got = run(fixture_db, "tenders_head_to_head", ALL)
    df = raw(fixture_db).dropna(subset=["rival_bidders"])
    pairs = [(r.system_family, s.strip(), b.strip(), r.outcome, r.winner)
             for r in df.itertuples() for s, b in zip(r.rival_systems.split(";"), r.rival_bidders.split(";"))]
    want = {}
    for fam, system, bidder, outcome, winner in pairs:
        key = (fam, {"Leopard 2A8": "Leopard 2", "Type 212CD": "Type 212/214", "M109A7": "M109"}.get(system, system))
        row = want.setdefault(key, [0, 0, 0])
        row[0] += 1
        row[1] += outcome == "won"
        row[2] += outcome == "lost" and winner == bidder
    have = {(r.system_family, r.rival_family): [r.meetings, r.korea_won, r.rival_won] for r in got.itertuples()}
    assert have == want
    assert have[("K9", "RCH 155")] == [2, 0, 1] and have[("K9", "Archer")] == [1, 0, 0]


def test_timeline_tenders_are_the_decided_competitions(fixture_db):
    got = run(fixture_db, "timeline_tenders", ALL)
    df = raw(fixture_db)
    assert sorted(got["competition_id"]) == sorted(df[df["year_decided"].notna()]["competition_id"])
    assert (got["x_year"] == got["year_decided"] + 0.5).all()


@pytest.mark.parametrize("kinds", [("licence_production",), ("new_build", "licence_production"), ()])
def test_kind_filter_on_deals(fixture_db, kinds):
    f = Filters(year_from=1950, year_to=2030, statuses=(), kinds=kinds)
    got = run(fixture_db, "deals_table", f)
    all_deals = fixture_db.execute("SELECT deal_id, deal_kind FROM deals").df()
    want = all_deals[all_deals["deal_kind"].isin(kinds)] if kinds else all_deals
    assert sorted(got["deal_id"]) == sorted(want["deal_id"])
    if kinds == ("licence_production",):
        assert sorted(got["deal_id"]) == ["KR-AUS-2023-REDBACK", "KR-POL-2023-KLTV", "KR-ROU-2024-K9"]


def test_overview_headline_splits_platforms_and_munitions(built_db):
    f = Filters(year_from=1950, year_to=2030)
    head = run(built_db, "overview_headline", f).iloc[0]
    deals = built_db.execute("SELECT * FROM deals WHERE is_signed").df()
    munition = deals["armament_category"].isin(["Missiles", "Ammunition"])
    small = deals["system_family"].eq("Small arms") & ~munition
    service = (deals["armament_category"].eq("Services") | deals["deal_kind"].isin(["mro_service", "upgrade"])) \
        & ~munition & ~small
    platform = ~munition & ~small & ~service
    assert head["munitions_ordered"] == deals.loc[munition, "quantity"].sum()
    assert head["platforms_ordered"] == deals.loc[platform, "quantity"].sum()
    assert head["small_arms_ordered"] == deals.loc[small, "quantity"].sum()
    assert head["platforms_ordered"] + head["munitions_ordered"] < head["units_ordered"]
