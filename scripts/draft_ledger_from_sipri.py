"""One-off helper that drafted the SIPRI-linked rows of data/sources/ledger/deals.csv for hand review."""
import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kdefense.sipri import read_export, transfer_ids  # noqa: E402

VALUE = re.compile(r"\b(?P<ccy>[A-Z]{3})\s?(?P<amt>[\d.]+)(?:-[\d.]+)?\s?(?P<unit>tr|b|m)\b|\$(?P<usd>[\d.]+)(?:-[\d.]+)?\s?(?P<uunit>tr|b|m)\b")
SCALE = {"tr": 1_000_000, "b": 1_000, "m": 1}


def first_value(comment: str) -> tuple[str, str]:
    m = VALUE.search(comment)
    if not m:
        return "", ""
    if m.group("ccy"):
        return m.group("ccy"), f"{float(m.group('amt')) * SCALE[m.group('unit')]:g}"
    return "USD", f"{float(m.group('usd')) * SCALE[m.group('uunit')]:g}"


def main(register: str, out: str) -> None:
    exp = read_export(Path(register))
    ids = transfer_ids(exp.rows)
    iso = {r["sipri_name"]: r["iso3"] for r in csv.DictReader(open("data/sources/reference/sipri_entities.csv"))}
    rows = []
    for tid, r in zip(ids, exp.rows):
        if r["Supplier"] != "South Korea":
            continue
        ccy, amt = first_value(r["Comments"])
        part_of = r["Comments"].lower().startswith("part of")
        rows.append({
            "deal_id": "", "parent_deal_id": "", "recipient_iso3": iso[r["Recipient"]], "system_family": "",
            "designation": r["Weapon designation"], "description": r["Weapon description"], "company": "",
            "partners": "", "status": "", "signed_date": r["Year of order"], "signed_date_precision": "year",
            "quantity": r["Number ordered"], "currency": "" if part_of else ccy,
            "value_amount_m": "" if part_of else amt, "value_is_estimate": "", "value_note": r["Comments"] if part_of else "",
            "local_production_share_pct": "", "local_production_note": "", "sipri_transfer_id": tid,
            "confidence": "", "last_verified": "", "source_ids": "S-SIPRI-2026", "notes": "",
        })
    rows.sort(key=lambda d: (d["recipient_iso3"], d["signed_date"], d["designation"]))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
