"""The land of a sample county: roads, canals, villages, strip fields, large farms, farmers,
land-right certificates, declared crops, subsidy and insurance records.

The layout follows the North China Plain smallholder landscape: a lattice of county roads
every 1.5-2.6 km, villages of built-up land every 1-2 km², farm tracks every 160-320 m, and
between them long strip fields (1-30 mu, most under 10 mu) running from track to track.
A few blocks are consolidated into contracted farms of 100-2,000 mu. Farmers hold 1-6
strips near their village. Land records carry realistic discrepancies: registered areas off
by 5-30 % on a share of plots, declared crops different from the one grown, plots left
unplanted, plots without a certificate and boundaries that overlap a neighbour's.

Everything is in the county's UTM zone in metres, generated from one seed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from agrocredit.units import M2_PER_MU

# --- crop systems -----------------------------------------------------------------------

#: Crop systems: (winter crop, summer crop, perennial crop) as taxonomy keys or None.
CROP_SYSTEMS: dict[str, tuple[str | None, str | None, str | None]] = {
    "wheat-maize": ("wheat", "maize", None),
    "wheat-peanut": ("wheat", "peanut", None),
    "wheat-soybean": ("wheat", "soybean", None),
    "wheat-rice": ("wheat", "rice", None),
    "rapeseed-soybean": ("rapeseed", "soybean", None),
    "peanut": (None, "peanut", None),
    "cotton": (None, "cotton", None),
    "rice": (None, "rice", None),
    "vegetables": (None, "vegetables", None),
    "potato": (None, "potato", None),
    "tobacco": (None, "tobacco", None),
    "greenhouse": (None, None, "greenhouse"),
    "orchard": (None, None, "orchard"),
    "vineyard": (None, None, "vineyard"),
    "tea": (None, None, "tea"),
    "citrus": (None, None, "citrus"),
    "sugarcane": (None, None, "sugarcane"),
    "fallow": (None, None, None),
}

#: Shares of crop systems on ordinary strips. Wheat→maize dominates Hua County (a national
#: grain-production county); peanut and soybean follow wheat on sandy soils; cotton, rice,
#: vegetables and greenhouses are minor; tea, citrus and sugarcane do not grow this far north
#: and appear only in token shares so that every class of the taxonomy is exercised.
STRIP_SHARES: dict[str, float] = {
    "wheat-maize": 0.60,
    "wheat-peanut": 0.08,
    "wheat-soybean": 0.06,
    "wheat-rice": 0.01,
    "rapeseed-soybean": 0.006,
    "peanut": 0.03,
    "cotton": 0.025,
    "rice": 0.015,
    "vegetables": 0.045,
    "potato": 0.01,
    "tobacco": 0.006,
    "greenhouse": 0.02,
    "orchard": 0.03,
    "vineyard": 0.008,
    "tea": 0.002,
    "citrus": 0.002,
    "sugarcane": 0.002,
    "fallow": 0.025,
}
#: Near villages, intensive systems are more common (multiplier on the share).
NEAR_VILLAGE_BOOST: dict[str, float] = {
    "vegetables": 3.0,
    "greenhouse": 4.0,
    "orchard": 2.5,
    "vineyard": 2.5,
    "potato": 1.5,
}
LARGE_FARM_SHARES: dict[str, float] = {
    "wheat-maize": 0.7,
    "wheat-soybean": 0.1,
    "wheat-peanut": 0.08,
    "orchard": 0.05,
    "greenhouse": 0.04,
    "vegetables": 0.03,
}

#: Yield potential (kg/mu) of each crop on an average plot of the county, for the truth
#: tables. Sources: National Bureau of Statistics of China, 2023 provincial yields for Henan
#: (wheat 6.5 t/ha, maize 6.1 t/ha, peanut 4.6 t/ha, soybean 2.1 t/ha, rice 8.3 t/ha,
#: cotton lint 1.3 t/ha ~ seed cotton 3.4 t/ha, rapeseed 2.6 t/ha, potato 22 t/ha fresh).
YIELD_POTENTIAL_KG_MU: dict[str, float] = {
    "wheat": 433.0,
    "maize": 407.0,
    "rice": 553.0,
    "soybean": 140.0,
    "peanut": 307.0,
    "cotton": 227.0,
    "rapeseed": 173.0,
    "potato": 1467.0,
    "vegetables": 3000.0,
    "greenhouse": 5000.0,
    "tobacco": 150.0,
    "sugarcane": 4500.0,
    "tea": 60.0,
    "orchard": 2000.0,
    "citrus": 1800.0,
    "vineyard": 1500.0,
}

_SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = list(
    "国建军明华伟志强永海春秋玉兰英秀红丽平文德福贵全保山林新东立成金荣凤霞桂芳云庆生广利长民学俊"
)
_VILLAGE_SUFFIX = ["庄村", "营村", "寨村", "屯村", "集村", "店村", "庄", "楼村", "固村", "湾村"]
_INSURERS = ["中原农业保险", "中国人民财产保险", "中华联合财产保险", "太平洋财产保险"]


@dataclass(frozen=True)
class LandscapeParams:
    """Knobs of the landscape generator (defaults: Hua County)."""

    main_road_spacing_m: tuple[float, float] = (1500.0, 2600.0)
    main_road_width_m: float = 10.0
    track_spacing_m: tuple[float, float] = (160.0, 320.0)
    track_width_m: float = 4.0
    canal_spacing_km: float = 5.0
    canal_width_m: tuple[float, float] = (8.0, 16.0)
    village_density_per_km2: float = 0.55
    village_half_size_m: tuple[float, float] = (110.0, 300.0)
    median_plot_mu: float = 3.8
    plot_mu_sigma: float = 0.7
    min_plot_mu: float = 1.0
    max_plot_mu: float = 30.0
    split_band_probability: float = 0.3
    large_farms_per_100km2: float = 5.0
    large_farm_mu: tuple[float, float] = (100.0, 2000.0)
    nonfarm_share: float = 0.03
    no_certificate_share: float = 0.03
    registered_area_discrepancy_share: float = 0.25
    declared_crop_mismatch_share: float = 0.08
    not_planted_share: float = 0.03
    boundary_overlap_share: float = 0.005
    subsidy_share: float = 0.75
    insurance_share: float = 0.45
    registered_farmer_share: float = 0.25
    year: int = 2026


@dataclass
class Landscape:
    """The generated land: plots with truth, cover features, farmers and records."""

    crs: str
    extent: tuple[float, float, float, float]
    plots: gpd.GeoDataFrame
    cover: gpd.GeoDataFrame
    farmers: pd.DataFrame
    subsidy: pd.DataFrame
    insurance: pd.DataFrame
    villages: gpd.GeoDataFrame
    stats: dict[str, float] = field(default_factory=dict)


def _lattice(
    rng: np.random.Generator, lo: float, hi: float, spacing: tuple[float, float]
) -> list[float]:
    pos, out = lo + rng.uniform(0.2, 1.0) * spacing[0], []
    while pos < hi - 200:
        out.append(float(pos))
        pos += rng.uniform(*spacing)
    return out


def _villages(
    rng: np.random.Generator, ext: tuple[float, float, float, float], p: LandscapeParams
) -> list[shapely.Polygon]:
    minx, miny, maxx, maxy = ext
    area_km2 = (maxx - minx) * (maxy - miny) / 1e6
    n = rng.poisson(p.village_density_per_km2 * area_km2)
    centres: list[tuple[float, float]] = []
    tries = 0
    while len(centres) < n and tries < n * 20:
        tries += 1
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if all((x - cx) ** 2 + (y - cy) ** 2 > 800.0**2 for cx, cy in centres):
            centres.append((x, y))
    out = []
    for x, y in centres:
        hx, hy = rng.uniform(*p.village_half_size_m, size=2)
        out.append(shapely.box(x - hx, y - hy, x + hx, y + hy))
    return out


def _strips_in_band(
    rng: np.random.Generator,
    band: tuple[float, float, float, float],
    along_x: bool,
    p: LandscapeParams,
) -> list[shapely.Polygon]:
    """Strips filling a band; ``along_x``: strips run east-west (long axis = x)."""
    bx0, by0, bx1, by1 = band
    length = (bx1 - bx0) if along_x else (by1 - by0)
    if length < 40:
        return []
    rows = [(0.0, length)]
    if rng.random() < p.split_band_probability and length > 200:
        cut = length * rng.uniform(0.4, 0.6)
        rows = [(0.0, cut - 1.5), (cut + 1.5, length)]
    out = []
    for r0, r1 in rows:
        strip_len = r1 - r0
        across_lo, across_hi = (by0, by1) if along_x else (bx0, bx1)
        pos = across_lo
        while pos < across_hi - 5:
            mu = float(
                np.clip(
                    rng.lognormal(np.log(p.median_plot_mu), p.plot_mu_sigma),
                    p.min_plot_mu,
                    p.max_plot_mu,
                )
            )
            width = mu * M2_PER_MU / strip_len
            width = max(width, 6.0)
            end = min(pos + width, across_hi)
            if across_hi - end < 6.0:  # do not leave a sliver at the edge
                end = across_hi
            if along_x:
                out.append(shapely.box(bx0 + r0, pos, bx0 + r1, end))
            else:
                out.append(shapely.box(pos, by0 + r0, end, by0 + r1))
            pos = end + rng.uniform(0.3, 1.2)  # a ridge (田埂) between strips
    return out


def _choose(
    rng: np.random.Generator, shares: dict[str, float], n: int, boost: np.ndarray | None = None
) -> np.ndarray:
    names = list(shares)
    base = np.array([shares[k] for k in names], float)
    if boost is None:
        return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=base / base.sum())]
    mult = np.array([NEAR_VILLAGE_BOOST.get(k, 1.0) for k in names])
    out = np.empty(n, dtype=object)
    for flag in (False, True):
        sel = boost == flag
        w = base * (mult if flag else 1.0)
        out[sel] = np.array(names, dtype=object)[
            rng.choice(len(names), size=int(sel.sum()), p=w / w.sum())
        ]
    return out


def _person_name(rng: np.random.Generator) -> str:
    given = "".join(rng.choice(_GIVEN, size=int(rng.integers(1, 3))))
    return str(rng.choice(_SURNAMES)) + given


def generate_landscape(
    extent: tuple[float, float, float, float],
    *,
    epsg: int,
    adcode: str,
    seed: int,
    params: LandscapeParams | None = None,
    clip: shapely.Geometry | None = None,
) -> Landscape:
    """Generate the land of ``extent`` (UTM metres, EPSG ``epsg``) from ``seed``.

    ``clip`` (a polygon in the same CRS, e.g. the county boundary) drops plots outside it.
    """
    p = params or LandscapeParams()
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = extent
    crs = f"EPSG:{epsg}"

    # Roads, canals, villages.
    road_x = _lattice(rng, minx, maxx, p.main_road_spacing_m)
    road_y = _lattice(rng, miny, maxy, p.main_road_spacing_m)
    hw = p.main_road_width_m / 2
    cover_geoms: list[shapely.Geometry] = []
    cover_kind: list[str] = []
    for x in road_x:
        cover_geoms.append(shapely.box(x - hw, miny, x + hw, maxy))
        cover_kind.append("road")
    for y in road_y:
        cover_geoms.append(shapely.box(minx, y - hw, maxx, y + hw))
        cover_kind.append("road")
    n_canals = max(1, round((maxx - minx) / 1000 / p.canal_spacing_km))
    for _ in range(n_canals):
        w = rng.uniform(*p.canal_width_m)
        if rng.random() < 0.5:
            y = rng.uniform(miny + 300, maxy - 300)
            pts = [(x, y + 120 * np.sin(x / 900.0)) for x in np.linspace(minx, maxx, 60)]
        else:
            x = rng.uniform(minx + 300, maxx - 300)
            pts = [(x + 120 * np.sin(y / 900.0), y) for y in np.linspace(miny, maxy, 60)]
        cover_geoms.append(shapely.LineString(pts).buffer(w / 2, cap_style="flat"))
        cover_kind.append("canal")
    villages = _villages(rng, extent, p)
    cover_geoms += villages
    cover_kind += ["village"] * len(villages)
    obstacles = shapely.union_all(
        [
            g.buffer(3.0) if k == "village" else g
            for g, k in zip(cover_geoms, cover_kind, strict=True)
        ]
    )

    # Super-blocks between main roads, farm tracks, strips.
    xs = [minx, *road_x, maxx]
    ys = [miny, *road_y, maxy]
    strips: list[shapely.Polygon] = []
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            x0 = xs[i] + (hw + 2 if i > 0 else 0)
            x1 = xs[i + 1] - (hw + 2 if i + 1 < len(xs) - 1 else 0)
            y0 = ys[j] + (hw + 2 if j > 0 else 0)
            y1 = ys[j + 1] - (hw + 2 if j + 1 < len(ys) - 1 else 0)
            along_x = rng.random() < 0.4  # strips run east-west in 40 % of blocks
            lo, hi = (x0, x1) if along_x else (y0, y1)
            cuts = [lo]
            pos = lo
            while True:
                pos += rng.uniform(*p.track_spacing_m)
                if pos > hi - 80:
                    break
                cuts.append(pos)
            cuts.append(hi)
            tw = p.track_width_m
            for a, b in itertools.pairwise(cuts):
                a2 = a + (tw / 2 if a > lo else 0)
                b2 = b - (tw / 2 if b < hi else 0)
                band = (a2, y0, b2, y1) if along_x else (x0, a2, x1, b2)
                strips += _strips_in_band(rng, band, along_x, p)
                if b < hi:
                    if along_x:
                        cover_geoms.append(shapely.box(b - tw / 2, y0, b + tw / 2, y1))
                    else:
                        cover_geoms.append(shapely.box(x0, b - tw / 2, x1, b + tw / 2))
                    cover_kind.append("track")

    geoms = np.array(strips, dtype=object)
    # Cut strips by villages and canals; keep what is still one field of >= 1 mu.
    hit = shapely.intersects(geoms, obstacles)
    if hit.any():
        cut = shapely.difference(geoms[hit], obstacles)
        keep_cut = np.array(
            [g.geom_type == "Polygon" and g.area >= p.min_plot_mu * M2_PER_MU for g in cut]
        )
        geoms = np.concatenate([geoms[~hit], cut[keep_cut]])
    if clip is not None:
        inside = shapely.within(geoms, clip)
        geoms = geoms[inside]
    # Deterministic order: by position.
    cent = shapely.centroid(geoms)
    order = np.lexsort((shapely.get_x(cent).round(1), -shapely.get_y(cent).round(1)))
    geoms = geoms[order]

    # Large contracted farms replace the strips they cover.
    area_km2 = (maxx - minx) * (maxy - miny) / 1e6
    n_large = rng.poisson(p.large_farms_per_100km2 * area_km2 / 100)
    large: list[shapely.Geometry] = []
    for _ in range(n_large):
        mu = float(np.exp(rng.uniform(np.log(p.large_farm_mu[0]), np.log(p.large_farm_mu[1]))))
        side = np.sqrt(mu * M2_PER_MU)
        aspect = rng.uniform(0.6, 1.6)
        w, h = side * aspect, side / aspect
        cx, cy = rng.uniform(minx + w, maxx - w), rng.uniform(miny + h, maxy - h)
        rect = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        covered = shapely.within(shapely.centroid(geoms), rect)
        if covered.sum() < 3 or any(rect.intersects(g) for g in large):
            continue
        merged = (
            shapely.union_all([*geoms[covered].tolist(), rect.buffer(-1)]).buffer(1.0).buffer(-1.0)
        )
        merged = shapely.difference(merged, obstacles)
        if merged.geom_type == "MultiPolygon":
            merged = max(merged.geoms, key=lambda g: g.area)
        geoms = geoms[~covered]
        large.append(shapely.simplify(merged, 0.5))
    is_large = np.r_[np.zeros(len(geoms), bool), np.ones(len(large), bool)]
    geoms = np.concatenate([geoms, np.array(large, dtype=object)]) if large else geoms

    # Some strips are not farmland (woods, ponds, bare ground): cover, not plots.
    n = len(geoms)
    nonfarm = (rng.random(n) < p.nonfarm_share) & ~is_large
    for g in geoms[nonfarm]:
        cover_geoms.append(g)
        cover_kind.append(str(rng.choice(["woodland", "pond", "bare"], p=[0.5, 0.25, 0.25])))
    geoms, is_large = geoms[~nonfarm], is_large[~nonfarm]
    n = len(geoms)

    # Villages: each plot belongs to the nearest village's farmers.
    vc = (
        np.array([(v.centroid.x, v.centroid.y) for v in villages]) if villages else np.zeros((1, 2))
    )
    pc = np.column_stack(
        [shapely.get_x(shapely.centroid(geoms)), shapely.get_y(shapely.centroid(geoms))]
    )
    d2 = ((pc[:, None, :] - vc[None, :, :]) ** 2).sum(-1) if n else np.zeros((0, 1))
    nearest = d2.argmin(1) if n else np.zeros(0, int)
    dist = np.sqrt(d2.min(1)) if n else np.zeros(0)
    near_village = dist < 450

    systems = _choose(rng, STRIP_SHARES, n, boost=near_village)
    if is_large.any():
        systems[is_large] = _choose(rng, LARGE_FARM_SHARES, int(is_large.sum()))

    village_names = []
    used: set[str] = set()
    for _ in range(max(len(villages), 1)):
        while True:
            name = str(rng.choice(_SURNAMES)) + str(rng.choice(_VILLAGE_SUFFIX))
            if name not in used:
                used.add(name)
                village_names.append(name)
                break

    # Farmers: small plots grouped 1-6 per household within each village.
    farmer_of = np.empty(n, dtype=object)
    farmers: list[dict[str, object]] = []
    serial = 0
    sizes = np.arange(1, 7)
    size_p = np.array([0.08, 0.17, 0.25, 0.23, 0.15, 0.12])
    for v in range(len(village_names)):
        idx = np.flatnonzero((nearest == v) & ~is_large)
        rng.shuffle(idx)
        k = 0
        while k < len(idx):
            take = int(rng.choice(sizes, p=size_p))
            serial += 1
            fid = f"F{adcode}{serial:06d}"
            farmer_of[idx[k : k + take]] = fid
            farmers.append(
                {
                    "farmer_id": fid,
                    "farmer_name": _person_name(rng),
                    "phone": "1"
                    + str(rng.choice(["35", "37", "38", "39", "50", "58", "87"]))
                    + f"{int(rng.integers(0, 10**8)):08d}",
                    "village": village_names[v],
                }
            )
            k += take
    for i in np.flatnonzero(is_large):
        serial += 1
        fid = f"F{adcode}{serial:06d}"
        farmer_of[i] = fid
        v = int(nearest[i])
        farmers.append(
            {
                "farmer_id": fid,
                "farmer_name": village_names[v].replace("村", "") + "农业专业合作社",
                "phone": "0372-" + f"{int(rng.integers(0, 10**7)):07d}",
                "village": village_names[v],
            }
        )
    farmer_df = pd.DataFrame(farmers)
    # Only a share of households are the bank's customers with plots in its registry; the
    # other fields are still in the imagery and the truth.
    # Contracted farms (cooperatives) are more often customers.
    share = np.where(
        farmer_df["farmer_name"].str.endswith("合作社"), 0.75, p.registered_farmer_share
    )
    farmer_df["registered"] = rng.random(len(farmer_df)) < share
    finfo = farmer_df.set_index("farmer_id")

    # Truth per plot.
    winter = np.array([CROP_SYSTEMS[s][0] for s in systems], dtype=object)
    summer = np.array([CROP_SYSTEMS[s][1] for s in systems], dtype=object)
    perennial = np.array([CROP_SYSTEMS[s][2] for s in systems], dtype=object)
    area_m2 = shapely.area(geoms)
    planted_fraction = np.where(
        systems == "fallow",
        0.0,
        np.where(rng.random(n) < 0.05, rng.uniform(0.5, 0.9, n), rng.uniform(0.96, 1.0, n)),
    )
    vigour = np.clip(rng.normal(1.0, 0.12, n), 0.55, 1.35)

    # Land records: certificates, registered areas, declared crops.
    y = p.year
    cert = np.array([f"{adcode}{int(nearest[i]):03d}J{i + 1:06d}" for i in range(n)], dtype=object)
    cert[rng.random(n) < p.no_certificate_share] = None
    reg_factor = rng.normal(1.0, 0.012, n)
    disc = rng.random(n) < p.registered_area_discrepancy_share
    mag = rng.uniform(0.05, 0.30, n)
    sign = np.where(rng.random(n) < 0.6, -1.0, 1.0)
    reg_factor[disc] = 1.0 + sign[disc] * mag[disc]
    registered_mu = np.round(area_m2 / M2_PER_MU * reg_factor, 2)

    not_planted = (rng.random(n) < p.not_planted_share) & (systems != "fallow")
    mismatch = (rng.random(n) < p.declared_crop_mismatch_share) & ~not_planted
    declared_winter = winter.copy()
    declared_summer = summer.copy()
    declared_perennial = perennial.copy()
    # A plot left unplanted this season is still declared with its usual crops.
    for arr in (winter, summer, perennial):
        arr[not_planted] = None
    planted_fraction[not_planted] = 0.0
    systems = systems.copy()
    systems[not_planted] = "fallow"
    fallow_declared = systems == "fallow"
    no_winter = np.array([c is None for c in declared_winter])
    no_summer = np.array([c is None for c in declared_summer])
    no_perennial = np.array([c is None for c in declared_perennial])
    declared_winter[fallow_declared & no_winter] = "wheat"
    declared_summer[fallow_declared & no_summer & no_perennial] = "maize"
    summer_alternatives = ["maize", "soybean", "peanut", "cotton", "vegetables"]
    for i in np.flatnonzero(mismatch):
        if declared_summer[i] is not None:
            options = [c for c in summer_alternatives if c != declared_summer[i]]
            declared_summer[i] = str(rng.choice(options))
        elif declared_perennial[i] is not None:
            declared_perennial[i] = "orchard" if declared_perennial[i] != "orchard" else "vineyard"
        elif declared_winter[i] is not None:
            declared_winter[i] = "rapeseed" if declared_winter[i] == "wheat" else "wheat"

    def declared_text(i: int) -> str:
        parts = []
        if declared_winter[i]:
            parts.append(f"{y}-winter:{declared_winter[i]}")
        if declared_summer[i]:
            parts.append(f"{y}-summer:{declared_summer[i]}")
        if declared_perennial[i]:
            parts.append(f"{y}-perennial:{declared_perennial[i]}")
        return ";".join(parts)

    # A few boundaries drawn over the neighbour's strip (digitising errors).
    overlap = rng.random(n) < p.boundary_overlap_share
    for i in np.flatnonzero(overlap):
        geoms[i] = shapely.buffer(geoms[i], float(rng.uniform(4, 8)), join_style="mitre")

    plot_ids = np.array([f"P{adcode}{i + 1:06d}" for i in range(n)], dtype=object)
    yield_potential = {
        season: np.array(
            [
                YIELD_POTENTIAL_KG_MU.get(c, np.nan) * v if c else np.nan
                for c, v in zip(arr, vigour, strict=True)
            ]
        )
        for season, arr in (("winter", winter), ("summer", summer), ("perennial", perennial))
    }
    plots = gpd.GeoDataFrame(
        {
            "plot_id": plot_ids,
            "farmer_id": farmer_of,
            "farmer_name": finfo.loc[farmer_of, "farmer_name"].to_numpy(),
            "phone": finfo.loc[farmer_of, "phone"].to_numpy(),
            "village": finfo.loc[farmer_of, "village"].to_numpy(),
            "county_code": adcode,
            "certificate_no": cert,
            "registered_area_mu": registered_mu,
            "declared_crops": [declared_text(i) for i in range(n)],
            # truth (kept out of the land-record file)
            "true_system": systems,
            "true_winter": winter,
            "true_summer": summer,
            "true_perennial": perennial,
            "true_area_m2": area_m2,
            "true_planted_fraction": planted_fraction,
            "vigour": vigour,
            "yield_potential_winter_kg_mu": yield_potential["winter"],
            "yield_potential_summer_kg_mu": yield_potential["summer"],
            "yield_potential_perennial_kg_mu": yield_potential["perennial"],
            "registered": finfo.loc[farmer_of, "registered"].to_numpy(bool),
            "is_large_farm": is_large,
            "registered_area_discrepant": disc,
            "declared_crop_mismatch": mismatch,
            "not_planted": not_planted,
            "boundary_overlaps_neighbour": overlap,
        },
        geometry=geoms,
        crs=crs,
    )

    # Subsidy (耕地地力保护补贴, about 105-125 CNY/mu in Henan) and crop insurance records.
    reg_by_farmer = plots.groupby("farmer_id")["registered_area_mu"].sum()
    subsidy_rows, insurance_rows = [], []
    for fid in farmer_df.loc[farmer_df["registered"], "farmer_id"]:
        if rng.random() < p.subsidy_share:
            area = float(reg_by_farmer.get(fid, 0.0))
            rate = rng.uniform(105, 125)
            subsidy_rows.append(
                {
                    "record_id": f"BT{y - 1}{fid[1:]}",
                    "farmer_id": fid,
                    "plot_id": "",
                    "year": y - 1,
                    "program": "耕地地力保护补贴",
                    "crop": "",
                    "area_mu": round(area, 2),
                    "amount_cny": round(area * rate),
                }
            )
    wheat_plots = plots[(plots["true_winter"] == "wheat") & plots["registered"]]
    insured_farmers = {
        f
        for f in farmer_df.loc[farmer_df["registered"], "farmer_id"]
        if rng.random() < p.insurance_share
    }
    for row in wheat_plots.itertuples():
        if row.farmer_id in insured_farmers:
            per_mu = float(rng.choice([450.0, 800.0, 1000.0], p=[0.3, 0.3, 0.4]))
            insured = row.registered_area_mu * per_mu
            insurance_rows.append(
                {
                    "record_id": f"BX{y}{row.plot_id[1:]}",
                    "farmer_id": row.farmer_id,
                    "plot_id": row.plot_id,
                    "year": y,
                    "crop": "wheat",
                    "area_mu": row.registered_area_mu,
                    "insured_amount_cny": round(insured),
                    "premium_cny": round(insured * 0.035),
                    "insurer": str(rng.choice(_INSURERS)),
                }
            )

    cover = gpd.GeoDataFrame({"cover": cover_kind}, geometry=cover_geoms, crs=crs)
    village_gdf = gpd.GeoDataFrame(
        {"village": village_names[: len(villages)]}, geometry=villages, crs=crs
    )
    mu = area_m2 / M2_PER_MU
    reg = plots["registered"].to_numpy(bool)
    stats = {
        "fields": float(n),
        "households": float(len(farmer_df)),
        "registered_plots": float(reg.sum()),
        "registered_farmers": float(farmer_df["registered"].sum()),
        "villages": float(len(villages)),
        "large_farms": float(is_large.sum()),
        "median_plot_mu": float(np.median(mu)) if n else 0.0,
        "share_plots_under_10_mu": float((mu < 10).mean()) if n else 0.0,
        "share_registered_area_discrepant": float(disc.mean()) if n else 0.0,
        "share_declared_crop_mismatch": float(mismatch.mean()) if n else 0.0,
        "share_not_planted": float(not_planted.mean()) if n else 0.0,
    }
    return Landscape(
        crs=crs,
        extent=extent,
        plots=plots,
        cover=cover,
        farmers=farmer_df,
        subsidy=pd.DataFrame(subsidy_rows),
        insurance=pd.DataFrame(insurance_rows),
        villages=village_gdf,
        stats=stats,
    )
