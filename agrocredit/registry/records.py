"""Subsidy and insurance records: import from CSV or Parquet, and lookups per farmer.

Columns (case-insensitive): ``farmer_id``, ``plot_id`` (optional), ``year``, ``crop``
(optional), ``area_mu`` (optional) and
- subsidy: ``program``, ``amount_cny``;
- insurance: ``insured_amount_cny``, ``premium_cny`` (optional), ``insurer`` (optional).
A ``record_id`` column (policy or payment number) makes a record's identity; without it the
identity is the record's fields, so re-importing the same file never duplicates records.
Rows naming an unknown farmer or plot, with bad numbers, or repeating an earlier row's
record, are rejected with a reason and the rest go in, in one transaction.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from agrocredit.crops.taxonomy import TAXONOMY
from agrocredit.errors import ImportFileError, InvalidInputError, UnknownCropError
from agrocredit.registry.db import Registry
from agrocredit.registry.models import Farmer, InsuranceRecord, Plot, SubsidyRecord
from agrocredit.units import yuan

RecordKind = Literal["subsidy", "insurance"]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "subsidy": ("farmer_id", "year", "program", "amount_cny"),
    "insurance": ("farmer_id", "year", "insured_amount_cny"),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "subsidy": ("plot_id", "crop", "area_mu", "record_id"),
    "insurance": ("plot_id", "crop", "area_mu", "premium_cny", "insurer", "record_id"),
}


@dataclass
class RecordsImportResult:
    """What a records import did."""

    kind: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[tuple[int, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejects),
            "rejects": [{"row": r, "reason": c, "message": m} for r, c, m in self.rejects],
        }


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet table."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}: file not found; check the path")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise ImportFileError(f"{path.name}: cannot read it ({exc})") from None
    raise ImportFileError(f"{path.name}: unsupported table type {suffix}; use .csv or .parquet")


def _clean(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def import_records(
    registry: Registry, frame: pd.DataFrame, kind: RecordKind
) -> RecordsImportResult:
    """Import subsidy or insurance records from a table (see the module docstring)."""
    if kind not in _REQUIRED:
        raise InvalidInputError(f"record kind {kind!r} is unknown; use subsidy or insurance")
    lower = {str(c).lower(): c for c in frame.columns}
    missing = [c for c in _REQUIRED[kind] if c not in lower]
    if missing:
        raise InvalidInputError(
            f"the {kind} table lacks column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, frame.columns))}"
        )
    cols = [c for c in (*_REQUIRED[kind], *_OPTIONAL[kind]) if c in lower]
    result = RecordsImportResult(kind=kind, rows=len(frame))
    model = SubsidyRecord if kind == "subsidy" else InsuranceRecord
    rows: list[dict[str, Any]] = []
    with registry.session() as session, session.begin():
        farmers = _existing(session, Farmer.id, frame[lower["farmer_id"]])
        plots = (
            _existing(session, Plot.id, frame[lower["plot_id"]]) if "plot_id" in lower else set()
        )
        first_row: dict[str, int] = {}
        for i, raw in enumerate(frame[[lower[c] for c in cols]].itertuples(index=False), 1):
            values = {c: _clean(v) for c, v in zip(cols, raw, strict=True)}
            try:
                rec = _record(values, kind, farmers, plots)
            except InvalidInputError as exc:
                result.rejects.append((i, getattr(exc, "reason", "invalid_value"), str(exc)))
                continue
            if rec["record_key"] in first_row:
                result.rejects.append(
                    (
                        i,
                        "duplicate_record",
                        f"the same record is already on row {first_row[rec['record_key']]} "
                        "(same record_id, or same farmer, plot, year, crop and program or "
                        "insurer); give each record its own record_id",
                    )
                )
                continue
            first_row[rec["record_key"]] = i
            rows.append(rec)
        keys = [r["record_key"] for r in rows]
        existing = {}
        for j in range(0, len(keys), 500):
            for rec in session.scalars(
                select(model).where(model.record_key.in_(keys[j : j + 500]))
            ):
                existing[rec.record_key] = rec
        new, changed = [], []
        for r in rows:
            old = existing.get(r["record_key"])
            if old is None:
                new.append(r)
            elif any(getattr(old, k) != v for k, v in r.items()):
                changed.append({"id": old.id, **r})
            else:
                result.unchanged += 1
        if new:
            session.execute(insert(model), new)
        if changed:
            session.execute(update(model), changed)
        result.inserted, result.updated = len(new), len(changed)
    return result


def _existing(session: Session, column: Any, values: pd.Series) -> set[str]:
    wanted = sorted({v for v in (_clean(x) for x in values) if v})
    found: set[str] = set()
    for j in range(0, len(wanted), 500):
        found.update(session.scalars(select(column).where(column.in_(wanted[j : j + 500]))))
    return found


class _RecordError(InvalidInputError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _number(values: dict[str, str | None], name: str, required: bool) -> float | None:
    text = values.get(name)
    if text is None:
        if required:
            raise _RecordError("missing_value", f"{name} is empty")
        return None
    try:
        out = float(text)
    except ValueError:
        raise _RecordError("invalid_number", f"{name} {text!r} is not a number") from None
    if not math.isfinite(out) or out < 0:
        raise _RecordError("invalid_number", f"{name} {text!r} must be a non-negative number")
    return out


def _record(
    values: dict[str, str | None], kind: str, farmers: set[str], plots: set[str]
) -> dict[str, Any]:
    farmer_id = values.get("farmer_id")
    if not farmer_id or farmer_id not in farmers:
        raise _RecordError(
            "unknown_farmer",
            f"farmer {farmer_id!r} is not registered; import the farmer's plots first",
        )
    plot_id = values.get("plot_id")
    if plot_id and plot_id not in plots:
        raise _RecordError("unknown_plot", f"plot {plot_id!r} is not registered")
    year = _number(values, "year", True)
    if year is None or not year.is_integer() or not 1990 <= year <= 2100:
        raise _RecordError("invalid_year", f"year {values.get('year')!r} is not a year")
    crop = values.get("crop")
    if crop:
        try:
            crop = TAXONOMY.lookup(crop).key
        except UnknownCropError as exc:
            raise _RecordError("unknown_crop", str(exc)) from None
    out: dict[str, Any] = {
        "farmer_id": farmer_id,
        "plot_id": plot_id,
        "year": int(year),
        "crop": crop,
        "area_mu": _number(values, "area_mu", False),
    }
    if kind == "subsidy":
        program = values.get("program")
        if not program:
            raise _RecordError("missing_value", "program is empty")
        out["program"] = program
        out["amount_cny"] = yuan(_number(values, "amount_cny", True) or 0)
    else:
        out["insured_amount_cny"] = yuan(_number(values, "insured_amount_cny", True) or 0)
        premium = _number(values, "premium_cny", False)
        out["premium_cny"] = yuan(premium) if premium is not None else None
        out["insurer"] = values.get("insurer")
    ident = values.get("record_id")
    if not ident:
        basis = "|".join(str(out.get(k)) for k in ("farmer_id", "plot_id", "year", "crop"))
        basis += "|" + str(out.get("program") or out.get("insurer"))
        ident = hashlib.sha1(basis.encode()).hexdigest()[:20]  # noqa: S324
    out["record_key"] = f"{kind}:{ident}"[:200]
    return out


def farmer_records(session: Session, farmer_id: str) -> dict[str, list[dict[str, Any]]]:
    """Subsidy and insurance records of one farmer, newest year first."""
    out: dict[str, list[dict[str, Any]]] = {"subsidy": [], "insurance": []}
    for rec in session.scalars(
        select(SubsidyRecord)
        .where(SubsidyRecord.farmer_id == farmer_id)
        .order_by(SubsidyRecord.year.desc())
    ):
        out["subsidy"].append(
            {
                "year": rec.year,
                "program": rec.program,
                "plot_id": rec.plot_id,
                "crop": rec.crop,
                "area_mu": rec.area_mu,
                "amount_cny": rec.amount_cny,
            }
        )
    for rec in session.scalars(
        select(InsuranceRecord)
        .where(InsuranceRecord.farmer_id == farmer_id)
        .order_by(InsuranceRecord.year.desc())
    ):
        out["insurance"].append(
            {
                "year": rec.year,
                "plot_id": rec.plot_id,
                "crop": rec.crop,
                "area_mu": rec.area_mu,
                "insured_amount_cny": rec.insured_amount_cny,
                "premium_cny": rec.premium_cny,
                "insurer": rec.insurer,
            }
        )
    return out
