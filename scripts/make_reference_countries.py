"""One-off helper that drafted data/sources/reference/countries.csv and sipri_entities.csv.

Inputs are the shared reference files (ISO 3166 + UN M49, CC BY-SA 4.0; centroids, MIT; the SIPRI-name
mapping). Region scheme: see docs/schema.md. Kept for review; the build reads only the CSVs it wrote.
"""
import csv
import sys
from pathlib import Path

MIDDLE_EAST = {"BHR", "EGY", "IRN", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "PSE", "QAT", "SAU", "SYR", "TUR",
               "ARE", "YEM"}
EUROPE_EXTRA = {"ARM", "AZE", "GEO", "CYP"}
NATO = {1949: "BEL CAN DNK FRA ISL ITA LUX NLD NOR PRT GBR USA", 1952: "GRC TUR", 1955: "DEU", 1982: "ESP",
        1999: "CZE HUN POL", 2004: "BGR EST LVA LTU ROU SVK SVN", 2009: "ALB HRV", 2017: "MNE", 2020: "MKD",
        2023: "FIN", 2024: "SWE"}
EU = {1958: "BEL FRA DEU ITA LUX NLD", 1973: "DNK IRL GBR", 1981: "GRC", 1986: "PRT ESP", 1995: "AUT FIN SWE",
      2004: "CYP CZE EST HUN LVA LTU MLT POL SVK SVN", 2007: "BGR ROU", 2013: "HRV"}
EU_LEFT = {"GBR": 2020}
NATO_URL = "https://www.nato.int/cps/en/natohq/topics_52044.htm"
EU_URL = "https://european-union.europa.eu/principles-countries-history/eu-countries_en"
SHORT_NAMES = {"GBR": "United Kingdom", "USA": "United States", "KOR": "South Korea", "PRK": "North Korea",
               "RUS": "Russia", "IRN": "Iran", "SYR": "Syria", "VNM": "Viet Nam", "TUR": "Türkiye", "TWN": "Taiwan",
               "BOL": "Bolivia", "VEN": "Venezuela", "TZA": "Tanzania", "LAO": "Laos", "MDA": "Moldova",
               "COD": "DR Congo", "FSM": "Micronesia", "NLD": "Netherlands", "CZE": "Czechia", "BRN": "Brunei",
               "ARE": "United Arab Emirates", "PSE": "Palestine", "XKX": "Kosovo", "CIV": "Côte d'Ivoire"}


def region_of(iso3: str, un_region: str) -> str:
    if iso3 in MIDDLE_EAST:
        return "Middle East"
    if iso3 in EUROPE_EXTRA:
        return "Europe"
    if iso3 == "TWN":
        return "Asia & Oceania"
    return {"Asia": "Asia & Oceania", "Oceania": "Asia & Oceania", "Europe": "Europe", "Americas": "Americas",
            "Africa": "Africa"}.get(un_region, "")


def join_year(table: dict[int, str], iso3: str) -> str:
    return next((str(y) for y, codes in table.items() if iso3 in codes.split()), "")


def main(shared: str, out_dir: str) -> None:
    ref = Path(shared) / "country-reference"
    iso = list(csv.DictReader(open(ref / "iso3166_un_m49_regions_all.csv", encoding="utf-8")))
    cents = {r["ISO"]: r for r in csv.DictReader(open(ref / "country_centroids_largest_landmass.csv", encoding="utf-8"))}
    sipri = list(csv.DictReader(open(ref / "sipri_entity_to_iso3_DERIVED.csv", encoding="utf-8")))
    by_iso3 = {r["iso3"]: r for r in sipri if r["iso3"]}
    rows = []
    for r in iso + [{"alpha-3": "XKX", "alpha-2": "XK", "name": "Kosovo", "region": "Europe",
                     "sub-region": "Southern Europe"}]:
        iso3 = r["alpha-3"]
        region = region_of(iso3, r["region"])
        if not region:
            continue
        s = by_iso3.get(iso3, {})
        c = cents.get(r["alpha-2"])
        lat = s.get("centroid_lat") or (c and c["latitude"]) or ""
        lon = s.get("centroid_lon") or (c and c["longitude"]) or ""
        csrc = s.get("centroid_source") or ("gavinr/world-countries-centroids" if c else "")
        nato, eu = join_year(NATO, iso3), join_year(EU, iso3)
        rows.append({"iso3": iso3, "iso2": r["alpha-2"], "name": SHORT_NAMES.get(iso3, r["name"]), "region": region,
                     "subregion": r.get("sub-region") or ("Eastern Asia" if iso3 == "TWN" else ""),
                     "nato_join_year": nato, "eu_join_year": eu, "eu_leave_year": EU_LEFT.get(iso3, ""),
                     "centroid_lat": lat, "centroid_lon": lon, "centroid_source": csrc,
                     "membership_source": " ".join(u for u, y in ((NATO_URL, nato), (EU_URL, eu)) if y)})
    # historical states that SIPRI names (no current ISO3): keep their ISO 3166-3 codes, placed at the successor
    hist = {"SUN": ("Soviet Union", "RUS"), "CSK": ("Czechoslovakia", "CZE"), "DDR": ("East Germany (GDR)", "DEU"),
            "YUG": ("Yugoslavia", "SRB"), "YMD": ("South Yemen", "YEM")}
    known = {r["iso3"]: r for r in rows}
    for code, (name, succ) in hist.items():
        base = known[succ]
        rows.append({**base, "iso3": code, "iso2": "", "name": name, "nato_join_year": "", "eu_join_year": "",
                     "eu_leave_year": "", "membership_source": "", "centroid_source": f"successor {succ}"})
    rows.sort(key=lambda r: r["iso3"])
    with open(Path(out_dir) / "countries.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    ent = []
    for s in sipri:
        iso3 = s["iso3"] or s["historical_iso3"] or ""
        ent.append({"sipri_name": s["sipri_name"], "entity_type": s["entity_type"], "iso3": iso3,
                    "location_iso3": s["location_iso3"] or iso3})
    with open(Path(out_dir) / "sipri_entities.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(ent[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(ent)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
