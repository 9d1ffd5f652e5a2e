"""RestflowFilterBackend: applies a view's FilterSet from sync and async views."""

import functools

from django.core.exceptions import ImproperlyConfigured
from rest_framework.filters import BaseFilterBackend

from restflow.filters.filterset import FilterSet
from restflow.filters.schema import parameter_schema


@functools.cache
def _model_filterset(model, fields):
    """A FilterSet for ``filterset_fields``; cached so each configuration builds its class once."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (FilterSet,), {"Meta": meta, "__module__": __name__})


def _hashable(fields):
    if isinstance(fields, str):
        return fields
    if isinstance(fields, dict):
        return tuple((name, tuple(lookups) if lookups else None) for name, lookups in fields.items())
    return tuple(fields)


class RestflowFilterBackend(BaseFilterBackend):
    """Filters with the view's FilterSet; invalid query parameters become a 400.

    The FilterSet comes from ``view.restflow_filterset_class`` (for views that also run django-filter,
    which reads ``filterset_class`` itself), else ``view.filterset_class`` when it is a restflow
    FilterSet, else ``view.filterset_fields`` (a list of model field names, or a dict of name ->
    lookups) on the view's model. A view with none of these is left unfiltered.
    """

    def get_filterset_class(self, view, queryset=None):
        filterset_class = getattr(view, "restflow_filterset_class", None) or getattr(view, "filterset_class", None)
        if filterset_class is not None:
            is_ours = isinstance(filterset_class, type) and issubclass(filterset_class, FilterSet)
            return filterset_class if is_ours else None
        fields = getattr(view, "filterset_fields", None)
        if not fields:
            return None
        source = getattr(view, "queryset", None)
        source = queryset if source is None else source
        if source is None:
            raise ImproperlyConfigured(f"{type(view).__name__}.filterset_fields needs the view's queryset.")
        return _model_filterset(source.model, _hashable(fields))

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        return filterset_class(data=request.query_params, queryset=queryset, request=request, view=view)

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        return queryset if filterset is None else filterset.filter_queryset(queryset)

    async def afilter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        return queryset if filterset is None else await filterset.afilter_queryset(queryset)

    def get_schema_operation_parameters(self, view):
        """The accepted query parameters, for drf-spectacular and DRF's own schema generator."""
        filterset_class = self.get_filterset_class(view)
        if filterset_class is None:
            return []
        return [parameter_schema(param) for param in filterset_class.parameters()]
