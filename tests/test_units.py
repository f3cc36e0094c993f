"""Units: areas, money, UTM zones, seasons."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from agrocredit.errors import CRSError, InvalidInputError, SeasonError
from agrocredit.units import (
    M2_PER_HA,
    M2_PER_MU,
    MU_PER_HA,
    Season,
    ha_to_mu,
    m2_to_ha,
    m2_to_mu,
    mu_to_ha,
    mu_to_m2,
    utm_epsg,
    yuan,
)


def test_area_constants():
    assert abs(M2_PER_MU - 666.667) < 1e-3
    assert M2_PER_HA == 10_000.0 and MU_PER_HA == 15.0
    assert math.isclose(M2_PER_MU * MU_PER_HA, M2_PER_HA)


def test_area_conversions():
    assert m2_to_mu(10_000) == pytest.approx(15.0)
    assert m2_to_mu(666.667) == pytest.approx(1.0, abs=1e-6)
    assert mu_to_m2(1) == pytest.approx(666.6667, abs=1e-4)
    assert m2_to_ha(25_000) == 2.5
    assert ha_to_mu(2) == 30.0
    assert mu_to_ha(15) == 1.0
    for mu in (0.1, 2.2, 37.5):
        assert m2_to_mu(mu_to_m2(mu)) == pytest.approx(mu)
        assert ha_to_mu(mu_to_ha(mu)) == pytest.approx(mu)
        assert m2_to_ha(mu_to_m2(mu)) == pytest.approx(mu_to_ha(mu))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(120.5, 121), (0.5, 1), (-0.5, -1), (2.4999, 2), (Decimal("99.50"), 100), (7, 7), (1.005, 1)],
)
def test_yuan_rounds_half_away_from_zero(amount, expected):
    assert yuan(amount) == expected
    assert isinstance(yuan(amount), int)


@pytest.mark.parametrize("amount", [math.nan, math.inf, -math.inf])
def test_yuan_rejects_non_finite(amount):
    with pytest.raises(InvalidInputError, match="is not a finite number"):
        yuan(amount)


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (114.5, 35.6, 32650),  # Anyang, Henan
        (117.0, 39.9, 32650),
        (120.0, 30.0, 32651),  # zone edge goes east
        (-180.0, 0.0, 32601),
        (180.0, 0.0, 32660),  # clamped to zone 60
        (-47.9, -15.8, 32723),  # Brasília
        (0.0, -0.0001, 32731),
    ],
)
def test_utm_epsg(lon, lat, epsg):
    assert utm_epsg(lon, lat) == epsg


@pytest.mark.parametrize(("lon", "lat"), [(500_000.0, 3_900_000.0), (10.0, 91.0), (-181.0, 0.0)])
def test_utm_epsg_rejects_non_lonlat(lon, lat):
    with pytest.raises(CRSError, match="is not a longitude/latitude"):
        utm_epsg(lon, lat)


def test_season_parse_and_str():
    s = Season.parse(" 2026-Summer ")
    assert s == Season(2026, "summer")
    assert str(s) == "2026-summer"
    assert Season.parse(s) is s
    assert sorted([Season.parse("2026-winter"), Season.parse("2025-summer")])[0].year == 2025


@pytest.mark.parametrize("text", ["2026", "summer", "2026-spring", "26-summer", "2026_summer", ""])
def test_season_parse_errors(text):
    with pytest.raises(SeasonError) as err:
        Season.parse(text)
    assert "write it as YYYY-winter, YYYY-summer or YYYY-perennial" in str(err.value)
    assert isinstance(err.value, ValueError)


def test_season_checks_its_fields():
    with pytest.raises(SeasonError, match="season kind 'autumn' is unknown"):
        Season(2026, "autumn")
    with pytest.raises(SeasonError, match=r"out of range 1990\.\.2100"):
        Season.parse("1850-summer")


def test_season_windows():
    assert Season.parse("2026-winter").window == (date(2025, 10, 1), date(2026, 6, 30))
    assert Season.parse("2026-summer").window == (date(2026, 3, 1), date(2026, 11, 30))
    assert Season.parse("2026-perennial").window == (date(2026, 1, 1), date(2026, 12, 31))
