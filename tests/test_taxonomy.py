"""The crop class taxonomy (version 1)."""

from __future__ import annotations

import pytest

from agrocredit.crops import TAXONOMY, CropClass, Taxonomy, normalize_crop
from agrocredit.errors import UnknownCropError


def test_sixteen_crops_and_non_crop():
    assert TAXONOMY.version == 1
    assert len(TAXONOMY) == 17
    assert TAXONOMY.keys == [
        "non_crop", "wheat", "maize", "rice", "soybean", "peanut", "cotton", "rapeseed",
        "potato", "vegetables", "greenhouse", "tobacco", "sugarcane", "tea", "orchard",
        "citrus", "vineyard",
    ]  # fmt: skip
    assert [c.id for c in TAXONOMY.classes] == list(range(17))


def test_by_id():
    assert TAXONOMY.by_id(2).key == "maize"
    assert TAXONOMY.by_id(0).season_kind == "none"
    with pytest.raises(
        UnknownCropError, match=r"crop class id 17 is not in taxonomy v1 \(ids 0..16\)"
    ):
        TAXONOMY.by_id(17)
    with pytest.raises(UnknownCropError):
        TAXONOMY.by_id(-1)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("玉米", "maize"),
        ("夏玉米", "maize"),
        ("Corn", "maize"),
        ("  MAIZE ", "maize"),
        ("小麦", "wheat"),
        ("冬小麦", "wheat"),
        ("winter_wheat", "wheat"),
        ("Winter-Wheat", "wheat"),
        ("水稻", "rice"),
        ("paddy rice", "rice"),
        ("大豆", "soybean"),
        ("花生", "peanut"),
        ("groundnut", "peanut"),
        ("棉花", "cotton"),
        ("油菜", "rapeseed"),
        ("oilseed rape", "rapeseed"),
        ("土豆", "potato"),
        ("辣椒", "vegetables"),
        ("chilli", "vegetables"),
        ("大棚", "greenhouse"),
        ("烟叶", "tobacco"),
        ("sugar cane", "sugarcane"),
        ("茶", "tea"),
        ("苹果/梨园", "orchard"),
        ("apple / pear orchard", "orchard"),
        ("梨", "orchard"),
        ("柑橘", "citrus"),
        ("猕猴桃", "vineyard"),
        ("grapes", "vineyard"),
        ("休耕", "non_crop"),
        ("non-crop", "non_crop"),
    ],
)
def test_lookup_names_and_aliases(name, key):
    assert normalize_crop(name) == key
    assert TAXONOMY.lookup(name).key == key


def test_classes_have_both_names_and_a_season():
    for c in TAXONOMY.classes:
        assert c.name_en and c.name_zh
        assert c.season_kind in ("winter", "summer", "perennial", "none")
    assert TAXONOMY.lookup("wheat").season_kind == "winter"
    assert TAXONOMY.lookup("maize").season_kind == "summer"
    assert TAXONOMY.lookup("tea").season_kind == "perennial"


@pytest.mark.parametrize("name", ["banana", "香蕉", "", "maize!"])
def test_unknown_crop(name):
    with pytest.raises(UnknownCropError) as err:
        normalize_crop(name)
    message = str(err.value)
    assert f"crop {name!r} is not in the crop taxonomy v1" in message
    assert "use one of: wheat, maize" in message and "non_crop" not in message
    assert isinstance(err.value, ValueError)


def test_taxonomy_checks_itself():
    a = CropClass(0, "a", "a", "甲", "none")
    with pytest.raises(ValueError, match=r"ids must be 0\.\.n-1"):
        Taxonomy(1, (CropClass(1, "b", "b", "乙", "summer"),))
    with pytest.raises(ValueError, match="names both a and b"):
        Taxonomy(1, (a, CropClass(1, "b", "b", "乙", "summer", ("A",))))
