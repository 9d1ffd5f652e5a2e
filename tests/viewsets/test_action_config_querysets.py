"""ActionConfig.queryset takes what DRF takes as a queryset, and names what it needs otherwise."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from restflow.views import ActionConfig, AsyncGenericViewSet


class Rows:
    """A queryset-like source: ``all()`` gives a fresh copy, as a QuerySet's does."""

    def __init__(self, rows):
        self.rows = rows
        self.copies = 0

    def all(self):
        self.copies += 1
        return list(self.rows)


def view_for(queryset):
    class Items(AsyncGenericViewSet):
        action_configs = {"list": ActionConfig(queryset=queryset)}

    return Items(action="list")


def test_an_object_with_all_is_copied_through_all_on_each_call():
    rows = Rows([1, 2])
    view = view_for(rows)
    assert view.get_queryset() == [1, 2] and view.get_queryset() == [1, 2]
    assert rows.copies == 2


def test_a_list_is_used_as_it_is():
    assert view_for([3, 4]).get_queryset() == [3, 4]


def test_what_cannot_be_a_queryset_is_refused_naming_what_is_needed():
    with pytest.raises((TypeError, ImproperlyConfigured), match="a list or a callable"):
        ActionConfig(queryset=42)
