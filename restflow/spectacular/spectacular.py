"""``RestflowAutoSchema``: drf-spectacular's AutoSchema reading restflow's per-action getters."""

try:
    from drf_spectacular.openapi import AutoSchema
except ImportError as exc:  # drf-spectacular is optional
    raise ImportError(
        "restflow.spectacular needs drf-spectacular: pip install drf-spectacular "
        "(or install restflow with its schema dependency)."
    ) from exc

from restflow.schema import RestflowSchemaMixin


class RestflowAutoSchema(RestflowSchemaMixin, AutoSchema):
    """AutoSchema whose request/response serializers and paginator come from the view's getters:
    ActionConfig entries, ``request_serializer_class`` / ``response_serializer_class`` and
    ``get_pagination_class()``. Subclass it and override ``restflow_serializer_class``,
    ``resolved_pagination_class`` or ``restflow_action_config`` to change the resolution."""
