"""The command line, run in-process: output, JSON, exit codes, error messages."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from agrocredit import __version__
from agrocredit.cli import main


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "var"


@pytest.fixture
def cli(capsys, data_dir):
    """Run ``agrocredit --data-dir <tmp> ARGS``; returns (exit code, stdout, stderr)."""

    def run(*args, data=True):
        argv = (["--data-dir", str(data_dir)] if data else []) + [str(a) for a in args]
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def loaded(cli, registry_files):
    code, _, _ = cli("plots", "import", registry_files["gpkg"])
    assert code == 0
    code, _, _ = cli("plots", "import", registry_files["bad"])
    assert code == 0
    return cli


def as_json(out):
    return json.loads(out)


def test_version(cli):
    code, out, err = cli("--version", data=False)
    assert (code, out, err) == (0, f"agrocredit {__version__}\n", "")


def test_db_upgrade_and_status(cli, data_dir):
    code, out, _ = cli("db", "status")
    assert code == 0
    assert out == "registry schema empty (newest 0001_registry): needs `agrocredit db upgrade`\n"
    code, out, _ = cli("db", "upgrade")
    assert (code, out) == (0, "registry schema upgraded from empty to 0001_registry\n")
    assert (data_dir / "agrocredit.db").exists()
    code, out, _ = cli("db", "upgrade")
    assert (code, out) == (0, "registry schema already at 0001_registry\n")
    code, out, _ = cli("db", "upgrade", "--json")
    assert as_json(out) == {"before": "0001_registry", "after": "0001_registry"}
    code, out, _ = cli("db", "status", "--json")
    assert as_json(out) == {"current": "0001_registry", "head": "0001_registry", "up_to_date": True}
    code, out, _ = cli("db", "status")
    assert out.endswith(": up to date\n")


def test_database_url_option(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    code, _, _ = cli("--database-url", url, "db", "upgrade", data=False)
    assert code == 0
    assert (tmp_path / "other.db").exists() and not (tmp_path / "var").exists()


def test_plots_import_text(cli, registry_files, data_dir):
    code, out, err = cli("plots", "import", registry_files["bad"])
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "bad_rows.gpkg: 20 rows; 4 new, 0 updated, 0 unchanged, 16 rejected, 3 flagged"
    )
    assert "  rejected      2 × area_out_of_bounds" in lines
    assert "  rejected      1 × self_intersection" in lines
    report = lines[-1].removeprefix("  reject report: ")
    assert report.startswith(str(data_dir / "reports" / "import-"))
    with open(report, encoding="utf-8") as fh:
        assert len(fh.read().splitlines()) == 17


def test_plots_import_json_and_reimport(cli, registry_files):
    code, out, _ = cli("plots", "import", registry_files["kml"], "--json")
    assert code == 0
    data = as_json(out)
    assert {k: data[k] for k in ("rows", "inserted", "rejected", "farmers_inserted")} == {
        "rows": 10,
        "inserted": 10,
        "rejected": 0,
        "farmers_inserted": 4,
    }
    assert data["reject_report"] is None and data["file"] == str(registry_files["kml"])
    code, out, _ = cli("plots", "import", registry_files["parquet"], "--json")
    assert (as_json(out)["inserted"], as_json(out)["unchanged"]) == (0, 10)


def test_plots_import_options(cli, registry_files, tmp_path):
    code, out, _ = cli("plots", "import", registry_files["nocrs"], "--json")
    assert as_json(out)["reject_reasons"] == {"missing_crs": 10}
    rejects = tmp_path / "mine.csv"
    code, out, _ = cli(
        "plots", "import", registry_files["bad"], "--county", "410527", "--season",
        "2026-summer", "--rejects", rejects, "--json",
    )  # fmt: skip
    data = as_json(out)
    assert code == 0 and data["accepted"] == 6  # B-NOCOUNTY and B-NOSEASON now pass
    assert data["reject_report"] == str(rejects) and rejects.exists()
    code, out, _ = cli("plots", "import", registry_files["nocrs"], "--crs", "EPSG:4326", "--json")
    assert as_json(out)["inserted"] == 10


def test_plots_import_with_map_and_layer(cli, registry_files, tmp_path):
    data = gpd.read_file(registry_files["gpkg"]).rename(columns={"county_code": "region"})
    path = tmp_path / "mapped.gpkg"
    data.to_file(path, layer="fields")
    data.iloc[:2].to_file(path, layer="other")
    code, _, err = cli("plots", "import", path)
    assert code == 1 and "choose one with --layer" in err
    code, out, _ = cli(
        "plots", "import", path, "--layer", "fields", "-m", "county_code=region", "--json"
    )
    assert code == 0 and as_json(out)["inserted"] == 10


def test_plots_list(loaded):
    code, out, _ = loaded("plots", "list", "--county", "410526", "--limit", "5")
    assert code == 0
    assert out.splitlines()[-1] == "5 plot(s)"
    for pid in ("B-BASE", "B-OVL1", "B-OVL2", "B-REPAIR", "P001"):
        assert pid in out
    code, out, _ = loaded("plots", "list", "--county", "999999")
    assert out.splitlines()[-1] == "0 plot(s)"


def test_plots_list_json(loaded):
    code, out, _ = loaded("plots", "list", "--farmer", "F101", "--json")
    data = as_json(out)
    assert [p["id"] for p in data] == ["B-BASE", "B-OVL1", "B-REPAIR"]
    assert "geometry" not in data[0]
    assert data[1]["flags"][0]["other_plot"] == "B-OVL2"
    assert data[2]["flags"] == [{"code": "geometry_repaired"}]
    assert data[0]["declared_crops"] == {"2026-winter": "wheat"}
    code, out, _ = loaded("plots", "list", "--limit", "100", "--offset", "10", "--json")
    assert code == 0
    assert [p["id"] for p in as_json(out)] == ["P007", "P008", "P009", "P010"]


def test_plots_list_bbox(loaded, registry_data):
    # the good plots' first row (P001..P006), in EPSG:4326
    bounds = registry_data.local_box(-2, 100, 170, 110).bounds
    code, out, _ = loaded("plots", "list", "--bbox", ",".join(map(str, bounds)), "--json")
    assert code == 0
    assert [p["id"] for p in as_json(out)] == ["P001", "P002", "P003", "P004", "P005", "P006"]


def test_plots_show(loaded):
    code, out, _ = loaded("plots", "show", "P003")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "plot P003"
    assert "  farmer            F001" in lines
    assert "  polygon area      6.75 mu = 0.450 ha = 4500 m² (EPSG:32650)" in lines
    assert "  declared 2026-summer peanut" in lines
    assert lines[-1].startswith("  centroid          114.5")
    code, out, _ = loaded("plots", "show", "B-OVL2", "--json")
    data = as_json(out)
    assert data["id"] == "B-OVL2" and data["farmer_id"] == "F102"
    assert data["geometry"]["type"] == "Polygon"
    assert data["flags"][0]["fraction"] == pytest.approx(0.2, abs=1e-3)


def test_plots_export(loaded, tmp_path):
    out_file = tmp_path / "exp" / "plots.geojson"
    code, out, _ = loaded("plots", "export", out_file, "--farmer", "F001")
    assert (code, out) == (0, f"wrote 3 plot(s) to {out_file}\n")
    assert sorted(gpd.read_file(out_file).plot_id) == ["P001", "P002", "P003"]
    code, out, _ = loaded("plots", "export", tmp_path / "all.kmz", "--json")
    assert as_json(out) == {"file": str(tmp_path / "all.kmz"), "plots": 14}
    code, out, _ = loaded("plots", "import", tmp_path / "all.kmz", "--json")
    assert (as_json(out)["unchanged"], as_json(out)["rejected"]) == (14, 0)


def test_records_import_and_farmer(loaded, tmp_path):
    subsidy = tmp_path / "subsidy.csv"
    subsidy.write_text(
        "farmer_id,year,program,amount_cny\nF001,2025,耕地地力保护补贴,120\nF404,2025,x,1\n",
        encoding="utf-8",
    )
    insurance = tmp_path / "insurance.parquet"
    pd.DataFrame(
        {"farmer_id": ["F001"], "year": ["2026"], "crop": ["玉米"], "insured_amount_cny": [8000],
         "insurer": ["中原农险"]}
    ).to_parquet(insurance)  # fmt: skip
    code, out, _ = loaded("records", "import", subsidy, "--kind", "subsidy")
    assert code == 0
    assert out.splitlines() == [
        "subsidy.csv: 2 subsidy rows; 1 new, 0 updated, 0 unchanged, 1 rejected",
        "  row 2: unknown_farmer: farmer 'F404' is not registered; import the farmer's plots first",
    ]
    code, out, _ = loaded("records", "import", subsidy, "--kind", "subsidy", "--json")
    assert (as_json(out)["unchanged"], as_json(out)["rejected"]) == (1, 1)
    code, out, _ = loaded("records", "import", insurance, "--kind", "insurance", "--json")
    assert as_json(out)["inserted"] == 1

    code, out, _ = loaded("farmers", "show", "F001")
    assert code == 0
    assert out.splitlines() == [
        "farmer F001  张伟  13800000001",
        "  village 东王庄村, county 410526",
        "  plots   P001, P002, P003",
        "  subsidy   2025 耕地地力保护补贴: 120 CNY",
        "  insurance 2026 maize: insured 8000 CNY (中原农险)",
    ]
    code, out, _ = loaded("farmers", "show", "F001", "--json")
    data = as_json(out)
    assert data["plot_ids"] == ["P001", "P002", "P003"]
    assert data["subsidy"][0]["amount_cny"] == 120
    assert data["insurance"][0]["insurer"] == "中原农险"


def test_summary(loaded):
    code, out, _ = loaded("summary", "--json")
    data = as_json(out)
    assert code == 0
    assert (data["plots"], data["farmers"], data["plots_flagged"]) == (14, 6, 3)
    assert data["declared_crops"]["2026-winter"] == {"wheat": 4}
    code, out, _ = loaded("summary", "--county", "410526")
    assert out.splitlines()[0] == "Registry summary (county 410526)"
    assert "farmers 6   plots 14" in out
    assert "2026-winter" in out and "wheat" in out


# --- errors -----------------------------------------------------------------------------------


def assert_domain_error(code, out, err, message):
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


def test_unknown_plot(loaded):
    code, out, err = loaded("plots", "show", "P404")
    assert_domain_error(code, out, err, "plot 'P404' is not registered")
    assert out == ""
    code, out, err = loaded("farmers", "show", "F404")
    assert_domain_error(code, out, err, "farmer 'F404' is not registered")


def test_missing_and_unsupported_files(cli, tmp_path):
    code, out, err = cli("plots", "import", tmp_path / "nope.gpkg")
    assert_domain_error(code, out, err, "nope.gpkg: file not found")
    (tmp_path / "plots.dxf").write_text("x")
    code, out, err = cli("plots", "import", tmp_path / "plots.dxf")
    assert_domain_error(code, out, err, "unsupported file type .dxf")
    code, out, err = cli("plots", "export", tmp_path / "plots.dxf")
    assert_domain_error(code, out, err, "unsupported file type .dxf")
    code, out, err = cli("records", "import", tmp_path / "nope.csv", "--kind", "subsidy")
    assert_domain_error(code, out, err, "nope.csv: file not found")


@pytest.mark.parametrize(
    ("bbox", "message"),
    [
        ("114.5,35.6,114.6", "a bounding box needs four numbers"),
        ("a,b,c,d", "--bbox 'a,b,c,d' must be four numbers"),
        ("114.6,35.6,114.5,35.7", "with min <= max"),
    ],
)
def test_bad_bbox(loaded, bbox, message):
    code, out, err = loaded("plots", "list", "--bbox", bbox)
    assert_domain_error(code, out, err, message)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("plot_id", "'plot_id' is not FIELD=COLUMN"),
        ("parcel=FID", "unknown field 'parcel'"),
        ("plot_id=NOPE", "column 'NOPE' (mapped to plot_id) is not in the file"),
    ],
)
def test_bad_map(cli, registry_files, mapping, message):
    code, out, err = cli("plots", "import", registry_files["gpkg"], "--map", mapping)
    assert_domain_error(code, out, err, message)


def test_other_domain_errors(cli, registry_files, tmp_path):
    code, out, err = cli("plots", "import", registry_files["gpkg"], "--season", "2026")
    assert_domain_error(code, out, err, "season '2026' is not valid")
    code, out, err = cli("plots", "import", registry_files["nocrs"], "--crs", "EPSG:0")
    assert_domain_error(code, out, err, "CRS 'EPSG:0' is not known")
    code, out, err = cli("records", "import", tmp_path / "x.csv", "--kind", "loan")
    assert_domain_error(code, out, err, "--kind 'loan' is unknown")
    code, out, err = cli("--config", tmp_path / "missing.toml", "db", "status")
    assert_domain_error(code, out, err, "missing.toml does not exist")
    code, out, err = cli("--database-url", "nonsense", "db", "status", data=False)
    assert_domain_error(code, out, err, "'nonsense' is not a database URL")


def test_config_file_and_env(cli, registry_files, tmp_path, monkeypatch):
    config = tmp_path / "agrocredit.toml"
    config.write_text("[agrocredit.import_rules]\nmin_area_mu = 6.5\n", encoding="utf-8")
    code, out, _ = cli("--config", config, "plots", "import", registry_files["gpkg"], "--json")
    assert as_json(out)["reject_reasons"] == {"area_out_of_bounds": 4}
    monkeypatch.setenv("AGROCREDIT_IMPORT_RULES__MIN_AREA_MU", "-1")
    code, out, err = cli("plots", "list")
    assert_domain_error(code, out, err, "import_rules.min_area_mu")


def test_verbose_shows_the_traceback(loaded):
    code, out, err = loaded("-v", "plots", "show", "P404")
    assert (code, out) == (1, "")
    assert "Traceback (most recent call last)" in err
    assert "PlotNotFoundError" in err
    assert err.splitlines()[-1] == (
        "error: plot 'P404' is not registered; list plots with `agrocredit plots list`"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["plots", "frobnicate"],
        ["plots", "show"],
        ["plots", "list", "--limit", "0"],
        ["plots", "list", "--limit", "many"],
        ["records", "import", "x.csv"],
    ],
)
def test_usage_errors_exit_2(cli, args):
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert "Usage: agrocredit" in err
    assert "Traceback" not in err


def test_no_arguments_shows_help(cli):
    code, out, err = cli(data=False)
    assert code == 2
    assert "plots" in out + err and "Usage:" in out + err


def test_help(cli):
    code, out, _ = cli("plots", "import", "--help")
    assert code == 0
    assert "--map" in out and "--rejects" in out
