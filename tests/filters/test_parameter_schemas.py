"""The OpenAPI schema of filter parameters: types, formats, bounds and list style."""

from restflow.filters import DateField, DecimalField, FloatField, IntegerField, ListField, StringField, TimeField
from restflow.filters.schema import field_to_schema


def test_each_field_type_has_its_type_and_format():
    assert field_to_schema(DateField()) == {"type": "string", "format": "date"}
    assert field_to_schema(TimeField()) == {"type": "string", "format": "time"}


def test_bounds_and_precision_are_documented():
    assert field_to_schema(IntegerField(min_value=1, max_value=10))[("minimum")] == 1
    assert field_to_schema(IntegerField(min_value=1, max_value=10))["maximum"] == 10
    assert field_to_schema(FloatField(min_value=0.5)) == {"type": "number", "format": "float", "minimum": 0.5}
    assert field_to_schema(StringField(min_length=2, max_length=8)) == {"type": "string", "minLength": 2, "maxLength": 8}
    decimal = field_to_schema(DecimalField(max_digits=8, decimal_places=2))
    assert (decimal["format"], decimal["x-maxDigits"], decimal["x-decimalPlaces"]) == ("decimal", 8, 2)


def test_a_list_field_is_an_array_of_its_child():
    schema = field_to_schema(ListField(child=DateField()))
    assert schema == {"type": "array", "items": {"type": "string", "format": "date"}}
