"""Importing plots (with their farmers and declared crops) from vector files.

The import is idempotent: a plot is keyed by its plot id (or, when the file has none, its
land-right certificate number, or else a hash of its geometry), so importing the same file
again updates changed plots and leaves the rest alone. Each bad row is rejected with a
reason code and a sentence, written to a reject report; the good rows go in within one
transaction.

Reject reasons: ``missing_geometry``, ``not_polygon``, ``multipart``, ``self_intersection``,
``invalid_geometry``, ``missing_crs``, ``unknown_crs``, ``coordinates_out_of_range``,
``area_out_of_bounds``, ``missing_county``, ``invalid_id``, ``duplicate_plot_id``,
``duplicate_certificate``, ``invalid_registered_area``, ``unknown_crop``,
``invalid_season``, ``missing_season``.
Flags kept on accepted plots: ``geometry_repaired``, ``overlap`` (another farmer's plot
covers more than the configured share of this one).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from agrocredit.config import ImportRules
from agrocredit.crops.taxonomy import TAXONOMY
from agrocredit.errors import (
    AgroCreditError,
    CRSError,
    InvalidInputError,
    SeasonError,
    UnknownCropError,
)
from agrocredit.registry.db import Registry
from agrocredit.registry.geometry import (
    check_polygon,
    geometry_hashes,
    parse_crs,
    transform,
    utm_areas,
)
from agrocredit.registry.models import DeclaredCrop, Farmer, ImportRun, Plot
from agrocredit.registry.vector_io import read_vector
from agrocredit.units import M2_PER_MU, Season

#: Canonical field → column names recognised without a mapping (case-insensitive).
#: The 10-character names are what a shapefile (dBASE) makes of the long ones.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "plot_id": ("plot_id", "plotid", "plot_no", "plot_code", "地块编号", "地块编码"),
    "farmer_id": ("farmer_id", "farmerid", "owner_id", "household_id", "农户编号", "承包方编码"),
    "farmer_name": ("farmer_name", "farmer_nam", "owner_name", "户主", "承包方名称"),
    "phone": ("phone", "tel", "mobile", "联系电话"),
    "village": ("village", "village_name", "村"),
    "county_code": ("county_code", "county_cod", "adcode", "county_adcode", "县代码"),
    "certificate_no": (
        "certificate_no",
        "certificat",
        "certificate",
        "cert_no",
        "land_cert",
        "land_right_certificate",
        "确权证号",
        "承包经营权证编号",
    ),
    "registered_area_mu": (
        "registered_area_mu",
        "registered",
        "area_mu",
        "cert_area_mu",
        "确权面积",
    ),
    # "declared_c" is a shapefile's declared_crop or declared_crops: a value with a colon is
    # read as SEASON:CROP pairs either way.
    "declared_crop": ("declared_crop", "declared_c", "crop", "作物"),
    "season": ("season", "季节"),
    "declared_crops": ("declared_crops",),
}
FIELDS: tuple[str, ...] = tuple(FIELD_ALIASES)

_REPAIRED: dict[str, Any] = {"code": "geometry_repaired"}
_ID_RE = re.compile(r"^[\w.\-:/]{1,64}$", re.UNICODE)
_CHUNK = 500


@dataclass(frozen=True)
class Reject:
    """A row that was not imported, and why."""

    row: int
    plot_id: str | None
    certificate_no: str | None
    reason: str
    message: str


@dataclass
class ImportResult:
    """What an import did."""

    file: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_report: Path | None = None
    run_id: int | None = None
    farmers_inserted: int = 0
    farmers_updated: int = 0

    @property
    def accepted(self) -> int:
        """Rows that are now in the registry (inserted, updated or unchanged)."""
        return self.inserted + self.updated + self.unchanged

    @property
    def rejected(self) -> int:
        """Rows rejected."""
        return len(self.rejects)

    def reasons(self) -> dict[str, int]:
        """Count of rejects per reason code."""
        out: dict[str, int] = {}
        for r in self.rejects:
            out[r.reason] = out.get(r.reason, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "file": self.file,
            "rows": self.rows,
            "accepted": self.accepted,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "flagged": self.flagged,
            "farmers_inserted": self.farmers_inserted,
            "farmers_updated": self.farmers_updated,
            "reject_reasons": self.reasons(),
            "reject_report": str(self.reject_report) if self.reject_report else None,
            "run_id": self.run_id,
        }


# --- column mapping ---------------------------------------------------------------------


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """Parse ``FIELD=COLUMN`` strings (CLI ``--map``) into a mapping."""
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise InvalidInputError(
                f"column mapping {item!r} is not FIELD=COLUMN (for example plot_id=FID)"
            )
        key, col = (s.strip() for s in item.split("=", 1))
        if key not in FIELDS:
            raise InvalidInputError(
                f"column mapping names unknown field {key!r}; fields are {', '.join(FIELDS)}"
            )
        out[key] = col
    return out


def resolve_columns(columns: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Field → source column, from the explicit mapping and then the known aliases."""
    present = {str(c).lower(): str(c) for c in columns}
    resolved: dict[str, str] = {}
    for fld, col in mapping.items():
        if fld not in FIELDS:
            raise InvalidInputError(
                f"column mapping names unknown field {fld!r}; fields are {', '.join(FIELDS)}"
            )
        if col not in columns and col.lower() not in present:
            raise InvalidInputError(
                f"column {col!r} (mapped to {fld}) is not in the file; its columns are "
                f"{', '.join(str(c) for c in columns if c != 'geometry')}"
            )
        resolved[fld] = col if col in columns else present[col.lower()]
    taken = set(resolved.values())
    for fld, aliases in FIELD_ALIASES.items():
        if fld in resolved:
            continue
        for alias in aliases:
            col = present.get(alias.lower())
            if col is not None and col not in taken:
                resolved[fld] = col
                taken.add(col)
                break
    return resolved


