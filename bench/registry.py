"""Benchmark of the plot registry: import, re-import, lookups by id, bounding-box queries.

Not a test: it prints figures, the goals they are held to, and PASS/MISS.

    .venv/bin/python bench/registry.py                 # 100,000 plots (a few minutes)
    .venv/bin/python bench/registry.py --plots 2000    # smoke check (seconds)

The plots are generated deterministically (numpy seed) as long strip fields, typical of
North China Plain smallholdings, laid out in blocks over about 1,800 km² of Hua County,
Henan (county code 410526, around 35.55N 114.55E, UTM zone 50N). Everything is written to
a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from sqlalchemy import select, text

from agrocredit.registry.db import Registry, open_registry
from agrocredit.registry.importer import ImportResult, import_plots
from agrocredit.registry.models import Plot
from agrocredit.registry.repository import _PLOT_COLUMNS, _records, get_plot, list_plots
from agrocredit.units import M2_PER_MU

# --- goals --------------------------------------------------------------------------------

GOAL_IMPORT_PLOTS_S = 2_000.0
GOAL_LOOKUP_P99_MS = 5.0
GOAL_BBOX_MS = 100.0

# --- synthetic county ---------------------------------------------------------------------

COUNTY_CODE = "410526"  # Hua County (滑县), Anyang, Henan
SEASON = "2026-summer"
CENTER_LON, CENTER_LAT = 114.55, 35.55
UTM_EPSG = 32650  # WGS 84 / UTM zone 50N
AREA_KM2 = 1_800.0
SIDE_M = math.sqrt(AREA_KM2) * 1_000.0  # about 42.4 km
CELL_M = 550.0  # one block of strips per cell at most
BLOCK_FILL = 0.85  # a block's length and width stay within this share of its cell
MAX_TILT_DEG = 8.0  # blocks follow the road grid, give or take a few degrees
VILLAGE_CELLS = 3  # a village works 3 x 3 cells (1.65 km x 1.65 km)
# Summer crops of the Huang-Huai plain: maize first, then peanut; some rows give the
# Chinese name, as land offices do.
CROPS = ("maize", "peanut", "soybean", "vegetables", "cotton", "玉米", "花生")
CROP_P = (0.56, 0.14, 0.06, 0.04, 0.02, 0.14, 0.04)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "国建军华明伟秀英桂兰红霞志强海平春玲德福永"


@dataclass
class Area:
    """The synthetic county: its corner in UTM metres and its box in degrees."""

    x0: float
    y0: float
    side_m: float
    bbox_4326: tuple[float, float, float, float]


def _area() -> Area:
    to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{UTM_EPSG}", always_xy=True)
    cx, cy = to_utm.transform(CENTER_LON, CENTER_LAT)
    x0, y0 = cx - SIDE_M / 2, cy - SIDE_M / 2
    to_ll = Transformer.from_crs(f"EPSG:{UTM_EPSG}", "EPSG:4326", always_xy=True)
    bounds = to_ll.transform_bounds(x0, y0, x0 + SIDE_M, y0 + SIDE_M)
    return Area(x0, y0, SIDE_M, tuple(float(v) for v in bounds))  # type: ignore[arg-type]


def generate_plots(n: int, seed: int = 20260601) -> tuple[gpd.GeoDataFrame, Area]:
    """``n`` strip plots in blocks over the synthetic county, as an EPSG:4326 frame.

    A block is a run of 8-40 parallel strips, 8-40 m wide, between two field roads 60-300 m
    apart (one block in 20 is 300-465 m long, which gives the 10-30 mu tail), tilted a few
    degrees off the road grid, one block per 550 m grid cell. Neighbouring strips share their
    long sides; about 0.3 % are digitised too wide and overlap a neighbour.
    """
    rng = np.random.default_rng(seed)
    area = _area()
    per_side = int(area.side_m // CELL_M)
    usable = BLOCK_FILL * CELL_M

    # Blocks of parallel strips between two field roads, one block per grid cell.
    coords: list[np.ndarray] = []
    cell_of_strip: list[np.ndarray] = []
    cells = rng.permutation(per_side * per_side)
    made = 0
    for cell in cells:
        if made >= n:
            break
        long_block = rng.random() < 0.05
        length = rng.uniform(300.0, usable) if long_block else rng.uniform(60.0, 300.0)
        n_target = int(rng.integers(8, 41))
        # Target sizes in mu: most plots under 10 mu, a long tail up to 30.
        mu = np.clip(rng.lognormal(math.log(3.6), 0.65, n_target), 1.0, 30.0)
        lo = max(8.0, 1.06 * M2_PER_MU / length)  # at least 1 mu after the ragged end
        widths = np.clip(mu * M2_PER_MU / length, lo, 40.0)
        widths = widths[np.cumsum(widths) <= usable][: n - made]
        if len(widths) == 0:
            widths = np.array([lo])
        k = len(widths)
        left = np.concatenate([[0.0], np.cumsum(widths)[:-1]]) - widths.sum() / 2
        right = left + widths
        # Strips start on the same road; the far ends are ragged by up to 5 %.
        top = np.full(k, length / 2)
        bottom = -length / 2 + rng.uniform(0, 0.05 * length, k)
        # About 0.3 % of strips are digitised too wide and overlap their neighbour.
        wide = rng.random(k) < 0.003
        right = right + np.where(wide, widths * rng.uniform(0.15, 0.35, k), 0.0)
        xs = np.stack([left, right, right, left, left], axis=1)
        ys = np.stack([bottom, bottom, top, top, bottom], axis=1)
        tilt = math.radians(rng.uniform(-MAX_TILT_DEG, MAX_TILT_DEG) + 90.0 * rng.integers(0, 2))
        c, s = math.cos(tilt), math.sin(tilt)
        row, col = divmod(int(cell), per_side)
        cx = area.x0 + (col + 0.5) * CELL_M
        cy = area.y0 + (row + 0.5) * CELL_M
        coords.append(np.stack([cx + c * xs - s * ys, cy + s * xs + c * ys], axis=2))
        cell_of_strip.append(np.full(k, cell))
        made += k
    if made < n:
        raise SystemExit(
            f"--plots {n} does not fit in {AREA_KM2:g} km² with this layout; "
            f"at most about {made} plots"
        )
    ring = np.concatenate(coords)[:n]
    cell_ids = np.concatenate(cell_of_strip)[:n]
    to_ll = Transformer.from_crs(f"EPSG:{UTM_EPSG}", "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(ring[..., 0].ravel(), ring[..., 1].ravel())
    utm_polys = shapely.polygons(ring)
    true_mu = shapely.area(utm_polys) / M2_PER_MU
    polys = shapely.polygons(np.stack([lon, lat], axis=1).reshape(n, 5, 2))

    # Villages own groups of cells; a household's 1-6 plots are scattered in its village.
    row, col = np.divmod(cell_ids, per_side)
    village = (row // VILLAGE_CELLS) * (per_side // VILLAGE_CELLS + 1) + col // VILLAGE_CELLS
    farmer_id = np.empty(n, dtype=object)
    cert = np.empty(n, dtype=object)
    plot_id = np.empty(n, dtype=object)
    name_of: dict[str, str] = {}
    for v in np.unique(village):
        idx = rng.permutation(np.flatnonzero(village == v))
        sizes = rng.choice(np.arange(1, 7), size=len(idx), p=[0.14, 0.24, 0.26, 0.18, 0.11, 0.07])
        starts = np.concatenate([[0], np.cumsum(sizes)])
        for household, (a, b) in enumerate(itertools.pairwise(starts), start=1):
            if a >= len(idx):
                break
            fid = f"{COUNTY_CODE}{v:04d}{household:04d}"
            name_of[fid] = rng.choice(list(SURNAMES)) + "".join(rng.choice(list(GIVEN), 2))
            for j, i in enumerate(idx[a:b], start=1):
                farmer_id[i] = fid
                cert[i] = f"{fid}{j:02d}J"
        for k, i in enumerate(np.sort(idx), start=1):
            plot_id[i] = f"{COUNTY_CODE}{v:05d}{k:05d}"
    cert[rng.random(n) < 0.01] = None  # some plots have no certificate yet

    # Registered areas: mostly within rounding of the survey, a quarter off by 5-30 %.
    off = rng.random(n) < 0.25
    err = np.where(
        off,
        rng.choice([-1.0, 1.0], n) * rng.uniform(0.05, 0.30, n),
        rng.normal(0.0, 0.01, n),
    )
    registered = np.round(true_mu * (1.0 + err), 2)

    frame = gpd.GeoDataFrame(
        {
            "plot_id": plot_id,
            "farmer_id": farmer_id,
            "farmer_name": [name_of[f] for f in farmer_id],
            "village": [f"{COUNTY_CODE}-V{v:04d}" for v in village],
            "county_code": COUNTY_CODE,
            "certificate_no": cert,
            "registered_area_mu": registered,
            "declared_crop": rng.choice(np.array(CROPS, dtype=object), n, p=CROP_P),
            "season": SEASON,
            "geometry": polys,
        },
        geometry="geometry",
        crs="EPSG:4326",
    )
    return frame, area


# --- measuring ----------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _pct(values_ms: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values_ms), q))


@dataclass
class Row:
    """One line of the summary table."""

    name: str
    value: float
    unit: str
    goal: str
    ok: bool | None  # None: no goal, informative

    def cells(self) -> list[str]:
        """The row as strings."""
        if self.value >= 100:
            shown = f"{self.value:,.0f}"
        elif self.value >= 10:
            shown = f"{self.value:.1f}"
        else:
            shown = f"{self.value:.2f}"
        verdict = "" if self.ok is None else ("PASS" if self.ok else "MISS")
        return [self.name, f"{shown} {self.unit}", self.goal, verdict]


def _print_table(rows: list[Row]) -> None:
    head = ["figure", "value", "goal", ""]
    body = [r.cells() for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(line)
    for cells in body:
        print(
            "  ".join(
                c.rjust(w) if i == 1 else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    print(line)


def _describe(result: ImportResult) -> str:
    return (
        f"inserted {result.inserted}, updated {result.updated}, unchanged {result.unchanged}, "
        f"rejected {result.rejected}, flagged {result.flagged}"
    )


def _random_boxes(
    rng: np.random.Generator, area: Area, count: int, side_m: float
) -> list[tuple[float, float, float, float]]:
    """``count`` boxes of ``side_m`` x ``side_m`` inside the county, in degrees."""
    to_ll = Transformer.from_crs(f"EPSG:{UTM_EPSG}", "EPSG:4326", always_xy=True)
    side = min(side_m, area.side_m)
    boxes = []
    for _ in range(count):
        x = area.x0 + rng.uniform(0, area.side_m - side)
        y = area.y0 + rng.uniform(0, area.side_m - side)
        boxes.append(tuple(float(v) for v in to_ll.transform_bounds(x, y, x + side, y + side)))
    return boxes  # type: ignore[return-value]


def _bbox_btree(session: Any, box: tuple[float, float, float, float]) -> list[Any]:
    """Baseline: ``list_plots(bbox=…)`` with the plain column filter instead of the R*Tree
    (what other databases get: the B-tree on (minx, miny, maxx, maxy)).
    """
    minx, miny, maxx, maxy = box
    stmt = (
        select(*_PLOT_COLUMNS)
        .where(Plot.minx <= maxx, Plot.maxx >= minx, Plot.miny <= maxy, Plot.maxy >= miny)
        .order_by(Plot.id)
    )
    records = _records(session.execute(stmt).all())
    if not records:
        return []
    hit = shapely.intersects(
        np.array([r.geometry for r in records], dtype=object), shapely.box(*box)
    )
    return [r for r, h in zip(records, hit, strict=True) if h]


def _candidates_scan(session: Any, box: tuple[float, float, float, float]) -> int:
    """Baseline: read every plot's box and filter in numpy (a full-table scan). It reads
    through the DB-API cursor (plain tuples), which favours the baseline.
    """
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute("SELECT pk, minx, miny, maxx, maxy FROM plots")
        a = np.array(cursor.fetchall(), dtype=float)
    finally:
        cursor.close()
    minx, miny, maxx, maxy = box
    mask = (a[:, 1] <= maxx) & (a[:, 3] >= minx) & (a[:, 2] <= maxy) & (a[:, 4] >= miny)
    return int(mask.sum())


def _candidates_rtree(session: Any, box: tuple[float, float, float, float]) -> int:
    """The R*Tree alone: plot keys whose box meets the query box."""
    minx, miny, maxx, maxy = box
    return len(
        session.execute(
            text(
                "SELECT pk FROM plot_rtree WHERE minx <= :qmaxx AND maxx >= :qminx "
                "AND miny <= :qmaxy AND maxy >= :qminy"
            ),
            {"qminx": minx, "qminy": miny, "qmaxx": maxx, "qmaxy": maxy},
        ).all()
    )


def _rtree_stmt(box: tuple[float, float, float, float]) -> Any:
    """The statement ``list_plots(bbox=box)`` sends to SQLite (see ``_bbox_filter``)."""
    hits = text(
        "plots.pk IN (SELECT pk FROM plot_rtree WHERE minx <= :qmaxx AND maxx >= :qminx "
        "AND miny <= :qmaxy AND maxy >= :qminy)"
    ).bindparams(qminx=box[0], qminy=box[1], qmaxx=box[2], qmaxy=box[3])
    return select(*_PLOT_COLUMNS).where(hits).order_by(Plot.id)


def _btree_stmt(box: tuple[float, float, float, float]) -> Any:
    """The same query with the plain column filter (no R*Tree)."""
    minx, miny, maxx, maxy = box
    return (
        select(*_PLOT_COLUMNS)
        .where(Plot.minx <= maxx, Plot.maxx >= minx, Plot.miny <= maxy, Plot.maxy >= miny)
        .order_by(Plot.id)
    )


def _query_plan(registry: Registry, stmt: Any) -> list[str]:
    """SQLite's query plan for a statement."""
    with registry.session() as session:
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        return [str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()]


