"""The crop class taxonomy (version 1), shared by the registry, the crop model and credit.

Sixteen crop classes plus non-crop, as listed in the design document. Each class has a
stable integer id (the value in crop maps), a canonical English key, display names in
English and Chinese, the season it is valued in, and aliases accepted when reading
declared crops from land records or user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agrocredit.errors import UnknownCropError


@dataclass(frozen=True)
class CropClass:
    """One class of the taxonomy."""

    id: int
    key: str
    name_en: str
    name_zh: str
    season_kind: str  # "winter", "summer", "perennial" or "none" for non-crop
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Taxonomy:
    """A versioned list of classes with lookup by id, key, name or alias."""

    version: int
    classes: tuple[CropClass, ...]

    def __post_init__(self) -> None:
        ids = [c.id for c in self.classes]
        if ids != list(range(len(ids))):
            raise ValueError("taxonomy class ids must be 0..n-1 in order")
        lookup: dict[str, CropClass] = {}
        for c in self.classes:
            for name in (c.key, c.name_en, c.name_zh, *c.aliases):
                norm = _norm(name)
                other = lookup.get(norm)
                if other is not None and other.id != c.id:
                    raise ValueError(f"name {name!r} names both {other.key} and {c.key}")
                lookup[norm] = c
        object.__setattr__(self, "_lookup", lookup)

    @property
    def keys(self) -> list[str]:
        """Canonical keys in id order."""
        return [c.key for c in self.classes]

    def __len__(self) -> int:
        return len(self.classes)

    def by_id(self, class_id: int) -> CropClass:
        """The class with this id; :class:`UnknownCropError` when out of range."""
        if not 0 <= class_id < len(self.classes):
            raise UnknownCropError(
                f"crop class id {class_id} is not in taxonomy v{self.version} "
                f"(ids 0..{len(self.classes) - 1})"
            )
        return self.classes[class_id]

    def lookup(self, name: str) -> CropClass:
        """Find a class by key, English or Chinese name, or alias (case-insensitive)."""
        found = self._lookup.get(_norm(name))  # type: ignore[attr-defined]
        if found is None:
            raise UnknownCropError(
                f"crop {name!r} is not in the crop taxonomy v{self.version}; "
                f"use one of: {', '.join(self.keys[1:])}"
            )
        return found


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", str(name).strip().lower())


TAXONOMY = Taxonomy(
    version=1,
    classes=(
        CropClass(
            0,
            "non_crop",
            "non-crop",
            "非耕作地",
            "none",
            ("noncrop", "non crop", "fallow", "休耕", "bare", "built-up", "water"),
        ),
        CropClass(
            1, "wheat", "winter wheat", "冬小麦", "winter", ("wheat", "小麦", "winter_wheat")
        ),
        CropClass(2, "maize", "maize", "玉米", "summer", ("corn", "summer maize", "夏玉米")),
        CropClass(3, "rice", "rice (paddy)", "水稻", "summer", ("paddy", "paddy rice", "稻谷")),
        CropClass(4, "soybean", "soybean", "大豆", "summer", ("soy", "soya", "soybeans")),
        CropClass(5, "peanut", "peanut", "花生", "summer", ("groundnut", "peanuts")),
        CropClass(6, "cotton", "cotton", "棉花", "summer", ()),
        CropClass(7, "rapeseed", "rapeseed", "油菜", "winter", ("canola", "oilseed rape")),
        CropClass(8, "potato", "potato", "马铃薯", "summer", ("potatoes", "土豆")),
        CropClass(
            9,
            "vegetables",
            "open-field vegetables",
            "露地蔬菜",
            "summer",
            ("vegetable", "chilli", "chili", "pepper", "辣椒", "蔬菜"),
        ),
        CropClass(
            10,
            "greenhouse",
            "greenhouse (plastic-covered)",
            "大棚",
            "perennial",
            ("plastic greenhouse", "温室", "设施农业"),
        ),
        CropClass(11, "tobacco", "tobacco", "烟草", "summer", ("烟叶",)),
        CropClass(12, "sugarcane", "sugarcane", "甘蔗", "perennial", ("sugar cane",)),
        CropClass(13, "tea", "tea", "茶叶", "perennial", ("茶", "tea garden")),
        CropClass(
            14,
            "orchard",
            "apple / pear orchard",
            "苹果/梨园",
            "perennial",
            ("apple", "pear", "orchard", "苹果", "梨", "果园"),
        ),
        CropClass(15, "citrus", "citrus", "柑橘", "perennial", ("orange", "橘子", "柑桔")),
        CropClass(
            16,
            "vineyard",
            "vineyard / kiwi (trellis fruit)",
            "葡萄/猕猴桃",
            "perennial",
            ("vineyard", "grape", "grapes", "kiwi", "kiwifruit", "葡萄", "猕猴桃"),
        ),
    ),
)


def normalize_crop(name: str) -> str:
    """Canonical key of a crop name in the current taxonomy (``"玉米"`` → ``"maize"``)."""
    return TAXONOMY.lookup(name).key