# --- helpers ----------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def _float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    out = float(value)  # type: ignore[arg-type]
    return None if math.isnan(out) else out


def _parse_declared(
    row: Mapping[str, object], cols: Mapping[str, str], default_season: Season | None
) -> dict[str, str]:
    """Declared crops of a row as {season: crop key}; raises on bad values."""
    out: dict[str, str] = {}
    multi = _text(row.get(cols["declared_crops"])) if "declared_crops" in cols else None
    crop = _text(row.get(cols["declared_crop"])) if "declared_crop" in cols else None
    if crop and ":" in crop:  # SEASON:CROP pairs in a declared_crop column
        multi, crop = ";".join(filter(None, (multi, crop))), None
    if multi:
        for part in re.split(r"[;,]", multi):
            part = part.strip()
            if not part:
                continue
            if ":" not in part:
                raise SeasonError(
                    f"declared crop {part!r} has no season; write SEASON:CROP, "
                    "e.g. 2026-summer:maize"
                )
            season_text, name = part.split(":", 1)
            out[str(Season.parse(season_text))] = TAXONOMY.lookup(name).key
    if crop:
        season_text = _text(row.get(cols["season"])) if "season" in cols else None
        if season_text:
            season = Season.parse(season_text)
        elif default_season is not None:
            season = default_season
        else:
            raise _RowError(
                "missing_season",
                f"declared crop {crop!r} has no season; add a season column or pass --season",
            )
        out[str(season)] = TAXONOMY.lookup(crop).key
    return out


class _RowError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class _Candidate:
    row: int
    plot_id: str
    farmer_id: str | None
    farmer: dict[str, str | None]
    county_code: str
    certificate_no: str | None
    registered_area_mu: float | None
    geometry: shapely.Geometry
    area_m2: float
    utm_epsg: int
    geometry_hash: str
    declared: dict[str, str]
    flags: list[dict[str, Any]]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- main entry point -------------------------------------------------------------------


def import_plots(
    registry: Registry,
    path: Path,
    *,
    rules: ImportRules | None = None,
    mapping: Mapping[str, str] | None = None,
    county_code: str | None = None,
    season: str | Season | None = None,
    crs: str | None = None,
    layer: str | None = None,
    reports_dir: Path | None = None,
    reject_report: Path | None = None,
) -> ImportResult:
    """Import a vector file of plots into the registry; see the module docstring.

    ``county_code`` fills rows without one; ``season`` is the season of a ``declared_crop``
    column without a ``season`` column; ``crs`` is used when the file declares none (it
    never overrides a declared CRS). The reject report (CSV) goes to ``reject_report`` or,
    by default, to ``reports_dir``.
    """
    path = Path(path)
    rules = rules or ImportRules()
    default_season = Season.parse(season) if season is not None else None
    started = datetime.now(UTC)
    frame = read_vector(path, layer=layer)
    return import_frame(
        registry,
        frame,
        source=path.name,
        file_label=str(path),
        file_sha256=_sha256(path),
        rules=rules,
        mapping=mapping or {},
        county_code=county_code,
        default_season=default_season,
        crs=crs,
        reports_dir=reports_dir,
        reject_report=reject_report,
        started=started,
    )


