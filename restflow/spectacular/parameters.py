"""The OpenAPI query parameters of a view's restflow FilterSet, for schema hooks and custom schemas."""

import logging

from restflow.filters import FilterSet
from restflow.filters.schema import parameter_schema

logger = logging.getLogger("restflow.spectacular")


def resolve_filterset_class(view):
    """The FilterSet class ``view`` names: ``get_filterset_class()`` when it returns one, else
    ``restflow_filterset_class``, else ``filterset_class``; None when there is none. A getter that
    raises is logged and the attributes are read instead (a schema is still produced)."""
    getter = getattr(view, "get_filterset_class", None)
    if callable(getter):
        try:
            filterset_class = getter()
        except Exception:
            logger.warning(
                "%s.get_filterset_class() raised; reading its attributes for the schema.",
                type(view).__name__,
                exc_info=True,
            )
            filterset_class = None
        if filterset_class is not None:
            return filterset_class
    return getattr(view, "restflow_filterset_class", None) or getattr(view, "filterset_class", None)


def build_filterset_parameters(filterset_class):
    """One OpenAPI parameter object per query parameter of a restflow FilterSet class (none for
    anything else: django-filter documents its own classes)."""
    if not (isinstance(filterset_class, type) and issubclass(filterset_class, FilterSet)):
        return []
    return [parameter_schema(param) for param in filterset_class.parameters()]
