"""drf-spectacular integration: ``RestflowAutoSchema`` for ``DEFAULT_SCHEMA_CLASS``.

Both documented paths work: ``restflow.spectacular.RestflowAutoSchema`` and
``restflow.spectacular.spectacular.RestflowAutoSchema``. restflow's views already use these rules
with drf-spectacular's own AutoSchema (see ``restflow.schema``); the class is for settings and
subclasses that name it.
"""

from restflow.spectacular.spectacular import RestflowAutoSchema

__all__ = ["RestflowAutoSchema"]
