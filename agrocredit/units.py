"""Units and conversions, in one place: areas (m², mu, ha), money (CNY), seasons, UTM zones.

1 mu = 10000/15 m² = 666.667 m² = 1/15 ha (the Chinese land-area unit used on
land-right certificates).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from agrocredit.errors import CRSError, InvalidInputError, SeasonError

M2_PER_MU: float = 10_000.0 / 15.0
M2_PER_HA: float = 10_000.0
MU_PER_HA: float = 15.0


def m2_to_mu(m2: float) -> float:
    """Square metres to mu."""
    return m2 / M2_PER_MU


def mu_to_m2(mu: float) -> float:
    """Mu to square metres."""
    return mu * M2_PER_MU


def m2_to_ha(m2: float) -> float:
    """Square metres to hectares."""
    return m2 / M2_PER_HA


def ha_to_mu(ha: float) -> float:
    """Hectares to mu."""
    return ha * MU_PER_HA


def mu_to_ha(mu: float) -> float:
    """Mu to hectares."""
    return mu / MU_PER_HA


def yuan(amount: float | Decimal | int) -> int:
    """Round a money amount to whole yuan (CNY), half away from zero.

    Stored money is always an integer number of yuan; floats never reach a record.
    """
    if isinstance(amount, float) and not math.isfinite(amount):
        raise InvalidInputError(f"money amount {amount!r} is not a finite number; check the inputs")
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- UTM -------------------------------------------------------------------------------


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 / UTM zone containing a point (326xx north, 327xx south).

    Norway and Svalbard exceptions are ignored: agrocredit processes farmland at 10 m on the
    Sentinel-2 grid, which uses the regular zones.
    """
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise CRSError(
            f"point ({lon}, {lat}) is not a longitude/latitude; "
            "reproject the data to EPSG:4326 or declare its CRS"
        )
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


# --- Seasons ---------------------------------------------------------------------------

_SEASON_RE = re.compile(r"^(\d{4})-(winter|summer|perennial)$")
SEASON_KINDS: tuple[str, ...] = ("winter", "summer", "perennial")


@dataclass(frozen=True, order=True)
class Season:
    """A cropping season: ``YYYY-winter`` (harvested by early summer of YYYY, sown the
    autumn before), ``YYYY-summer`` (harvested by autumn of YYYY) or ``YYYY-perennial``.
    """

    year: int
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in SEASON_KINDS:
            raise SeasonError(
                f"season kind {self.kind!r} is unknown; use one of {', '.join(SEASON_KINDS)}"
            )
        if not 1990 <= self.year <= 2100:
            raise SeasonError(f"season year {self.year} is out of range 1990..2100")

    @classmethod
    def parse(cls, text: str | Season) -> Season:
        """Parse ``"2026-summer"``; raise :class:`SeasonError` naming the expected form."""
        if isinstance(text, Season):
            return text
        m = _SEASON_RE.match(str(text).strip().lower())
        if not m:
            raise SeasonError(
                f"season {text!r} is not valid; write it as YYYY-winter, YYYY-summer "
                "or YYYY-perennial, e.g. 2026-summer"
            )
        return cls(int(m.group(1)), m.group(2))

    def __str__(self) -> str:
        return f"{self.year}-{self.kind}"

    @property
    def window(self) -> tuple[date, date]:
        """The imagery window (first day, last day) that covers the season's crops.

        Winter crops: 1 October of the year before to 30 June. Summer crops: 1 March to
        30 November (cotton is sown in April, late maize harvested in October). Perennial:
        the calendar year.
        """
        if self.kind == "winter":
            return date(self.year - 1, 10, 1), date(self.year, 6, 30)
        if self.kind == "summer":
            return date(self.year, 3, 1), date(self.year, 11, 30)
        return date(self.year, 1, 1), date(self.year, 12, 31)