def import_frame(
    registry: Registry,
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    file_label: str | None = None,
    file_sha256: str = "",
    rules: ImportRules | None = None,
    mapping: Mapping[str, str] | None = None,
    county_code: str | None = None,
    default_season: Season | None = None,
    crs: str | None = None,
    reports_dir: Path | None = None,
    reject_report: Path | None = None,
    started: datetime | None = None,
) -> ImportResult:
    """Import plots from a GeoDataFrame (the work behind :func:`import_plots`)."""
    rules = rules or ImportRules()
    started = started or datetime.now(UTC)
    cols = resolve_columns(list(frame.columns), mapping or {})
    result = ImportResult(file=file_label or source, rows=len(frame))
    rejects = result.rejects

    # 1. The CRS: the file's, else the one given; everything is processed in EPSG:4326.
    geoms = np.asarray(frame.geometry.values, dtype=object)
    row_numbers = np.arange(1, len(frame) + 1)
    file_crs: CRS | None = frame.crs
    crs_problem: tuple[str, str] | None = None
    if file_crs is None and crs is not None:
        file_crs = parse_crs(crs)
    if file_crs is None:
        crs_problem = (
            "missing_crs",
            "the file declares no coordinate reference system; pass --crs (e.g. --crs EPSG:4326)",
        )
    else:
        try:
            src = file_crs.to_wkt()
            if not CRS.from_user_input(file_crs).equals(CRS.from_epsg(4326)):
                geoms = transform(geoms, src, "EPSG:4326")
        except (ProjCRSError, CRSError, RuntimeError) as exc:
            crs_problem = (
                "unknown_crs",
                f"the file's CRS cannot be converted to EPSG:4326 ({exc}); reproject the file",
            )
    if crs_problem is not None:
        for i in range(len(frame)):
            rejects.append(Reject(int(row_numbers[i]), None, None, *crs_problem))
        _finish(registry, result, [], source, file_sha256, started, reports_dir, reject_report)
        return result

    # 2. Row by row: attributes and geometry checks.
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    checked: list[_Candidate] = []
    seen_ids: dict[str, int] = {}
    seen_certs: dict[str, int] = {}
    for i, (attrs, geom) in enumerate(zip(records, geoms, strict=True)):
        rownum = int(row_numbers[i])
        plot_id = _text(attrs.get(cols["plot_id"])) if "plot_id" in cols else None
        cert = _text(attrs.get(cols["certificate_no"])) if "certificate_no" in cols else None
        try:
            cand = _check_row(attrs, geom, cols, rules, county_code, default_season, rownum)
        except _RowError as err:
            rejects.append(Reject(rownum, plot_id, cert, err.reason, err.message))
            continue
        except (UnknownCropError, SeasonError) as err:
            reason = "unknown_crop" if isinstance(err, UnknownCropError) else "invalid_season"
            rejects.append(Reject(rownum, plot_id, cert, reason, str(err)))
            continue
        if cand.certificate_no is not None and cand.certificate_no in seen_certs:
            rejects.append(
                Reject(
                    rownum,
                    cand.plot_id,
                    cand.certificate_no,
                    "duplicate_certificate",
                    f"certificate {cand.certificate_no} already appears on row "
                    f"{seen_certs[cand.certificate_no]}; each plot needs its own certificate "
                    "number",
                )
            )
            continue
        if cand.certificate_no is not None:
            seen_certs[cand.certificate_no] = rownum
        checked.append(cand)
    # 3. Areas in the local UTM zone, in one vectorised pass.
    if checked:
        arr = np.array([c.geometry for c in checked], dtype=object)
        areas, epsg = utm_areas(arr)
        hashes = geometry_hashes(arr)
        kept: list[_Candidate] = []
        for c, a, e, h in zip(checked, areas, epsg, hashes, strict=True):
            c.area_m2, c.utm_epsg, c.geometry_hash = float(a), int(e), h
            if not c.plot_id:  # no plot id or certificate: the geometry is the identity
                c.plot_id = "G" + h[:15]
            if c.plot_id in seen_ids:
                rejects.append(
                    Reject(
                        c.row,
                        c.plot_id,
                        c.certificate_no,
                        "duplicate_plot_id",
                        f"plot id {c.plot_id} already appears on row {seen_ids[c.plot_id]}"
                        + ("" if c.plot_id != "G" + h[:15] else " (the same polygon)"),
                    )
                )
                continue
            seen_ids[c.plot_id] = c.row
            mu = a / M2_PER_MU
            if not rules.min_area_mu <= mu <= rules.max_area_mu:
                rejects.append(
                    Reject(
                        c.row,
                        c.plot_id,
                        c.certificate_no,
                        "area_out_of_bounds",
                        f"area {mu:.2f} mu ({a:.0f} m²) is outside {rules.min_area_mu:g}.."
                        f"{rules.max_area_mu:g} mu; check the polygon or its CRS",
                    )
                )
                continue
            kept.append(c)
        checked = kept

    with registry.session() as session, session.begin():
        checked = _reject_foreign_certificates(session, checked, rejects)
        _flag_overlaps(session, checked, rules.overlap_flag_fraction)
        _write(session, checked, source, result)
        _finish(
            registry,
            result,
            checked,
            source,
            file_sha256,
            started,
            reports_dir,
            reject_report,
            session=session,
        )
    result.flagged = sum(1 for c in checked if c.flags)
    rejects.sort(key=lambda r: r.row)
    return result