class _GcTimer:
    """Time spent in Python's cyclic garbage collector, and full (gen 2) collections."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t0
            self.full += info["generation"] == 2

    def __enter__(self) -> _GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def _bbox_runs(
    registry: Registry,
    boxes: Sequence[tuple[float, float, float, float]],
    methods: dict[str, Callable[[Any, tuple[float, float, float, float]], int]],
) -> tuple[dict[str, list[float]], dict[str, list[int]], dict[str, tuple[float, int]]]:
    """Per method: ms per box, plots per box, and (GC ms per box, full collections)."""
    timings: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    gc_cost: dict[str, tuple[float, int]] = {}
    with registry.session() as session:
        for name, fn in methods.items():
            fn(session, boxes[0])  # warm-up
            timings[name], counts[name] = [], []
            with _GcTimer() as gct:
                for box in boxes:
                    t0 = time.perf_counter()
                    counts[name].append(fn(session, box))
                    timings[name].append((time.perf_counter() - t0) * 1e3)
            gc_cost[name] = (gct.seconds * 1e3 / len(boxes), gct.full)
    return timings, counts, gc_cost


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 0 (the figures are the output, misses do not fail it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plots", type=int, default=100_000, help="plots to generate (at most about 120,000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="imports into fresh databases, and re-imports"
    )
    parser.add_argument("--lookups", type=int, default=2_000, help="get_plot calls")
    parser.add_argument("--boxes", type=int, default=50, help="bounding boxes queried")
    parser.add_argument("--box-km", type=float, default=10.0, help="side of a query box")
    parser.add_argument("--seed", type=int, default=20260601, help="numpy seed")
    args = parser.parse_args(argv)
    if args.plots < 10 or args.repeat < 1 or args.lookups < 1 or args.boxes < 1:
        parser.error("--plots must be >= 10, --repeat, --lookups and --boxes >= 1")

    print(
        f"agrocredit registry benchmark: {args.plots:,} plots, repeat {args.repeat}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"shapely {shapely.__version__}, {platform.machine()} ({_cpus()} CPUs)"
    )
    rows: list[Row] = []
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="agrocredit-bench-") as tmp_name:
        tmp = Path(tmp_name)

        # 1. Data.
        t_gen, (frame, area) = _timed(lambda: generate_plots(args.plots, args.seed))
        gpkg = tmp / "hua-county-plots.gpkg"
        t_write, _ = _timed(
            lambda frame=frame: frame.to_file(gpkg, driver="GPKG", engine="pyogrio")
        )
        sizes = frame.to_crs(f"EPSG:{UTM_EPSG}").area / M2_PER_MU
        print(
            f"\n[data] generated {len(frame):,} plots, {frame.farmer_id.nunique():,} farmers in "
            f"{t_gen:.2f} s; GeoPackage written in {t_write:.2f} s "
            f"({gpkg.stat().st_size / 2**20:.1f} MiB, not counted as import)"
        )
        print(
            f"       box {', '.join(f'{v:.4f}' for v in area.bbox_4326)} "
            f"({area.side_m / 1000:.1f} km square); plot size median {sizes.median():.2f} mu, "
            f"{(sizes < 10).mean():.0%} under 10 mu, range {sizes.min():.2f}-{sizes.max():.2f} mu"
        )
        rows.append(Row("GeoPackage write (not import)", t_write, "s", "-", None))

        # 2. Import into fresh registries, then re-import the same file (all unchanged).
        print(f"\n[import] import_plots into a fresh SQLite registry, {args.repeat} run(s)")
        registry: Registry | None = None
        import_rates: list[float] = []
        for i in range(args.repeat):
            db = tmp / f"registry-{i}.db"
            t_open, reg = _timed(lambda db=db: open_registry(f"sqlite:///{db}"))
            t_imp, result = _timed(
                lambda reg=reg: import_plots(reg, gpkg, reports_dir=tmp / "reports", season=SEASON)
            )
            rate = args.plots / t_imp
            import_rates.append(rate)
            print(
                f"  run {i + 1}: {t_imp:7.2f} s  {rate:8,.0f} plots/s  "
                f"(open+migrate {t_open:.2f} s; {_describe(result)})"
            )
            if result.rejected:
                print(f"    rejects: {result.reasons()}")
            if registry is None:
                registry = reg
            else:
                reg.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
        assert registry is not None
        import_rate = statistics.median(import_rates)
        print(f"  median {import_rate:,.0f} plots/s")
        rows.append(
            Row(
                "import, fresh registry (median)",
                import_rate,
                "plots/s",
                f">= {GOAL_IMPORT_PLOTS_S:,.0f}",
                import_rate >= GOAL_IMPORT_PLOTS_S,
            )
        )

        print(f"\n[re-import] the same file again, {args.repeat} run(s) (idempotent path)")
        reimport_rates: list[float] = []
        for i in range(args.repeat):
            t_imp, result = _timed(
                lambda: import_plots(registry, gpkg, reports_dir=tmp / "reports", season=SEASON)
            )
            rate = args.plots / t_imp
            reimport_rates.append(rate)
            print(f"  run {i + 1}: {t_imp:7.2f} s  {rate:8,.0f} plots/s  ({_describe(result)})")
        reimport_rate = statistics.median(reimport_rates)
        print(f"  median {reimport_rate:,.0f} plots/s")
        rows.append(
            Row(
                "re-import, all unchanged (median)",
                reimport_rate,
                "plots/s",
                f">= {GOAL_IMPORT_PLOTS_S:,.0f}",
                reimport_rate >= GOAL_IMPORT_PLOTS_S,
            )
        )

        # Drop the generated frame: the queries should run in a process holding what an API
        # worker holds, not 100,000 extra rows (they would also slow every full GC pass).
        all_ids = [str(v) for v in frame.plot_id.to_numpy()]
        del frame, sizes
        gc.collect()

        # 3. Lookups by id.
        rng = np.random.default_rng(args.seed + 1)
        ids = [all_ids[i] for i in rng.integers(0, len(all_ids), args.lookups)]
        with registry.session() as session:  # warm the connection pool and page cache
            for pid in ids[:50]:
                get_plot(session, pid)
        fresh_ms: list[float] = []
        for pid in ids:
            t0 = time.perf_counter()
            with registry.session() as session:
                rec = get_plot(session, pid)
            fresh_ms.append((time.perf_counter() - t0) * 1e3)
            assert rec.id == pid
        shared_ms: list[float] = []
        with registry.session() as session:
            for pid in ids:
                t0 = time.perf_counter()
                get_plot(session, pid)
                shared_ms.append((time.perf_counter() - t0) * 1e3)
        print(f"\n[get_plot] {args.lookups:,} random ids (with declared crops)")
        for label, ms in (
            ("fresh session per call", fresh_ms),
            ("one shared session    ", shared_ms),
        ):
            print(
                f"  {label}: p50 {_pct(ms, 50):.3f} ms  p95 {_pct(ms, 95):.3f} ms  "
                f"p99 {_pct(ms, 99):.3f} ms  max {max(ms):.3f} ms"
            )
        rows.append(Row("get_plot p50 (fresh session)", _pct(fresh_ms, 50), "ms", "-", None))
        p99 = _pct(fresh_ms, 99)
        rows.append(
            Row(
                "get_plot p99 (fresh session)",
                p99,
                "ms",
                f"< {GOAL_LOOKUP_P99_MS:g}",
                p99 < GOAL_LOOKUP_P99_MS,
            )
        )

        # 4. Bounding boxes: R*Tree (list_plots) against baselines without it.
        boxes = _random_boxes(rng, area, args.boxes, args.box_km * 1_000.0)
        print(
            f"\n[bbox] {args.boxes} random {args.box_km:g} km x {args.box_km:g} km boxes, "
            f"one session; {len(gc.get_objects()):,} objects tracked by the cyclic GC"
        )
        for label, stmt in (
            ("list_plots (R*Tree)", _rtree_stmt(boxes[0])),
            ("baseline (B-tree columns)", _btree_stmt(boxes[0])),
        ):
            print(f"  SQLite plan, {label}: {'; '.join(_query_plan(registry, stmt))}")
        no_crops, with_crops = (
            "list_plots R*Tree, with_crops=False",
            "list_plots R*Tree, with_crops=True",
        )
        btree, cand_rtree, cand_scan = (
            "baseline B-tree columns, no crops",
            "candidates only: R*Tree",
            "candidates only: full scan + numpy",
        )
        methods: dict[str, Callable[[Any, tuple[float, float, float, float]], int]] = {
            no_crops: lambda s, b: len(list_plots(s, bbox=b, with_crops=False)),
            with_crops: lambda s, b: len(list_plots(s, bbox=b, with_crops=True)),
            btree: lambda s, b: len(_bbox_btree(s, b)),
            cand_rtree: _candidates_rtree,
            cand_scan: _candidates_scan,
        }
        timings, counts, gc_cost = _bbox_runs(registry, boxes, methods)
        for name in methods:
            ms, ns = timings[name], counts[name]
            print(
                f"  {name:<36} median {statistics.median(ms):7.2f} ms  "
                f"mean {statistics.fmean(ms):7.2f} ms  p95 {_pct(ms, 95):7.2f} ms  "
                f"plots median {statistics.median(ns):,.0f} "
                f"(min {min(ns):,}, max {max(ns):,})  GC {gc_cost[name][0]:5.1f} ms/box, "
                f"{gc_cost[name][1]} full"
            )
        if counts[no_crops] != counts[btree]:
            print("  WARNING: the R*Tree and B-tree queries returned different plots")
        med = {k: statistics.median(v) for k, v in timings.items()}
        ratio_btree = med[btree] / med[no_crops]
        ratio_scan = med[cand_scan] / med[cand_rtree]
        print(
            f"  speed-up, end to end: B-tree baseline / R*Tree = {ratio_btree:.1f}x; "
            f"candidates: full scan / R*Tree = {ratio_scan:.1f}x"
        )
        for name, label in (
            (no_crops, "bbox list_plots, no crops"),
            (with_crops, "bbox list_plots, with crops"),
        ):
            for stat, value in (("median", med[name]), ("p95", _pct(timings[name], 95))):
                rows.append(
                    Row(f"{label} {stat}", value, "ms", f"< {GOAL_BBOX_MS:g}", value < GOAL_BBOX_MS)
                )
        rows.append(
            Row(
                "bbox plots returned (median)",
                statistics.median(counts[no_crops]),
                "plots",
                "-",
                None,
            )
        )
        rows.append(Row("bbox baseline B-tree (median)", med[btree], "ms", "-", None))
        rows.append(Row("bbox B-tree / R*Tree, end to end", ratio_btree, "x", "-", None))
        rows.append(Row("bbox candidates: full scan / R*Tree", ratio_scan, "x", "-", None))

        # The same list_plots calls with the start-up heap frozen out of the cyclic GC
        # (gc.freeze(), as servers do after importing): what the GC costs above.
        gc.collect()
        gc.freeze()
        try:
            frozen, _, frozen_gc = _bbox_runs(
                registry, boxes, {k: methods[k] for k in (no_crops, with_crops)}
            )
        finally:
            gc.unfreeze()
        print("  after gc.freeze() (start-up objects no longer scanned by the cyclic GC):")
        for name, label in ((no_crops, "no crops"), (with_crops, "with crops")):
            ms = frozen[name]
            print(
                f"    {name:<34} median {statistics.median(ms):7.2f} ms  "
                f"mean {statistics.fmean(ms):7.2f} ms  p95 {_pct(ms, 95):7.2f} ms  "
                f"GC {frozen_gc[name][0]:5.1f} ms/box, {frozen_gc[name][1]} full"
            )
            rows.append(
                Row(f"bbox {label} median, gc.freeze()", statistics.median(ms), "ms", "-", None)
            )
        registry.close()

    total = time.perf_counter() - t_start
    print(f"\n[summary] {args.plots:,} plots, total {total:.0f} s")
    _print_table(rows)
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
