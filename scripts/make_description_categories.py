"""One-off helper that drafted data/sources/sipri/description_categories.csv.

The 2026 SIPRI export carries no armament category. Descriptions seen in the 2025 per-delivery-year
export take SIPRI's own category there; the rest were assigned by hand from SIPRI's category
definitions (sipri.org, 'Sources and methods'), marked basis=project. Kept for review, not run by the build.
"""
import csv
import sys

MANUAL = {
    "fighter/ground-attack aircraft": "Aircraft", "surface-to-air missile": "Missiles",
    "portable surface-to-air missile": "Missiles", "surface-to-air missile system": "Air-defence systems",
    "reconnaissance drone": "Aircraft", "armoured reconnaissance/fire-support vehicle": "Armoured vehicles",
    "naval surface-to-air missile system": "Naval weapons", "mobile surface-to-air missile system": "Air-defence systems",
    "armed drone": "Aircraft", "(armed) light helicopter": "Aircraft", "anti-ballistic missile missile": "Missiles",
    "minehunter/minesweeper": "Ships", "(armed) transport helicopter": "Aircraft",
    "anti-radar/air-to-surface missile": "Missiles", "cruiser": "Ships", "frigate/landing ship": "Ships",
    "gunboat": "Ships", "anti-aircraft gun/surface-to-air missile system": "Air-defence systems",
    "(armed) reconnaissance drone": "Aircraft", "heavy transport helicopter": "Aircraft",
    "anti-submarine mortar": "Naval weapons", "aircraft electro-optical/radar system": "Sensors",
    "anti-aircraft gun turret": "Air-defence systems", "patrol ship/support ship": "Ships",
    "anti-ballistic missile system": "Air-defence systems", "anti-ship/air-to-ground/surface-to-air missile": "Missiles",
    "air/sea-search/fire-control radar": "Sensors", "target tow aircraft": "Aircraft", "maritime patrol drone": "Aircraft",
    "(armed) maritime patrol aircraft": "Aircraft", "anti-submarine missile": "Missiles",
    "fighter/ground-attack/electronic warfare aircraft": "Aircraft", "signals intelligence helicopter": "Aircraft",
    "armed reconnaissance drone": "Aircraft", "anti-ship/air-to surface/surface-to-surface missile": "Missiles",
    "corvette/minesweeper": "Ships", "landing craft/patrol boat": "Ships", "light aircraft/reconnaissance drone": "Aircraft",
    "coastal defence gun": "Artillery", "midget submarine": "Ships", "transport/trainer aircraft": "Aircraft",
    "patrol ship/transport ship": "Ships", "armoured personnel carrier/armoured supply vehicle": "Armoured vehicles",
    "electronic warfare aircraft": "Aircraft", "transport aircraft/helicopter": "Aircraft",
    "amphibious assault ship/frigate": "Ships", "reconnaissance satellite": "Satellites", "armed UGV": "Armoured vehicles",
    "ship nuclear reactor": "Engines", "patrol ship/icebreaker": "Ships",
}

def main(per_year_clean: str, reg2026_clean: str, out: str) -> None:
    seen = {r["description"]: r["armament_category"] for r in csv.DictReader(open(per_year_clean, encoding="utf-8"))}
    descs = sorted({r["weapon_description"] for r in csv.DictReader(open(reg2026_clean, encoding="utf-8"))} | set(seen))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["description", "armament_category", "basis"])
        for d in descs:
            if d in seen:
                w.writerow([d, seen[d], "sipri_2025_release"])
            else:
                w.writerow([d, MANUAL[d], "project"])

if __name__ == "__main__":
    main(*sys.argv[1:4])