def _check_row(
    attrs: Mapping[str, object],
    geom: shapely.Geometry | None,
    cols: Mapping[str, str],
    rules: ImportRules,
    county_default: str | None,
    default_season: Season | None,
    rownum: int,
) -> _Candidate:
    def get(fld: str) -> str | None:
        return _text(attrs.get(cols[fld])) if fld in cols else None

    result = check_polygon(geom, rules.repair_area_tolerance)
    if result.geometry is None:
        raise _RowError(result.reason or "invalid_geometry", result.message or "invalid")
    g = result.geometry
    minx, miny, maxx, maxy = g.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise _RowError(
            "coordinates_out_of_range",
            f"coordinates ({minx:.6g}, {miny:.6g}) are not longitude/latitude; the file's CRS "
            "is probably wrong: fix it or pass --crs",
        )
    county = get("county_code") or county_default
    if not county:
        raise _RowError(
            "missing_county",
            "the row has no county code; map a column with --map county_code=COLUMN "
            "or pass --county CODE",
        )
    if len(county) > 16:
        raise _RowError("missing_county", f"county code {county!r} is longer than 16 characters")
    cert = get("certificate_no")
    plot_id = get("plot_id")
    for label, value in (("plot id", plot_id), ("certificate number", cert)):
        if value is not None and not _ID_RE.match(value):
            raise _RowError(
                "invalid_id",
                f"{label} {value!r} must be 1-64 letters, digits or . _ - : /",
            )
    try:
        reg_area = (
            _float(attrs.get(cols["registered_area_mu"]))
            if ("registered_area_mu" in cols)
            else None
        )
    except (TypeError, ValueError):
        raise _RowError(
            "invalid_registered_area",
            f"registered area {attrs.get(cols['registered_area_mu'])!r} is not a number of mu",
        ) from None
    if reg_area is not None and not (0 < reg_area < 1e7):
        raise _RowError(
            "invalid_registered_area", f"registered area {reg_area} mu must be a positive number"
        )
    declared = _parse_declared(attrs, cols, default_season)
    farmer_id = get("farmer_id")
    if farmer_id is not None and not _ID_RE.match(farmer_id):
        raise _RowError("invalid_id", f"farmer id {farmer_id!r} must be 1-64 letters or digits")
    flags: list[dict[str, Any]] = []
    if result.repaired:
        flags.append(dict(_REPAIRED))
    return _Candidate(
        row=rownum,
        plot_id=plot_id or cert or "",
        farmer_id=farmer_id,
        farmer={"name": get("farmer_name"), "phone": get("phone"), "village": get("village")},
        county_code=county,
        certificate_no=cert,
        registered_area_mu=reg_area,
        geometry=g,
        area_m2=0.0,
        utm_epsg=0,
        geometry_hash="",
        declared=declared,
        flags=flags,
    )


def _reject_foreign_certificates(
    session: Session, cands: list[_Candidate], rejects: list[Reject]
) -> list[_Candidate]:
    """Reject certificates that the registry holds for other plots."""
    certs = [c.certificate_no for c in cands if c.certificate_no]
    owner: dict[str, str] = {}
    for chunk in _chunks(certs):
        for cert, pid in session.execute(
            select(Plot.certificate_no, Plot.id).where(Plot.certificate_no.in_(chunk))
        ):
            owner[cert] = pid
    kept = []
    for c in cands:
        holder = owner.get(c.certificate_no or "")
        if holder is not None and holder != c.plot_id:
            rejects.append(
                Reject(
                    c.row,
                    c.plot_id,
                    c.certificate_no,
                    "duplicate_certificate",
                    f"certificate {c.certificate_no} is already registered to plot {holder}; "
                    "correct the certificate number or the plot id",
                )
            )
            continue
        kept.append(c)
    return kept


