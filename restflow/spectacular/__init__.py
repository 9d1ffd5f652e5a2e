"""drf-spectacular integration: ``RestflowAutoSchema`` for ``DEFAULT_SCHEMA_CLASS``.

Both documented paths work: ``restflow.spectacular.RestflowAutoSchema`` and
``restflow.spectacular.spectacular.RestflowAutoSchema``. restflow's views already use these rules
with drf-spectacular's own AutoSchema (see ``restflow.schema``); the class is for settings and
subclasses that name it.
"""

from restflow.spectacular.hooks import add_filterset_parameters
from restflow.spectacular.parameters import build_filterset_parameters, resolve_filterset_class
from restflow.spectacular.spectacular import RestflowAutoSchema

__all__ = ["RestflowAutoSchema", "add_filterset_parameters", "build_filterset_parameters", "resolve_filterset_class"]
