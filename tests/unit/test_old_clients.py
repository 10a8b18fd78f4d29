"""The built file opens in older DuckDB clients: 1.1.3 (the oldest release line that reads it) and the newest 1.x.

Each client lives in its own virtualenv under .venv-old/ (gitignored), made once with pip from the package
registry and reused; the test is skipped, with the reason, only when pip cannot reach the registry.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from kdefense.build import PUBLIC_VIEWS

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = {"1.1.3": "duckdb==1.1.3", "1.x": "duckdb<2"}
PROBE = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__}
for view in sys.argv[2:]:
    out[view] = con.execute(f'SELECT count(*) FROM "{view}"').fetchall()[0][0]
    con.execute(f'SELECT * FROM "{view}" LIMIT 5').fetchall()  # every column decodes
print(json.dumps(out))
"""


def client(name: str) -> Path:
    """The python of a venv holding the DuckDB client `name`; built on first use, then cached."""
    env = ROOT / ".venv-old" / f"duckdb-{name}"
    python = env / "bin" / "python"
    if not (env / ".ready").exists():
        venv.create(env, with_pip=True, clear=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               CLIENTS[name]], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"pip could not install {CLIENTS[name]} (registry unreachable?): {done.stderr[-300:]}")
        (env / ".ready").write_text(CLIENTS[name])
    return python


@pytest.mark.parametrize("name", list(CLIENTS))
def test_older_duckdb_opens_the_file_and_counts_every_view_like_2_0(name, built_db_path, built_db):
    python = client(name)
    done = subprocess.run([str(python), "-c", PROBE, str(built_db_path), *PUBLIC_VIEWS],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert got.pop("version").startswith("1.")
    want = {v: built_db.execute(f'SELECT count(*) FROM "{v}"').fetchall()[0][0] for v in PUBLIC_VIEWS}
    assert got == want


def test_probe_runs_on_this_interpreter(built_db_path):
    """The probe itself is sound (so a failure above is the old client's)."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(built_db_path), "deals"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["deals"] > 0
