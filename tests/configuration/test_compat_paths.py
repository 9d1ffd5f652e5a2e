"""Import paths of restflow's earlier layout hand over today's objects themselves."""

import importlib

import pytest

from restflow._compat import COMPAT_PATHS

PATHS = [(f"{parent}.{name}", target) for parent, names in COMPAT_PATHS.items() for name, target in names.items()]


@pytest.mark.parametrize(("old", "target"), PATHS)
def test_an_old_path_imports_as_the_module_of_today(old, target):
    assert importlib.import_module(old) is importlib.import_module(target)


def test_from_import_through_an_old_path_gives_the_same_class():
    from restflow.filters.filters import FilterSet as OldFilterSet
    from restflow.pagination.pagination import PageNumberPagination as OldPagination
    from restflow.views.viewsets import AsyncModelViewSet as OldViewSet

    from restflow.filters import FilterSet
    from restflow.pagination import PageNumberPagination
    from restflow.views import AsyncModelViewSet

    assert OldViewSet is AsyncModelViewSet
    assert OldFilterSet is FilterSet
    assert OldPagination is PageNumberPagination


def test_a_public_name_is_not_shadowed_by_an_old_module_path():
    import restflow.caching

    importlib.import_module("restflow.caching.wrapper")
    assert callable(restflow.caching.cache_result)
    assert restflow.caching.wrapper is importlib.import_module("restflow.caching.wrappers")


def test_names_that_moved_are_kept_at_their_old_module():
    from restflow.filters.fields import LOOKUP_CATEGORIES, OrderField, RelatedField
    from restflow.filters.filters import InlineFilterSet as OldInline

    from restflow.filters import InlineFilterSet
    from restflow.filters import OrderField as Today
    from restflow.filters import RelatedField as TodayRelated
    from restflow.filters.lookups import LOOKUP_GROUPS

    assert (OrderField, RelatedField, OldInline, LOOKUP_CATEGORIES) == (Today, TodayRelated, InlineFilterSet, LOOKUP_GROUPS)