def _flag_overlaps(session: Session, cands: list[_Candidate], threshold: float) -> None:
    """Flag plots that another farmer's plot (in the file or registry) overlaps beyond
    ``threshold`` of their area.
    """
    if not cands:
        return
    geoms = np.array([c.geometry for c in cands], dtype=object)
    ids = [c.plot_id for c in cands]
    farmers: list[str | None] = [c.farmer_id for c in cands]
    in_file = set(ids)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    existing = session.execute(
        select(Plot.id, Plot.farmer_id, Plot.geometry_wkb).where(
            Plot.minx <= maxx, Plot.maxx >= minx, Plot.miny <= maxy, Plot.maxy >= miny
        )
    ).all()
    existing = [e for e in existing if e[0] not in in_file]
    all_geoms = geoms
    all_ids = list(ids)
    all_farmers = list(farmers)
    if existing:
        all_geoms = np.concatenate([geoms, shapely.from_wkb([e[2] for e in existing])])
        all_ids += [e[0] for e in existing]
        all_farmers += [e[1] for e in existing]
    tree = shapely.STRtree(all_geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return
    fl = np.array(all_farmers, dtype=object)
    same = np.array(
        [fl[a] is not None and fl[a] == fl[b] for a, b in zip(left, right, strict=True)], bool
    )
    left, right = left[~same], right[~same]
    if len(left) == 0:
        return
    inter = shapely.intersection(all_geoms[left], all_geoms[right])
    inter_area, _ = utm_areas(inter)
    own_area = np.array([cands[i].area_m2 for i in left])
    frac = np.where(own_area > 0, inter_area / np.maximum(own_area, 1e-9), 0.0)
    for a, b, f in zip(left, right, frac, strict=True):
        if f > threshold:
            cands[a].flags.append(
                {
                    "code": "overlap",
                    "other_plot": all_ids[b],
                    "other_farmer": all_farmers[b],
                    "fraction": round(float(f), 4),
                }
            )


def _write(session: Session, cands: list[_Candidate], source: str, result: ImportResult) -> None:
    if not cands:
        return
    now = datetime.now(UTC)
    # Farmers: insert new ones, update changed ones (values in the file win when given).
    farmer_rows: dict[str, dict[str, Any]] = {}
    for c in cands:
        if c.farmer_id is None:
            continue
        row = farmer_rows.setdefault(c.farmer_id, {"id": c.farmer_id, "county_code": c.county_code})
        for k, v in c.farmer.items():
            if v is not None:
                row[k] = v
    existing_farmers: dict[str, Farmer] = {}
    fids = list(farmer_rows)
    for chunk in _chunks(fids):
        for f in session.scalars(select(Farmer).where(Farmer.id.in_(chunk))):
            existing_farmers[f.id] = f
    new_farmers = []
    for fid, row in farmer_rows.items():
        old = existing_farmers.get(fid)
        if old is None:
            new_farmers.append(
                {
                    "name": None,
                    "phone": None,
                    "village": None,
                    **row,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            changed = {k: v for k, v in row.items() if getattr(old, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(old, k, v)
                result.farmers_updated += 1
    if new_farmers:
        session.execute(insert(Farmer), new_farmers)
        result.farmers_inserted = len(new_farmers)
    session.flush()

    # Plots.
    existing: dict[str, Any] = {}
    pids = [c.plot_id for c in cands]
    for chunk in _chunks(pids):
        for row in session.execute(
            select(
                Plot.pk,
                Plot.id,
                Plot.farmer_id,
                Plot.county_code,
                Plot.certificate_no,
                Plot.registered_area_mu,
                Plot.geometry_hash,
                Plot.flags,
            ).where(Plot.id.in_(chunk))
        ):
            existing[row.id] = row
    declared_existing: dict[str, dict[str, str]] = {}
    for chunk in _chunks(pids):
        for plot_id, season, crop in session.execute(
            select(DeclaredCrop.plot_id, DeclaredCrop.season, DeclaredCrop.crop).where(
                DeclaredCrop.plot_id.in_(chunk)
            )
        ):
            declared_existing.setdefault(plot_id, {})[season] = crop

    inserts, updates, crop_rows, crop_deletes = [], [], [], []
    for c in cands:
        g = c.geometry
        minx, miny, maxx, maxy = g.bounds
        old = existing.get(c.plot_id)
        if (
            old is not None
            and old.geometry_hash == c.geometry_hash
            and _REPAIRED in (old.flags or [])
            and _REPAIRED not in c.flags
        ):
            # The stored polygon is the repaired one (e.g. re-imported from an export):
            # keep the record that the submitted boundary had to be repaired.
            c.flags.insert(0, dict(_REPAIRED))
        values = {
            "id": c.plot_id,
            "farmer_id": c.farmer_id,
            "county_code": c.county_code,
            "certificate_no": c.certificate_no,
            "registered_area_mu": c.registered_area_mu,
            "geometry_hash": c.geometry_hash,
            "flags": c.flags,
        }
        old_declared = declared_existing.get(c.plot_id, {})
        new_declared = {**old_declared, **c.declared}
        if old is None:
            inserts.append(
                {
                    **values,
                    "geometry_wkb": shapely.to_wkb(g, output_dimension=2),
                    "area_m2": c.area_m2,
                    "utm_epsg": c.utm_epsg,
                    "minx": minx,
                    "miny": miny,
                    "maxx": maxx,
                    "maxy": maxy,
                    "source": source,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            same = all(getattr(old, k) == v for k, v in values.items() if k != "id")
            if same and new_declared == old_declared:
                result.unchanged += 1
            else:
                if not same:
                    updates.append(
                        {
                            "pk": old.pk,
                            **{k: v for k, v in values.items() if k != "id"},
                            "geometry_wkb": shapely.to_wkb(g, output_dimension=2),
                            "area_m2": c.area_m2,
                            "utm_epsg": c.utm_epsg,
                            "minx": minx,
                            "miny": miny,
                            "maxx": maxx,
                            "maxy": maxy,
                            "source": source,
                            "updated_at": now,
                        }
                    )
                else:
                    updates.append({"pk": old.pk, "updated_at": now})
        for season_key, crop in c.declared.items():
            if old_declared.get(season_key) != crop:
                if season_key in old_declared:
                    crop_deletes.append((c.plot_id, season_key))
                crop_rows.append({"plot_id": c.plot_id, "season": season_key, "crop": crop})
    if inserts:
        session.execute(insert(Plot), inserts)
    if updates:
        session.execute(update(Plot), updates)
    for plot_id, season_key in crop_deletes:
        session.execute(
            delete(DeclaredCrop).where(
                DeclaredCrop.plot_id == plot_id, DeclaredCrop.season == season_key
            )
        )
    if crop_rows:
        session.execute(insert(DeclaredCrop), crop_rows)
    result.inserted = len(inserts)
    result.updated = len(updates)


def _finish(
    registry: Registry,
    result: ImportResult,
    cands: list[_Candidate],
    source: str,
    sha: str,
    started: datetime,
    reports_dir: Path | None,
    reject_report: Path | None,
    session: Session | None = None,
) -> None:
    """Write the reject report (atomically) and record the run."""
    report: Path | None = None
    if result.rejects:
        if reject_report is None:
            base = reports_dir or Path(".")
            stamp = started.strftime("%Y%m%dT%H%M%S")
            reject_report = base / f"import-{stamp}-{Path(source).stem}.rejects.csv"
        report = _write_report(reject_report, result.rejects)
        result.reject_report = report
    run = {
        "kind": "plots",
        "file": result.file[:512],
        "sha256": sha,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "counts": {
            "rows": result.rows,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": len(result.rejects),
            "flagged": sum(1 for c in cands if c.flags),
        },
        "reject_report": str(report) if report else None,
    }
    if session is None:
        with registry.session() as s, s.begin():
            result.run_id = s.execute(insert(ImportRun).returning(ImportRun.id), run).scalar_one()
    else:
        result.run_id = session.execute(insert(ImportRun).returning(ImportRun.id), run).scalar_one()


def _write_report(path: Path, rejects: Sequence[Reject]) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "plot_id", "certificate_no", "reason", "message"])
            for r in sorted(rejects, key=lambda r: r.row):
                w.writerow([r.row, r.plot_id or "", r.certificate_no or "", r.reason, r.message])
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise AgroCreditError(f"cannot write the reject report {path}: {exc}") from None
    return path


def frame_from_records(records: list[dict[str, Any]], crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """A GeoDataFrame from dicts with a ``geometry`` key (handy for API and generators)."""
    df = pd.DataFrame(records)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=crs)
