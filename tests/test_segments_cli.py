"""`python -m research segment …`: list, show, cluster (with the silhouette table), export; one-line errors."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import assert_one_line_error, cli

from research.segments import saved
from research.store import Store


def test_cluster_save_list_show_export(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    run = cli("segment", "cluster", "--db", db, "--features", "employees,annual_revenue,industry", "--k", "auto",
              "--k-max", "4", "--save", "Size")
    assert run.returncode == 0, run.stderr
    assert "k  silhouette" in run.stdout and "<- suggested" in run.stdout
    assert "Clusters (k = " in run.stdout and "firms" in run.stdout and "Saved " in run.stdout
    again = cli("segment", "cluster", "--db", db, "--features", "employees,annual_revenue", "--k", "2", "--save", "Size")
    assert_one_line_error(again, 1, "already exists")
    store = Store.open(db)
    try:
        saved.save_rule_segment(store, "ana", name="Serbia", rule={"field": "country", "in": ["RS"]})
    finally:
        store.close()
    listed = cli("segment", "list", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert "Serbia" in listed.stdout and "Size 1" in listed.stdout and "cluster" in listed.stdout
    shown = cli("segment", "show", "serbia", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "Danubia Packaging (us)" in shown.stdout and "Our share" in shown.stdout and '"RS"' in shown.stdout
    out = tmp_path / "serbia.csv"
    exported = cli("segment", "export", "Serbia", "--db", db, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("name,vat_id") and len(lines) > 100
    xlsx = cli("segment", "export", "Serbia", "--db", db, "--out", str(tmp_path / "serbia.xlsx"))
    assert xlsx.returncode == 0 and (tmp_path / "serbia.xlsx").stat().st_size > 1000


def test_segment_errors_are_one_line(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    assert_one_line_error(cli("segment", "show", "Nope", "--db", db), 1, "There is no segment")
    assert_one_line_error(cli("segment", "cluster", "--db", db, "--features", "employees,password"), 1, "Cannot cluster on")
    store = Store.open(db)
    try:
        saved.save_rule_segment(store, "ana", name="All", rule={})
    finally:
        store.close()
    assert_one_line_error(cli("segment", "export", "All", "--db", db, "--out", str(tmp_path / "x.pdf")), 1, ".csv or .xlsx")
    bad_k = cli("segment", "cluster", "--db", db, "--features", "employees", "--k", "one")
    assert bad_k.returncode == 2
