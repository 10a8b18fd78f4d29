"""Scale runs: the SIPRI exports multiplied ×N with generated rows of the same shape, built and benchmarked.

Copy k (1 ≤ k < N) of every real row keeps the supplier, weapon, years, numbers, TIVs and comments and moves the
deal to another recipient (the k-th next recipient in a fixed order), so supplier shares and South Korea's share
stay as in the real data, every name stays mapped in reference/sipri_entities.csv, and the per-delivery-year rows
of a copied deal (new SIPRI AT ids) still link to its copied register row. The files are written in SIPRI's own
formats (register: cp1252, preamble, '?' columns; per-year: ';'-terminated CRLF lines) next to copies of the real
reference and ledger sources, and built with `python -m kdefense.build --sources <dir> --out <file>`.

    python -m bench.scale --factor 10 --out /tmp/kdefense-x10   # writes <out>/sources and <out>/kdefense.duckdb
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT, SOURCES, run_measured

AT_ID_STRIDE = 1_000_000  # copy k of SIPRI AT id i gets i + k * stride (real ids are below 100,000)


def _decode(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def _split(text: str, header_prefix: str) -> tuple[list[str], list[str]]:
    """Preamble lines (to the header, included) and data lines of a SIPRI export."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_prefix))
    return lines[: start + 1], [line for line in lines[start + 1 :] if line.strip()]


def _exports(sipri_dir: Path) -> tuple[Path, Path]:
    """The register and per-year exports the build would pick (the newest of each kind)."""
    from kdefense.build import _parse_generated
    from kdefense.sipri import PER_YEAR_HEADER, REGISTER_HEADER

    found: dict[str, list[tuple[object, Path]]] = {"register": [], "per_year": []}
    for path in sipri_dir.glob("*.csv"):
        text, _ = _decode(path.read_bytes())
        generated = next(
            (
                line.removeprefix("Data generated:").strip().rstrip(";").strip()
                for line in text.splitlines()[:20]
                if line.startswith("Data generated:")
            ),
            "",
        )
        head = "\n".join(text.splitlines()[:20])
        if f"\n{REGISTER_HEADER}" in head:
            found["register"].append((_parse_generated(generated), path))
        elif f"\n{PER_YEAR_HEADER}" in head:
            found["per_year"].append((_parse_generated(generated), path))
    return max(found["register"])[1], max(found["per_year"])[1]


class RecipientShift:
    """Copy k moves a recipient to the k-th next recipient identity, named as the entities file names it."""

    def __init__(self, entities_csv: Path, register_recipients: Counter, encoding: str) -> None:
        rows = list(csv.DictReader(entities_csv.open(encoding="utf-8")))
        self.ident = {r["sipri_name"]: r["iso3"] or r["location_iso3"] or r["sipri_name"] for r in rows}
        names: dict[str, str] = {}
        for name, _ in register_recipients.most_common():  # a spelling the register itself uses, when it has one
            ident = self.ident.get(name, name)
            if _encodable(name, encoding):
                names.setdefault(ident, name)
        for r in rows:
            if _encodable(r["sipri_name"], encoding):
                names.setdefault(self.ident[r["sipri_name"]], r["sipri_name"])
        self.order = sorted(ident for ident in {self.ident.get(n, n) for n in register_recipients} if ident in names)
        self.index = {ident: i for i, ident in enumerate(self.order)}
        self.names = names

    def __call__(self, name: str, k: int) -> str:
        i = self.index.get(self.ident.get(name, name))
        if i is None:
            return name
        return self.names[self.order[(i + k) % len(self.order)]]


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def write_scaled_sources(factor: int, out: Path, sources: Path = SOURCES) -> dict[str, int]:
    """Copy `sources` to `out` with both SIPRI exports multiplied by `factor`; returns the row counts."""
    if out.exists():
        shutil.rmtree(out)
    register_path, per_year_path = _exports(sources / "sipri")
    shutil.copytree(
        sources, out, ignore=lambda d, names: [n for n in names if Path(d, n) in (register_path, per_year_path)]
    )
    reg_text, reg_enc = _decode(register_path.read_bytes())
    reg_head, reg_rows = _split(reg_text, "Recipient,Supplier,Year of order")
    py_text, py_enc = _decode(per_year_path.read_bytes())
    py_head, py_rows = _split(py_text, "SIPRI AT Database ID,Supplier")
    reg_fields = [line.split(",") for line in reg_rows]
    py_fields = [line.rstrip(";").split(",") for line in py_rows]
    for name, rows, width in (
        ("register", reg_fields, len(reg_head[-1].split(","))),
        ("per-year", py_fields, len(py_head[-1].rstrip(";").split(","))),
    ):
        if any(len(f) != width for f in rows):  # SIPRI writes no quoted commas; refuse to guess if that changes
            raise ValueError(f"{name} export has rows that are not {width} plain comma-separated fields")
    shift = RecipientShift(sources / "reference" / "sipri_entities.csv", Counter(f[0] for f in reg_fields), reg_enc)

    with (out / "sipri" / register_path.name).open("w", encoding=reg_enc, newline="") as fh:
        fh.write("\n".join(reg_head) + "\n")
        for k in range(factor):
            cache: dict[str, str] = {}
            for fields in reg_fields:
                if k:
                    rec = fields[0]
                    fields = [cache.get(rec) or cache.setdefault(rec, shift(rec, k)), *fields[1:]]
                fh.write(",".join(fields) + "\n")

    with (out / "sipri" / per_year_path.name).open("w", encoding=py_enc, newline="") as fh:
        fh.write("\r\n".join(py_head) + "\r\n")
        lines = []
        for k in range(factor):
            cache = {}
            for fields in py_fields:
                if k:
                    rec = fields[2]
                    fields = [
                        str(int(fields[0]) + k * AT_ID_STRIDE),
                        fields[1],
                        cache.get(rec) or cache.setdefault(rec, shift(rec, k)),
                        *fields[3:],
                    ]
                lines.append(",".join(fields) + ";")
        fh.write("\r\n".join(lines))
    return {"register_rows": len(reg_rows) * factor, "per_year_rows": len(py_rows) * factor}


