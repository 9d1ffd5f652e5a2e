"""A FilterSet instance's ``fields``: every accepted query parameter with the field answering it."""

import pytest

from restflow.filters import FilterSet, IntegerField, StringField


class Products(FilterSet):
    name: str
    price = IntegerField(lookups=["gte", "lte"])


def test_fields_maps_each_parameter_to_its_field():
    fields = Products().fields
    assert isinstance(fields["name"], StringField)
    assert fields["price"] is fields["price__gte"] is fields["price__lte"] is fields["price!"]
    assert set(fields) == {param.name for param in Products.parameters()}


def test_fields_is_read_only():
    with pytest.raises(TypeError):
        Products().fields["other"] = StringField()


def test_a_filterset_accepts_the_serializers_string_types():
    """One ``Email`` and one ``IPAddress`` for serializers and filters: either import declares the filter."""
    from restflow import filters, serializers
    from restflow.filters import FilterSet

    assert serializers.Email is filters.Email and serializers.IPAddress is filters.IPAddress

    class ByContact(FilterSet):
        email: serializers.Email
        address: serializers.IPAddress

    assert isinstance(ByContact.base_fields["email"], filters.EmailField)
    assert isinstance(ByContact.base_fields["address"], filters.IPAddressField)
