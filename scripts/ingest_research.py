"""Ingest the issue-14 research folders into the ledger, with a review of every row.

Usage: python scripts/ingest_research.py [--research /work/research] [--ledger data/sources/ledger]

Reads <research>/{mro,ammo,grants,competitions}/{deals,sources,deliveries,competitions}.csv (FORMAT.md,
competitions/SCHEMA.md) and writes, replacing earlier output:
  ledger/deals_research.csv, sources_research.csv, deliveries_research.csv, competitions.csv
and sets `competition_id` on the existing deals_*.csv rows a competition lists. Every row is checked:
it must cite at least one source with an http(s) URL, its id must not clash, it must not repeat an existing
deal (DUPLICATES below, decided by hand), and its values must pass the ledger's column rules. Dropped rows and
the reasons are written to ledger/research_intake.md. Hand decisions live in the dictionaries below, so a
re-run on the final research files gives the same result.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kdefense.build import COMPETITION_COLS, DEAL_COLS, DELIVERY_COLS, SOURCE_COLS  # noqa: E402
from kdefense.validate import _check_value  # noqa: E402

TOPICS = ("mro", "ammo", "grants", "competitions")
OWN_FILES = ("deals_research.csv", "sources_research.csv", "deliveries_research.csv")

SUBCONTRACT = ("domestic sub-contract (Poongsan supplying the Korean prime's export contract): the method notes it on "
               "the export deal, not as a deal; its value is already inside the prime's contract")
NON_LETHAL = ("out of scope: non-lethal aid of mostly new supplies (helmets, rations, detectors), not a transfer of "
              "used military equipment; the aid total is official_totals T-UKR-NONLETHAL-AID")
# Rows dropped after reading them against the ledger and their sources (id -> reason).
DROP: dict[str, str] = {
    "KR-POL-2022-K2-AMMO": SUBCONTRACT, "KR-POL-2023-K9-AMMO": SUBCONTRACT, "KR-POL-2025-K2-AMMO": SUBCONTRACT,
    "KR-UKR-2022-NONLETHAL": NON_LETHAL, "KR-UKR-2023-DEMINING": NON_LETHAL,
}

# Competition -> system family (the ledger's families, for the Tenders view). Filled by hand.
_FAMILIES = {
    "K9": "GBR-2021-MFP NOR-2015-SPH ROU-2023-SPH AUS-2019-LAND8116 AUS-2012-LAND17P2 USA-2024-SPHM IND-2011-TSPG "
          "CAN-2025-IFM EGY-2022-SPH",
    "K2": "NOR-2020-MBT SVK-2024-MBT ROU-2022-MBT",
    "AS21 Redback/K21": "AUS-2018-LAND400P3 ROU-2025-IFV",
    "Submarines": "POL-2014-ORKA CAN-2021-CPSP IDN-2011-SSK PHL-2019-SSK THA-2015-SSK IND-2025-P75I",
    "Frigates": "AUS-2024-SEA3000 PHL-2013-FAP THA-2013-FFG MYS-2023-LMSB2 THA-2026-FFG PER-2024-SIMA",
    "FA-50/T-50": "USA-2018-TX USA-2026-UJTS ARG-2019-FA50 MYS-2021-FLITLCA IRQ-2013-LIFT POL-2013-AJT IDN-2010-AJT "
                  "THA-2015-LIFT ARE-2009-AJT SGP-2010-AJT ISR-2012-AJT COL-2024-FA50 PHL-2011-SAALIFT",
    "KT-1": "PER-2012-KT1 IDN-2010-LIGHTATTACK TUR-2006-BTA",
    "Replenishment ships": "AUS-2014-SEA1654 GBR-2012-MARS NZL-2015-MSC NOR-2009-JLSS GBR-2018-FSS",
    "Mine countermeasure vessels": "IND-2005-MCMV IND-2018-MCMV",
    "K239 Chunmoo": "NOR-2026-LRPFS",
    "Patrol vessels": "PHL-2022-OPV",
}
FAMILY: dict[str, str] = {f"C-{cid}": fam for fam, ids in _FAMILIES.items() for cid in ids.split()}

# Edits to existing ledger rows that the research supports (deal_id -> {column: value}); notes are appended.
EXISTING_EDITS: dict[str, dict[str, str]] = {
    "KR-ROU-2024-REDBACK": {"status": "lost", "last_verified": "2026-12-01", "+notes": "Status lost (issue 14): "
                            "Romania chose Rheinmetall's Lynx in Nov 2025, competition C-ROU-2025-IFV.",
                            "+source_ids": "SR-CMP-"},
    "KR-SVK-2025-K2PL": {"status": "lost", "last_verified": "2026-12-01", "+notes": "Status lost (issue 14): Slovakia "
                         "dropped heavy tanks incl. K2PL in Sep 2025, competition C-SVK-2024-MBT.",
                         "+source_ids": "SR-CMP-"},
    "KR-SWE-2025-MCS": {"parent_deal_id": "KR-SWE-2025-MCS-FA", "+notes": "First executive contract under the "
                        "Oct 2025 framework KR-SWE-2025-MCS-FA (issue 14)."},
    "KR-IDN-2016-KF21-COSTSHARE": {
        "currency": "", "value_amount_m": "", "value_is_estimate": "",
        "value_note": "original 2016 share KRW 1.7 tr (Yonhap) or about KRW 1.6 tr (DAPA); the revised KRW 600 b "
                      "agreed on 11 Jun 2025 is on KR-IDN-2025-KF21-COSTSHARE-REV (counted there, once)",
        "+notes": "Value moved to the 2025 revision row (issue 14)."},
}

# Korean bidder names as the sources give them -> today's canonical company (ledger `company` names).
CANONICAL = {
    "Samsung Techwin": "Hanwha Aerospace", "Hanwha Techwin": "Hanwha Aerospace",
    "Hanwha Land Systems": "Hanwha Aerospace", "Hanwha Defense": "Hanwha Aerospace",
    "Hanwha Defence": "Hanwha Aerospace", "Hanwha Defense Australia": "Hanwha Aerospace",
    "Hanwha Defence Australia": "Hanwha Aerospace", "Hanwha Defense USA": "Hanwha Aerospace",
    "Doosan DST": "Hanwha Aerospace", "Daewoo Shipbuilding & Marine Engineering": "Hanwha Ocean",
    "DSME": "Hanwha Ocean", "Hyundai Heavy Industries": "HD Hyundai Heavy Industries",
    "HHI": "HD Hyundai Heavy Industries", "KAI": "Korea Aerospace Industries", "S&T Motiv": "SNT Motiv",
}

COMP_HEADER = [c.name for c in COMPETITION_COLS]
DEAL_HEADER = [c.name for c in DEAL_COLS]


def read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        rows = []
        for n, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            row = {h: v.strip() for h, v in zip(header, values)}
            row["_where"] = f"{path.parent.name}/{path.name}:{n}"
            row["_bad_width"] = "" if len(values) == len(header) else f"{len(values)} fields, header has {len(header)}"
            rows.append(row)
        return rows


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def canonical(names: str) -> str:
    return ";".join(CANONICAL.get(n.strip(), n.strip()) for n in names.split(";")) if names else ""


def column_problems(row: dict[str, str], columns) -> list[str]:
    out = []
    for col in columns:
        msg = _check_value(col, row.get(col.name, ""))
        if msg:
            out.append(f"{col.name}={row.get(col.name, '')!r}: {msg}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--research", type=Path, default=Path("/work/research"))
    ap.add_argument("--ledger", type=Path, default=ROOT / "data" / "sources" / "ledger")
    args = ap.parse_args()
    led: Path = args.ledger
    log: list[str] = []
    dropped: list[tuple[str, str, str]] = []  # (where, id, reason)

    existing_deals: dict[str, tuple[Path, dict]] = {}
    for path in sorted(led.glob("deals_*.csv")):
        if path.name in OWN_FILES:
            continue
        for r in read(path):
            existing_deals[r["deal_id"]] = (path, r)
    existing_sources = {r["source_id"] for p in led.glob("sources_*.csv") if p.name not in OWN_FILES
                        for r in read(p)}

    sources: dict[str, dict] = {}
    for topic in TOPICS:
        for r in read(args.research / topic / "sources.csv"):
            sid = r.get("source_id", "")
            if sid in sources or sid in existing_sources:
                dropped.append((r["_where"], sid, "source id already used"))
                continue
            sources[sid] = r

    def good_sources(row: dict, where: str, rid: str) -> list[str]:
        ids = [s.strip() for s in row.get("source_ids", "").split(";") if s.strip()]
        keep = []
        for s in ids:
            src = sources.get(s)
            if s in existing_sources:
                keep.append(s)
            elif src is None:
                log.append(f"- {where} `{rid}`: cites unknown source {s}; citation removed")
            elif not re.match(r"https?://", src.get("url", "")):
                log.append(f"- {where} `{rid}`: source {s} has no URL; citation removed")
            else:
                keep.append(s)
        return keep

    deals: dict[str, dict] = {}
    for topic in TOPICS:
        for r in read(args.research / topic / "deals.csv"):
            rid, where = r.get("deal_id", ""), r["_where"]
            reason = (r["_bad_width"] or DROP.get(rid)
                      or ("deal id already in the ledger" if rid in existing_deals else None)
                      or ("deal id repeated in the research" if rid in deals else None))
            if not reason:
                r["source_ids"] = ";".join(good_sources(r, where, rid))
                if not r["source_ids"]:
                    reason = "no source with a URL"
            if not reason:
                r.setdefault("competition_id", "")
                r["company"] = canonical(r.get("company", ""))
                probs = column_problems(r, DEAL_COLS)
                if probs:
                    reason = "; ".join(probs)
            if reason:
                dropped.append((where, rid, reason))
                continue
            r["_topic"] = topic
            deals[rid] = r

    comps: dict[str, dict] = {}
    links: dict[str, str] = {}
    for r in read(args.research / "competitions" / "competitions.csv"):
        cid, where = r.get("competition_id", ""), r["_where"]
        reason = r["_bad_width"] or DROP.get(cid) or ("competition id repeated" if cid in comps else None)
        if not reason:
            r["source_ids"] = ";".join(good_sources(r, where, cid))
            reason = None if r["source_ids"] else "no source with a URL"
        if not reason:
            r["system_family"] = FAMILY.get(cid, "")
            if not r["system_family"]:
                reason = "no system family assigned in the review (FAMILY)"
        if not reason:
            r["korean_bidders"] = canonical(r["korean_bidders"])
            if r["outcome"] == "won":
                for old, new in CANONICAL.items():
                    r["winner"] = re.sub(rf"\b{re.escape(old)}\b", new, r["winner"])
            probs = column_problems(r, COMPETITION_COLS)
            reason = "; ".join(probs) if probs else None
        if reason:
            dropped.append((where, cid, reason))
            continue
        kept_ids = []
        for d in (x.strip() for x in r["deal_ids"].split(";") if x.strip()):
            if d not in existing_deals and d not in deals:
                log.append(f"- {where} `{cid}`: deal {d} not in the ledger; link removed")
            elif d in links:
                log.append(f"- {where} `{cid}`: deal {d} already linked to {links[d]}; link removed")
            else:
                kept_ids.append(d)
                links[d] = cid
        r["deal_ids"] = ";".join(kept_ids)
        comps[cid] = r

    for rid, r in list(deals.items()):  # a research deal naming a competition must be listed by it
        cid = r.get("competition_id", "")
        if cid and cid not in comps:
            log.append(f"- `{rid}`: competition {cid} not kept; link removed")
            r["competition_id"] = ""
        elif cid and rid not in links:
            comps[cid]["deal_ids"] = ";".join(x for x in (comps[cid]["deal_ids"], rid) if x)
            links[rid] = cid
    for rid, cid in links.items():
        if rid in deals:
            deals[rid]["competition_id"] = cid

    deliveries = []
    for topic in TOPICS:
        for r in read(args.research / topic / "deliveries.csv"):
            rid, where = r.get("deal_id", ""), r["_where"]
            reason = r["_bad_width"] or (None if rid in deals or rid in existing_deals else "deal not kept")
            if not reason:
                r["source_ids"] = ";".join(good_sources(r, where, rid))
                reason = None if r["source_ids"] else "no source with a URL"
            if not reason:
                probs = column_problems(r, DELIVERY_COLS)
                reason = "; ".join(probs) if probs else None
            if reason:
                dropped.append((where, f"{rid} {r.get('year', '')}", reason))
                continue
            deliveries.append(r)

    cited = {s for rows in (deals.values(), comps.values(), deliveries) for r in rows
             for s in r["source_ids"].split(";") if s}
    kept_sources = [s for sid, s in sources.items() if sid in cited]
    for s in kept_sources:
        probs = column_problems(s, SOURCE_COLS)
        if probs:
            log.append(f"- {s['_where']} `{s['source_id']}`: {'; '.join(probs)}")

    # competition_id on the existing ledger rows
    for path in sorted({p for p, _ in existing_deals.values()}):
        rows = read(path)
        for r in rows:
            r["competition_id"] = links.get(r["deal_id"], "")
            for col, value in EXISTING_EDITS.get(r["deal_id"], {}).items():
                if col == "+notes" and value not in r["notes"]:
                    r["notes"] = f"{r['notes']} {value}".strip()
                elif col == "+source_ids":  # the linked competition's first source
                    comp = comps.get(r["competition_id"])
                    first = comp["source_ids"].split(";")[0] if comp else ""
                    if first and first not in r["source_ids"].split(";"):
                        r["source_ids"] = f"{r['source_ids']};{first}"
                elif not col.startswith("+"):
                    r[col] = value
        write(path, DEAL_HEADER, rows)

    write(led / "deals_research.csv", DEAL_HEADER, sorted(deals.values(), key=lambda r: r["deal_id"]))
    write(led / "sources_research.csv", [c.name for c in SOURCE_COLS], sorted(kept_sources,
                                                                               key=lambda r: r["source_id"]))
    write(led / "deliveries_research.csv", [c.name for c in DELIVERY_COLS], deliveries)
    write(led / "competitions.csv", COMP_HEADER, sorted(comps.values(), key=lambda r: r["competition_id"]))

    kinds: dict[str, int] = {}
    for r in deals.values():
        kinds[r["deal_kind"]] = kinds.get(r["deal_kind"], 0) + 1
    outcomes: dict[str, int] = {}
    for r in comps.values():
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    lines = ["# Research intake (issue 14)", "",
             "Written by `scripts/ingest_research.py` from the research folders; every row below was read by hand.",
             "", f"Kept: {len(deals)} deals ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
             f"{len(comps)} competitions ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}), "
             f"{len(deliveries)} delivery rows, {len(kept_sources)} sources.", "",
             "## Dropped rows", "", "| where | id | reason |", "|---|---|---|"]
    lines += [f"| {w} | {i} | {reason.replace('|', '/')} |" for w, i, reason in dropped]
    lines += ["", "## Changes made on intake", ""] + (log or ["- none"])
    (led / "research_intake.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:5]))
    print(f"dropped {len(dropped)}; notes {len(log)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