def build(sources: Path, db: Path, timeout: float = 7200, max_rss_mb: float | None = None) -> dict:
    """`python -m kdefense.build --sources <sources> --out <db>`: wall time, peak RSS, exit code."""
    result = run_measured(
        [sys.executable, "-m", "kdefense.build", "--sources", str(sources), "--out", str(db)],
        timeout=timeout,
        max_rss_mb=max_rss_mb,
    )
    result["db_mb"] = db.stat().st_size / 2**20 if db.exists() else None
    return result


def replicate_database(source_db: Path, factor: int, out_db: Path, sources: Path = SOURCES) -> dict:
    """The database the build would write for ×factor sources, made in SQL from a built ×1 database.

    Used where the build itself cannot run at that size on the bench machine. Copy k of every SIPRI row gets the
    same recipient shift as write_scaled_sources, its recipient's ISO3, type, location and region re-derived from
    the entity and country tables, `<id>~k` transfer ids and shifted AT ids; ledger tables are unchanged.
    """
    import duckdb

    started = time.perf_counter()
    tmp = out_db.with_name(out_db.name + ".tmp")
    shutil.copy(source_db, tmp)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET enable_progress_bar = false")
        names = [
            r[0]
            for r in con.execute("""SELECT recipient FROM _internal.transfers UNION
                                              SELECT recipient FROM _internal.transfer_deliveries""").fetchall()
        ]
        counts = Counter(dict(con.execute("SELECT recipient, count(*) FROM _internal.transfers GROUP BY 1").fetchall()))
        counts.update({n: 0 for n in names if n not in counts})
        shift = RecipientShift(sources / "reference" / "sipri_entities.csv", counts, "utf-8")
        con.execute("CREATE TEMP TABLE shift (k INTEGER, name VARCHAR, new_name VARCHAR)")
        con.executemany(
            "INSERT INTO shift VALUES (?, ?, ?)", [(k, n, shift(n, k)) for k in range(1, factor) for n in names]
        )
        con.execute("""CREATE TEMP TABLE who AS
            SELECT s.k, s.name, s.new_name, e.iso3, e.entity_type, e.location_iso3, c.region
            FROM shift s LEFT JOIN _internal.sipri_entities e ON e.sipri_name = s.new_name
            LEFT JOIN _internal.countries c ON c.iso3 = e.location_iso3""")
        columns = {r[0] for r in con.execute("DESCRIBE _internal.transfers").fetchall()}
        at_id = f", t.sipri_at_id + w.k * {AT_ID_STRIDE} AS sipri_at_id" if "sipri_at_id" in columns else ""
        con.execute(f"""INSERT INTO _internal.transfers BY NAME
            SELECT t.* REPLACE (t.transfer_id || '~' || w.k AS transfer_id, w.new_name AS recipient,
                              w.iso3 AS recipient_iso3, w.entity_type AS recipient_type,
                              w.location_iso3 AS recipient_location_iso3, w.region AS recipient_region{at_id})
            FROM _internal.transfers t JOIN who w ON w.name = t.recipient WHERE w.k < {factor}""")
        con.execute(f"""INSERT INTO _internal.transfer_deliveries BY NAME
            SELECT d.* REPLACE (d.sipri_at_id + w.k * {AT_ID_STRIDE} AS sipri_at_id,
                              d.transfer_id || '~' || w.k AS transfer_id, w.new_name AS recipient,
                              w.iso3 AS recipient_iso3, w.region AS recipient_region)
            FROM _internal.transfer_deliveries d JOIN who w ON w.name = d.recipient WHERE w.k < {factor}""")
        con.execute("UPDATE _internal.build_info SET value = value || '-x' || ? WHERE key = 'data_version'", [factor])
        con.execute("CHECKPOINT")
        rows = con.execute(
            "SELECT (SELECT count(*) FROM transfers), (SELECT count(*) FROM transfer_deliveries)"
        ).fetchone()
    finally:
        con.close()
    os.replace(tmp, out_db)
    return {
        "seconds": time.perf_counter() - started,
        "transfers": rows[0],
        "transfer_deliveries": rows[1],
        "db_mb": out_db.stat().st_size / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--max-rss-mb", type=float, default=None, help="kill the build past this resident memory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    counts = write_scaled_sources(args.factor, args.out / "sources")
    print(
        f"wrote {counts['register_rows']:,} register rows and {counts['per_year_rows']:,} per-year rows "
        f"to {args.out / 'sources'}"
    )
    if not args.no_build:
        result = build(args.out / "sources", args.out / "kdefense.duckdb", max_rss_mb=args.max_rss_mb)
        print(
            f"build: {result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB, exit {result['returncode']} "
            f"{result['killed']}"
        )
        print(result["output"][-2000:])
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
