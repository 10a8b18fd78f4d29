"""One-off helper that drafted data/sources/sipri/system_families.csv (reviewed by hand afterwards).

Groups SIPRI designations into system families and classes of rival systems. Matching is on SIPRI's own
designation and description; the CSV, not this script, is what the build and pages read.
"""
import csv
import re
import sys

RULES = [  # (class, family, supplier regex, designation regex, description regex)
    ("Self-propelled guns", "K9", r"South Korea", r"^K-9\b", r"self-propelled gun"),
    ("Self-propelled guns", "PzH 2000", r"Germany|Netherlands|Italy|Qatar", r"^PzH-2000", r"self-propelled gun"),
    ("Self-propelled guns", "CAESAR", r"France", r"^CAESAR", r"self-propelled gun"),
    ("Self-propelled guns", "M109", r".", r"^M-109", r"self-propelled gun"),
    ("Self-propelled guns", "Archer", r"Sweden", r"^Archer 155mm", r"self-propelled gun"),
    ("Self-propelled guns", "ATMOS", r"Israel", r"^ATMOS", r"self-propelled gun"),
    ("Self-propelled guns", "Zuzana", r"Slovakia", r"^Zuzana", r"self-propelled gun"),
    ("Self-propelled guns", "Krab", r"Poland", r"^Krab", r"self-propelled gun"),
    ("Main battle tanks", "K2", r"South Korea", r"^K-2 Black Panther", r"^tank$"),
    ("Main battle tanks", "Leopard 2", r".", r"^Leopard-2", r"^tank$"),
    ("Main battle tanks", "M1 Abrams", r".", r"Abrams", r"^tank$"),
    ("Main battle tanks", "Leclerc", r".", r"^Leclerc$", r"^tank$"),
    ("Main battle tanks", "T-90", r"Russia", r"^T-90", r"^tank$"),
    ("Main battle tanks", "VT-4", r"China", r"^VT-4$", r"^tank$"),
    ("Light combat & trainer jets", "FA-50/T-50", r"South Korea", r"^(FA-50|T-50)", r"aircraft"),
    ("Light combat & trainer jets", "M-346", r"Italy", r"^M-346", r"aircraft"),
    ("Light combat & trainer jets", "JF-17", r"China|Pakistan", r"^JF-17", r"aircraft"),
    ("Light combat & trainer jets", "L-39NG", r"Czechia", r"^L-39NG", r"aircraft"),
    ("Light combat & trainer jets", "Hürjet", r"Turkiye", r"^Hurjet", r"aircraft"),
    ("Rocket artillery", "K239 Chunmoo", r"South Korea", r"^K-239", r"multiple rocket launcher"),
    ("Rocket artillery", "HIMARS", r".", r"^HIMARS", r"multiple rocket launcher"),
    ("Rocket artillery", "M270", r".", r"^M-270", r"multiple rocket launcher"),
    ("Rocket artillery", "PULS", r"Israel", r"^PULS", r"multiple rocket launcher"),
    ("Medium-range air defence", "Cheongung-II", r"South Korea", r"^Cheongung", r"surface-to-air missile system"),
    ("Medium-range air defence", "Patriot", r".", r"^Patriot", r"surface-to-air missile system"),
    ("Medium-range air defence", "SAMP/T", r".", r"^SAMP/T", r"surface-to-air missile system"),
    ("Medium-range air defence", "NASAMS", r".", r"^NASAMS", r"surface-to-air missile system"),
    ("Medium-range air defence", "IRIS-T SLM", r"Germany", r"^IRIS-T SL", r"surface-to-air missile"),
    ("Infantry fighting vehicles", "AS21 Redback/K21", r"South Korea", r"^K-21", r"infantry fighting vehicle"),
    ("Infantry fighting vehicles", "CV90", r"Sweden|Netherlands|Norway", r"^CV-90", r"infantry fighting vehicle$"),
    ("Infantry fighting vehicles", "Lynx KF41", r"Germany", r"^Lynx KF-41", r"infantry fighting vehicle"),
    ("Trainer aircraft", "KT-1", r"South Korea", r"^KT-1", r"aircraft"),
    ("Armoured vehicles (other)", "KLTV", r"South Korea", r"^KLTV", r"."),
    ("Armoured vehicles (other)", "K10", r"South Korea", r"^K-10$", r"."),
    ("Combat aircraft", "KF-21", r"South Korea", r"^KF-21", r"aircraft"),
    ("Air defence (short range)", "Chiron", r"South Korea", r"^Chiron", r"."),
    ("Rocket artillery munitions", "K239 Chunmoo munitions", r"South Korea", r"^(CGR-080|CTM)", r"."),
    ("Medium-range air defence", "Cheongung-II missiles", r"South Korea", r"^Cheongung", r"^surface-to-air missile$"),
]


def main(register_clean: str, out: str) -> None:
    seen = set()
    rows = []
    for r in csv.DictReader(open(register_clean, encoding="utf-8")):
        key = (r["supplier"], r["weapon_designation"], r["weapon_description"])
        if key in seen:
            continue
        seen.add(key)
        for cls, fam, sup, des, desc in RULES:
            if re.search(sup, r["supplier"]) and re.search(des, r["weapon_designation"]) and re.search(desc, r["weapon_description"]):
                rows.append((r["supplier"], r["weapon_designation"], fam, cls, r["weapon_description"]))
                break
    rows = sorted(set((s, d, desc, f, c, "") for s, d, f, c, desc in rows))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["supplier", "designation", "description", "system_family", "system_class", "note"])
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
