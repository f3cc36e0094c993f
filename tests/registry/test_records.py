"""Subsidy and insurance records: import, idempotence, rejects, lookups."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from agrocredit.errors import ImportFileError, InvalidInputError
from agrocredit.registry.models import InsuranceRecord, SubsidyRecord
from agrocredit.registry.records import farmer_records, import_records, read_table

SUBSIDY_CSV = """farmer_id,plot_id,year,crop,area_mu,program,amount_cny,record_id
F001,P001,2025,玉米,6,耕地地力保护补贴,120.5,S-1
F001,,2024,,,耕地地力保护补贴,118,S-2
F002,P004,2025,corn,4.68,玉米生产者补贴,93.6,S-3
"""

INSURANCE_CSV = """farmer_id,plot_id,year,crop,area_mu,insured_amount_cny,premium_cny,insurer
F001,P001,2026,maize,6,8000,48,中原农险
F003,P007,2026,棉花,7.35,9000,,
"""


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def n_rows(registry, model):
    with registry.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_subsidy_import_and_lookup(loaded_registry, tmp_path):
    frame = read_table(write(tmp_path, "subsidy.csv", SUBSIDY_CSV))
    result = import_records(loaded_registry, frame, "subsidy")
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.rejects == []
    with loaded_registry.session() as s:
        recs = farmer_records(s, "F001")
    assert recs["insurance"] == []
    assert recs["subsidy"] == [
        {
            "year": 2025,
            "program": "耕地地力保护补贴",
            "plot_id": "P001",
            "crop": "maize",
            "area_mu": 6.0,
            "amount_cny": 121,  # whole yuan, half up
        },
        {
            "year": 2024,
            "program": "耕地地力保护补贴",
            "plot_id": None,
            "crop": None,
            "area_mu": None,
            "amount_cny": 118,
        },
    ]


def test_subsidy_reimport_is_idempotent_and_updates(loaded_registry, tmp_path):
    path = write(tmp_path, "subsidy.csv", SUBSIDY_CSV)
    import_records(loaded_registry, read_table(path), "subsidy")
    again = import_records(loaded_registry, read_table(path), "subsidy")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = write(tmp_path, "changed.csv", SUBSIDY_CSV.replace(",118,S-2", ",130,S-2"))
    result = import_records(loaded_registry, read_table(changed), "subsidy")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    assert n_rows(loaded_registry, SubsidyRecord) == 3
    with loaded_registry.session() as s:
        assert farmer_records(s, "F001")["subsidy"][1]["amount_cny"] == 130


def test_insurance_import(loaded_registry, tmp_path):
    path = write(tmp_path, "insurance.csv", INSURANCE_CSV)
    result = import_records(loaded_registry, read_table(path), "insurance")
    assert (result.inserted, result.rejects) == (2, [])
    again = import_records(loaded_registry, read_table(path), "insurance")
    assert (again.inserted, again.unchanged) == (0, 2)
    assert n_rows(loaded_registry, InsuranceRecord) == 2
    with loaded_registry.session() as s:
        f3 = farmer_records(s, "F003")["insurance"]
        f1 = farmer_records(s, "F001")["insurance"]
    assert f3 == [
        {
            "year": 2026,
            "plot_id": "P007",
            "crop": "cotton",
            "area_mu": 7.35,
            "insured_amount_cny": 9000,
            "premium_cny": None,
            "insurer": None,
        }
    ]
    assert (f1[0]["premium_cny"], f1[0]["insurer"]) == (48, "中原农险")


def test_records_from_parquet(loaded_registry, tmp_path):
    frame = pd.DataFrame(
        {"farmer_id": ["F004"], "year": [2025], "program": ["p"], "amount_cny": [99.4]}
    )
    frame.to_parquet(tmp_path / "s.parquet")
    result = import_records(loaded_registry, read_table(tmp_path / "s.parquet"), "subsidy")
    assert result.inserted == 1
    with loaded_registry.session() as s:
        assert farmer_records(s, "F004")["subsidy"][0]["amount_cny"] == 99


REJECTS_CSV = """farmer_id,plot_id,year,crop,program,amount_cny
F001,P001,2025,maize,ok,100
F404,,2025,,p,100
F001,P404,2025,,p,100
F001,,2025,,p,12x
F001,,2025,,p,-5
F001,,1800,,p,100
F001,,2025.5,,p,100
F001,,2025,banana,p,100
F001,,2025,,,100
F001,,2025,,p,
F001,P001,2025,maize,ok,110
"""


def test_subsidy_rejects(loaded_registry, tmp_path):
    frame = read_table(write(tmp_path, "bad.csv", REJECTS_CSV))
    result = import_records(loaded_registry, frame, "subsidy")
    assert result.inserted == 1
    got = {row: (reason, message) for row, reason, message in result.rejects}
    assert got == {
        2: ("unknown_farmer", "farmer 'F404' is not registered; import the farmer's plots first"),
        3: ("unknown_plot", "plot 'P404' is not registered"),
        4: ("invalid_number", "amount_cny '12x' is not a number"),
        5: ("invalid_number", "amount_cny '-5' must be a non-negative number"),
        6: ("invalid_year", "year '1800' is not a year"),
        7: ("invalid_year", "year '2025.5' is not a year"),
        8: ("unknown_crop", got[8][1]),
        9: ("missing_value", "program is empty"),
        10: ("missing_value", "amount_cny is empty"),
        11: ("duplicate_record", got[11][1]),
    }
    assert "crop 'banana' is not in the crop taxonomy" in got[8][1]
    assert got[11][1].startswith("the same record is already on row 1")
    assert n_rows(loaded_registry, SubsidyRecord) == 1
    d = result.as_dict()
    assert (d["rows"], d["inserted"], d["rejected"]) == (11, 1, 10)
    assert d["rejects"][0] == {"row": 2, "reason": "unknown_farmer", "message": got[2][1]}


def test_duplicate_record_id_in_one_file(loaded_registry, tmp_path):
    csv = "farmer_id,year,insured_amount_cny,record_id\nF001,2026,100,POL-1\nF002,2026,200,POL-1\n"
    result = import_records(loaded_registry, read_table(write(tmp_path, "i.csv", csv)), "insurance")
    assert result.inserted == 1
    assert [(r, c) for r, c, _ in result.rejects] == [(2, "duplicate_record")]


def test_missing_columns_and_kind(loaded_registry, tmp_path):
    frame = pd.DataFrame({"farmer_id": ["F001"], "year": ["2025"]})
    with pytest.raises(InvalidInputError, match="lacks column"):
        import_records(loaded_registry, frame, "subsidy")
    with pytest.raises(InvalidInputError, match="use subsidy or insurance"):
        import_records(loaded_registry, frame, "loans")


def test_read_table_errors(tmp_path):
    with pytest.raises(ImportFileError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(ImportFileError, match=r"unsupported table type \.xlsx"):
        read_table(tmp_path / "t.xlsx")
    (tmp_path / "t.parquet").write_text("not parquet")
    with pytest.raises(ImportFileError, match="cannot read it"):
        read_table(tmp_path / "t.parquet")


def test_failed_records_import_is_rolled_back(loaded_registry, tmp_path, monkeypatch):
    from agrocredit.registry import records

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    path = write(tmp_path, "subsidy.csv", SUBSIDY_CSV)
    import_records(loaded_registry, read_table(path), "subsidy")
    changed = write(tmp_path, "more.csv", SUBSIDY_CSV.replace("S-3", "S-4").replace("118", "1"))
    # S-4 is inserted first, then the update of S-2 fails: the insert must be undone
    monkeypatch.setattr(records, "update", boom)
    with pytest.raises(RuntimeError):
        import_records(loaded_registry, read_table(changed), "subsidy")
    assert n_rows(loaded_registry, SubsidyRecord) == 3
    with loaded_registry.session() as s:
        assert farmer_records(s, "F001")["subsidy"][1]["amount_cny"] == 118
