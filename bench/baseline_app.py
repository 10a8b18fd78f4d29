"""Benchmark baseline, not part of the app: the Overview (SIPRI TIV basis) written "the usual way".

The SIPRI trade register CSV is read into pandas once (`st.cache_data` on the load, merged with the same
reference tables the build uses), and every rerun filters the whole DataFrame and aggregates it in pandas.
Same data, same filters (region, NATO, EU, years, search) and same figures as the Overview on the TIV basis:
six headline metrics with deltas against the previous period, and three bar charts. It leaves out what the
usual way cannot do from the raw register (the ledger reconciliation chart).

Run: `KDEFENSE_DB=... streamlit run bench/baseline_app.py`; BASELINE_REGISTER points it at another register
export (the scale runs use their synthetic one).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"
REGISTER = Path(os.environ.get("BASELINE_REGISTER") or max((SOURCES / "sipri").glob("trade-register*.csv")))
REGIONS = ["Europe", "Middle East", "Asia & Oceania", "Americas", "Africa"]
COLOURS = {
    "Europe": "#2f6db5",
    "Middle East": "#d9822b",
    "Asia & Oceania": "#2e9e6a",
    "Americas": "#8e5bb5",
    "Africa": "#b5473a",
}

st.set_page_config(page_title="Baseline", layout="wide")


@st.cache_data
def load() -> pd.DataFrame:
    raw = REGISTER.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    start = text.index("Recipient,Supplier,Year of order")
    df = pd.read_csv(io.StringIO(text[start:]))
    df.columns = [
        "recipient",
        "supplier",
        "order_year",
        "order_year_q",
        "number_ordered",
        "number_ordered_q",
        "designation",
        "description",
        "number_delivered",
        "number_delivered_q",
        "delivery_years",
        "status",
        "comments",
        "tiv_per_unit",
        "tiv_order",
        "tiv_delivered",
    ]
    entities = pd.read_csv(SOURCES / "reference" / "sipri_entities.csv", keep_default_na=False)
    countries = pd.read_csv(SOURCES / "reference" / "countries.csv", keep_default_na=False)
    families = pd.read_csv(SOURCES / "sipri" / "system_families.csv", keep_default_na=False)
    entities["loc"] = entities["location_iso3"].where(entities["location_iso3"] != "", None)
    countries["is_nato"] = countries["nato_join_year"] != ""
    countries["is_eu"] = (countries["eu_join_year"] != "") & (countries["eu_leave_year"] == "")
    df = df.merge(entities[["sipri_name", "loc"]], left_on="recipient", right_on="sipri_name", how="left")
    df = df.merge(countries[["iso3", "name", "region", "is_nato", "is_eu"]], left_on="loc", right_on="iso3", how="left")
    df = df.merge(
        families[["supplier", "designation", "description", "system_family"]],
        on=["supplier", "designation", "description"],
        how="left",
    )
    return df


df = load()
korea = df[df["supplier"] == "South Korea"]
lo, hi = int(korea["order_year"].min()), int(korea["order_year"].max())

sb = st.sidebar
regions = sb.multiselect("Region", REGIONS, key="flt_region", placeholder="All regions")
nato = sb.toggle("NATO members", key="flt_nato")
eu = sb.toggle("EU members", key="flt_eu")
years = sb.slider("Order year", lo, hi, (lo, hi), key="flt_years")
query = sb.text_input("Search", key="flt_q").strip()


def select(frame: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    mask = frame["order_year"].between(year_from, year_to)
    if regions:
        mask &= frame["region"].isin(regions)
    if nato:
        mask &= frame["is_nato"].fillna(False).astype(bool)
    if eu:
        mask &= frame["is_eu"].fillna(False).astype(bool)
    if query:
        text = (
            frame[["system_family", "designation", "description", "recipient", "comments"]]
            .fillna("")
            .agg(" ".join, axis=1)
        )
        mask &= text.str.contains(query, case=False, regex=False)
    return frame[mask]


def headline(frame: pd.DataFrame) -> dict[str, float]:
    return {
        "deals": len(frame),
        "recipients": frame["recipient"].nunique(),
        "tiv": frame["tiv_order"].sum(),
        "ordered": frame["number_ordered"].sum(),
        "delivered": frame["number_delivered"].sum(),
        "outstanding": (frame["number_ordered"] - frame["number_delivered"].fillna(0)).clip(lower=0).sum(),
    }


now = select(korea, *years)
span = years[1] - years[0] + 1
before = headline(select(korea, years[0] - span, years[0] - 1))
head = headline(now)

st.title("South Korea's defence exports (baseline)")
st.caption("SIPRI TIV measures military capability transferred, not money.")
cols = st.columns(6)
for col, (name, label) in zip(
    cols,
    [
        ("tiv", "SIPRI TIV ordered"),
        ("deals", "Deals"),
        ("recipients", "Recipients"),
        ("ordered", "Units ordered"),
        ("delivered", "Delivered"),
        ("outstanding", "Still to deliver"),
    ],
):
    col.metric(label, f"{head[name]:,.0f}", f"{head[name] - before[name]:+,.0f} vs previous period")

left, mid, right = st.columns(3)
by_region = now.groupby("region", as_index=False).agg(tiv=("tiv_order", "sum"), deals=("tiv_order", "size"))
left.plotly_chart(
    px.bar(
        by_region.sort_values("tiv"),
        x="tiv",
        y="region",
        orientation="h",
        color="region",
        color_discrete_map=COLOURS,
        title="By region",
    ),
    key="region",
)
top_r = (
    now.assign(recipient=now["name"].fillna(now["recipient"]))
    .groupby(["recipient", "region"], as_index=False)["tiv_order"]
    .sum()
    .nlargest(10, "tiv_order")
)
mid.plotly_chart(
    px.bar(
        top_r.sort_values("tiv_order"),
        x="tiv_order",
        y="recipient",
        orientation="h",
        color="region",
        color_discrete_map=COLOURS,
        title="Top recipients",
    ),
    key="recipients",
)
top_s = (
    now.assign(system=now["system_family"].fillna(now["designation"]))
    .groupby("system", as_index=False)["tiv_order"]
    .sum()
    .nlargest(10, "tiv_order")
)
right.plotly_chart(
    px.bar(top_s.sort_values("tiv_order"), x="tiv_order", y="system", orientation="h", title="Top systems"),
    key="systems",
)
