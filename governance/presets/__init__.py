"""Presets: whole collaboration structures described as data (one YAML file each)."""
from .loader import LoadReport, available_presets, load_structure, read_preset
from .schema import PresetError

__all__ = ["LoadReport", "PresetError", "available_presets", "load_structure", "read_preset"]
