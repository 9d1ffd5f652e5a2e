"""RestflowFilterBackend: applies a view's FilterSet from sync and async views."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.filters import BaseFilterBackend

from restflow._memo import per_class
from restflow.filters.filterset import FilterSet
from restflow.filters.schema import parameter_schema


@per_class
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


def _django_filter_applies(view):
    """Whether one of the view's backends is django-filter's, which reads ``filterset_class`` itself."""
    return any(
        klass.__module__.startswith("django_filters")
        for backend in getattr(view, "filter_backends", ())
        for klass in getattr(backend, "__mro__", ())
    )


class RestflowFilterBackend(BaseFilterBackend):
    """Filters with the view's FilterSet; invalid query parameters become a 400.

    The FilterSet comes from ``view.get_filterset_class()`` when the view defines it, else
    ``view.restflow_filterset_class`` (for views that also run django-filter, which reads
    ``filterset_class`` itself), else ``view.filterset_class``, else ``view.filterset_fields`` (a
    list of model field names, or a dict of name -> lookups) on the view's model. A view with none
    of these is left unfiltered. A django-filter FilterSet in ``filterset_class`` is left to
    django-filter's backend, and refused when the view has none.
    """

    def get_filterset_class(self, view, queryset=None):
        """The view's FilterSet class, or None."""
        getter = getattr(view, "get_filterset_class", None)
        if callable(getter):
            return self._checked(view, getter(), "get_filterset_class()")
        filterset_class = getattr(view, "restflow_filterset_class", None)
        if filterset_class is not None:
            return self._checked(view, filterset_class, "restflow_filterset_class")
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            if _is_ours(filterset_class) or not _django_filter_applies(view):
                return self._checked(view, filterset_class, "filterset_class")
            return None
        fields = getattr(view, "filterset_fields", None)
        if not fields or _django_filter_applies(view):
            return None
        source = getattr(view, "queryset", None)
        source = queryset if source is None else source
        if source is None:
            raise ImproperlyConfigured(f"{type(view).__name__}.filterset_fields needs the view's queryset.")
        return _model_filterset(source.model, _hashable(fields))

    @staticmethod
    def _checked(view, filterset_class, where):
        if filterset_class is None or _is_ours(filterset_class):
            return filterset_class
        raise ImproperlyConfigured(
            f"{type(view).__name__}.{where} is {filterset_class!r}, not a restflow FilterSet. "
            "Subclass restflow.filters.FilterSet, or add django-filter's DjangoFilterBackend to "
            "filter_backends for a django-filter FilterSet (and put restflow's in restflow_filterset_class)."
        )

    def get_filterset(self, request, queryset, view):
        """The FilterSet for this request (a DRF Request or a Django HttpRequest):
        ``view.get_filterset(filterset_class)`` when the view defines it, else the class built on the
        request's query parameters."""
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        getter = getattr(view, "get_filterset", None)
        if callable(getter):
            return getter(filterset_class)
        return filterset_class(queryset=queryset, request=request, view=view)  # reads query_params, or GET

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


def _is_ours(filterset_class):
    return isinstance(filterset_class, type) and issubclass(filterset_class, FilterSet)
