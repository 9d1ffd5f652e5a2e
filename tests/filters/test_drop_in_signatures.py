"""Filter declarations DRF users write: a DRF serializer field as a ListField child, ``method`` with ``*args``."""

import pytest
from rest_framework import serializers

from restflow.filters import FilterSet, ListField, StringField
from tests.filters.test_filterset import catalog, names  # noqa: F401 (fixture)


class ByPrices(FilterSet):
    price = ListField(child=serializers.IntegerField(min_value=0))


class ByNamePrefix(FilterSet):
    starts = StringField(method="by_prefix")

    def by_prefix(self, queryset, *args):
        (value,) = args
        return queryset.filter(name__startswith=value)


@pytest.mark.django_db
def test_list_field_with_a_drf_serializer_field_child_parses_each_item(catalog):  # noqa: F811
    assert names(ByPrices, "price=5,40") == ["Ball", "Crane"]


@pytest.mark.django_db
def test_list_field_child_errors_are_the_drf_fields_own(catalog):  # noqa: F811
    filterset = ByPrices(data={"price": "5,-1"})
    assert not filterset.is_valid()
    assert "greater than or equal to 0" in str(filterset.errors["price"])


@pytest.mark.django_db
def test_a_method_taking_star_args_receives_queryset_and_value(catalog):  # noqa: F811
    assert names(ByNamePrefix, "starts=B") == ["Ball"]


@pytest.mark.django_db
def test_the_backend_filters_a_plain_django_request(catalog):  # noqa: F811
    from django.test import RequestFactory

    from restflow.filters import RestflowFilterBackend
    from tests.support.testapp.models import Product

    class View:
        filterset_class = ByPrices

    request = RequestFactory().get("/", {"price": "5,40"})
    queryset = RestflowFilterBackend().filter_queryset(request, Product.objects.all(), View())
    assert sorted(product.name for product in queryset) == ["Ball", "Crane"]
