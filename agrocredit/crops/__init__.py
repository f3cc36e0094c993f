"""Crops: the versioned class taxonomy (and, as the stage grows, calendars and the model)."""

from agrocredit.crops.taxonomy import TAXONOMY, CropClass, Taxonomy, normalize_crop

__all__ = ["TAXONOMY", "CropClass", "Taxonomy", "normalize_crop"]
