"""Serializers with an async surface (restflow's documented classes live here).

The module-level helpers below predate the classes and stay importable.
"""

from restflow._serializing import adata, ais_valid, ais_valid_then, asave, save_changed_fields

__all__ = ["adata", "ais_valid", "ais_valid_then", "asave", "save_changed_fields"]
