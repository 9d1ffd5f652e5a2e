"""Conformance with restflow's documented filtering contract, page by page, section by section.

The pages are drf-restflow's ``docs/guide/filtering/fields.md``, ``filterset.md``,
``integration.md`` and ``docs/api/filters/*.md`` (every released version: ``lookup_expr`` and
``db_field``, both method signatures, ``override_order_dir``). Each test names the page and section
it shows. Filter examples run twice: through the FilterSet API and through a restflow viewset on
DRF's DefaultRouter (``check``/``rejected`` compare both); PostgreSQL-only features are skipped on
SQLite.
"""

import datetime
import json
import logging
from decimal import Decimal
from typing import List, Literal, Optional  # noqa: UP035 - the guide's own spelling

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Avg, Count, Q
from django.http import QueryDict
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from restflow.filters import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    Email,
    EmailField,
    Field,
    FilterSet,
    FloatField,
    InlineFilterSet,
    IntegerField,
    IPAddress,
    IPAddressField,
    ListField,
    MultipleChoiceField,
    OrderField,
    RelatedField,
    RestflowFilterBackend,
    StringField,
    TimeField,
)
from tests.support.doc_filtering_urls import register
from tests.support.docfilters.models import (
    Address,
    Brand,
    GuideCategory as Category,
    City,
    Department,
    GuideProduct as Product,
    Region,
    GuideReview as Review,
    Store,
    Tag,
    TaggedItem,
)

pytestmark = [pytest.mark.urls("tests.support.doc_filtering_urls"), pytest.mark.django_db]

postgres_only = pytest.mark.postgres  # PostgreSQL-only lookups and functions

LAPTOP, MOUSE, GAME, WIDGET = "Laptop Pro", "Wireless Mouse", "Board Game", "Test Widget"
EVERY = sorted([LAPTOP, MOUSE, GAME, WIDGET])


def at(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def shop(db):
    """Four products touching every field the guide filters on."""
    electronics, toys = Department.objects.create(name="Electronics"), Department.objects.create(name="Toys")
    laptops = Category.objects.create(name="Laptops", description="portable computers", sku="CAT-L",
                                      department=electronics)
    games = Category.objects.create(name="Games", description="board and card games", sku="CAT-G", department=toys)
    apple, acme = Brand.objects.create(name="Apple"), Brand.objects.create(name="Acme")
    north, south = Region.objects.create(name="North"), Region.objects.create(name="South")
    oslo = Store.objects.create(name="Oslo Store", address=Address.objects.create(
        street="1 Main St", city=City.objects.create(name="Oslo", region=north)))
    rome = Store.objects.create(name="Rome Store", address=Address.objects.create(
        street="2 Via Roma", city=City.objects.create(name="Rome", region=south)))
    wireless, gaming = Tag.objects.create(name="wireless"), Tag.objects.create(name="gaming")
    rows = {
        LAPTOP: dict(title="Pro Laptop 15", sku="LP-0001", description="wireless keyboard included", price=1500,
                     amount=Decimal("1499.99"), rating=4.5, quantity=3, views=5000, inventory=3, in_stock=True,
                     is_featured=True, is_new=True, status="published", priority="high", created_at=at(2024, 1, 15, 10, 30),
                     published_at=at(2024, 2, 1, 8), created_date=datetime.date(2024, 1, 15),
                     opening_time=datetime.time(9), duration=datetime.timedelta(hours=2),
                     contact_email="sales@apple.test", server_ip="10.0.0.1", internal_id="INT-1",
                     metadata={"brand": "Apple", "specs": {"color": "silver", "size": "15"}},
                     category=laptops, brand=apple, store=oslo),
        MOUSE: dict(title="Mouse", sku="WM-0002", description="bluetooth mouse", price=25, amount=Decimal("24.50"),
                    rating=3.9, quantity=40, views=50, inventory=0, in_stock=True, is_refurbished=True, status="draft",
                    priority="low", created_at=at(2023, 6, 10, 14), created_date=datetime.date(2023, 6, 10),
                    opening_time=datetime.time(18, 30), duration=datetime.timedelta(minutes=30),
                    contact_email="help@acme.test", server_ip="192.168.1.20", internal_id="INT-2",
                    metadata={"brand": "Acme", "specs": {"color": "black"}}, category=laptops, brand=acme, store=rome),
        GAME: dict(title="Family Board Game", sku="BG-0003", description="a game for the family", price=40,
                   amount=Decimal("39.00"), rating=4.8, quantity=10, views=150, inventory=10, in_stock=False,
                   is_new=True, is_refurbished=True, status="archived", priority="medium",
                   created_at=at(2024, 7, 20, 18, 45), published_at=at(2024, 7, 21, 9),
                   created_date=datetime.date(2024, 7, 20), opening_time=datetime.time(12),
                   duration=datetime.timedelta(minutes=90), contact_email="games@toys.test",
                   metadata={"brand": "Toyco"}, category=games, store=rome, deleted_at=at(2024, 8, 1)),
        WIDGET: dict(title="Widget", sku="TW-0004", description="test item", price=1000, amount=Decimal("999.00"),
                     rating=2.0, quantity=1, views=0, inventory=5, in_stock=True, is_featured=True,
                     status="published", priority="urgent", created_at=at(2024, 12, 31, 23),
                     published_at=at(2025, 1, 2), created_date=datetime.date(2024, 12, 31)),
    }
    products = {name: Product.objects.create(name=name, **values) for name, values in rows.items()}
    products[LAPTOP].tags.set([wireless])
    products[MOUSE].tags.set([wireless, gaming])
    products[GAME].tags.set([gaming])
    for name, ratings in [(LAPTOP, [5, 4]), (MOUSE, [3]), (WIDGET, [1, 2, 3])]:
        for rating in ratings:
            Review.objects.create(product=products[name], rating=rating)
    return {"laptops": laptops, "games": games, "apple": apple, "wireless": wireless, "gaming": gaming, **products}


def direct(filterset_class, query, queryset=None):
    filterset = filterset_class(QueryDict(query, mutable=False))
    return filterset.filter_queryset(Product.objects.all() if queryset is None else queryset)


def through_route(filterset_class, query):
    return APIClient().get(f"/fs/{register(filterset_class)}/products/?{query}")


def check(filterset_class, query, expected, ordered=False):
    """The documented query gives ``expected`` through the FilterSet API and through a route."""
    by_api = [p.name for p in direct(filterset_class, query)]
    response = through_route(filterset_class, query)
    assert response.status_code == 200, response.content
    by_route = [row["name"] for row in response.json()]
    if not ordered:
        by_api, by_route, expected = sorted(by_api), sorted(by_route), sorted(expected)
    assert by_api == expected
    assert by_route == expected


def rejected(filterset_class, query):
    """The query's errors, the same from the FilterSet API and as a route's 400 body."""
    filterset = filterset_class(QueryDict(query))
    with pytest.raises(ValidationError) as caught:
        filterset.filter_queryset(Product.objects.all())
    response = through_route(filterset_class, query)
    assert response.status_code == 400, response.content
    assert response.json() == json.loads(json.dumps(caught.value.detail))
    return response.json()


def params(filterset_class):
    return [param.name for param in filterset_class.parameters()]


def schema(filterset_class):
    view = type("View", (), {"filterset_class": filterset_class})()
    return {p["name"]: p for p in RestflowFilterBackend().get_schema_operation_parameters(view)}


# ---------------------------------------------------------------------------------------------
# guide/filtering/fields.md
# ---------------------------------------------------------------------------------------------


def test_fields_field_arguments(shop):
    """fields.md, "Field basics > Field arguments": every argument in the table is accepted."""

    class ProductFilter(FilterSet):
        price = IntegerField(db_field="price", lookups=["gte"], negate=False, required=False, allow_negate=True)
        cheap = IntegerField(filter_by="price__lte")
        label = StringField(method="by_label")
        not_draft = StringField(db_field="status", negate=True)
        plain = StringField(db_field="name", allow_negate=False)

        def by_label(self, queryset, value):
            return Q(title__icontains=value)

    assert "plain!" not in params(ProductFilter) and "cheap!" in params(ProductFilter)
    check(ProductFilter, "price__gte=1000", [LAPTOP, WIDGET])
    check(ProductFilter, "cheap=40", [MOUSE, GAME])
    check(ProductFilter, "label=widget", [WIDGET])
    check(ProductFilter, "not_draft=draft", [LAPTOP, GAME, WIDGET])  # negate=True excludes the matches
    check(ProductFilter, "not_draft!=draft", [MOUSE])  # and its "!" form includes them


@pytest.mark.parametrize(
    ("declaration", "query", "expected"),
    [
        (lambda: IntegerField(), "price=25", [MOUSE]),
        (lambda: IntegerField(db_field="price"), "price_value=40", [GAME]),
        (lambda: IntegerField(filter_by="price__gte"), "price_value=1000", [LAPTOP, WIDGET]),
        (lambda: IntegerField(db_field="views", filter_by="price__gte"), "price_value=1000", [LAPTOP, WIDGET]),
    ],
)
def test_fields_filter_by_takes_precedence_over_db_field(shop, declaration, query, expected):
    """fields.md, "filter_by takes precedence over db_field" (also filterset.md, "filter_by and
    db_field"): the field name, db_field, then filter_by, which wins over db_field."""
    name = query.split("=")[0]
    ProductFilter = type("ProductFilter", (FilterSet,), {name: declaration()})
    check(ProductFilter, query, expected)


def test_fields_three_ways_to_declare_fields(shop):
    """fields.md, "Three ways to declare fields": annotation, explicit field, Meta with extra_kwargs."""

    class ProductFilterSet(FilterSet):
        name: str
        description = StringField(lookups=["icontains"])

        class Meta:
            model = Product
            fields = ["price"]
            extra_kwargs = {"price": {"min_value": 0}}

    check(ProductFilterSet, "name=Board Game", [GAME])
    check(ProductFilterSet, "description__icontains=WIRELESS", [LAPTOP])
    check(ProductFilterSet, "price=40", [GAME])
    assert rejected(ProductFilterSet, "price=-1") == {"price": ["Ensure this value is greater than or equal to 0."]}


def test_fields_field_generation(shop):
    """fields.md, "Field generation": comparison lookups add on top of the bare parameter, each
    with its negated form."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups=["comparison"])

    assert sorted(params(ProductFilterSet)) == sorted([
        "price", "price__gt", "price__gte", "price__lt", "price__lte",
        "price!", "price__gt!", "price__gte!", "price__lt!", "price__lte!",
    ])
    check(ProductFilterSet, "price=40", [GAME])
    check(ProductFilterSet, "price__gt=40&price__lte=1000", [WIDGET])
    check(ProductFilterSet, "price__gte!=1000", [MOUSE, GAME])


class AnnotatedProductFilterSet(FilterSet):
    """fields.md, "Type annotations", as written."""

    name: str
    quantity: int
    rating: float
    in_stock: bool
    price: Decimal
    created_date: datetime.date
    created_at: datetime.datetime
    opening_time: datetime.time
    contact_email: Email
    server_ip: IPAddress
    status: Literal["draft", "published", "archived"]
    priority: Literal[1, 2, 3, 4, 5]
    tags: List[int]  # noqa: UP006
    categories: List[str]  # noqa: UP006
    category: Optional[str]  # noqa: UP045
    brand: int | None


def test_fields_type_annotations(shop):
    """fields.md, "Type annotations": every annotation maps to its field type and filters."""
    kinds = {name: type(field).__name__ for name, field in AnnotatedProductFilterSet.base_fields.items()}
    assert kinds == {
        "name": "StringField", "quantity": "IntegerField", "rating": "FloatField", "in_stock": "BooleanField",
        "price": "DecimalField", "created_date": "DateField", "created_at": "DateTimeField",
        "opening_time": "TimeField", "contact_email": "EmailField", "server_ip": "IPAddressField",
        "status": "ChoiceField", "priority": "ChoiceField", "tags": "ListField", "categories": "ListField",
        "category": "StringField", "brand": "IntegerField",
    }
    cases = [
        ("quantity=40", [MOUSE]), ("rating=4.8", [GAME]), ("in_stock=false", [GAME]), ("price=1000", [WIDGET]),
        ("created_date=2024-07-20", [GAME]), ("created_at=2024-01-15T10:30:00Z", [LAPTOP]),
        ("opening_time=18:30", [MOUSE]), ("contact_email=sales@apple.test", [LAPTOP]),
        ("server_ip=10.0.0.1", [LAPTOP]), ("status=archived", [GAME]),
        (f"tags={shop['gaming'].pk}", [MOUSE, GAME]), (f"brand={shop['apple'].pk}", [LAPTOP]),
        (f"category={shop['games'].pk}", [GAME]),
    ]
    for query, expected in cases:
        check(AnnotatedProductFilterSet, query, expected)
    errors = rejected(AnnotatedProductFilterSet, "contact_email=nope&server_ip=999.1.1.1&status=gone&priority=9")
    assert set(errors) == {"contact_email", "server_ip", "status", "priority"}


def test_fields_stringfield(shop):
    """fields.md, "Field types > StringField"."""

    class ProductFilterSet(FilterSet):
        name = StringField()
        title = StringField(lookups=["icontains", "istartswith"])
        sku = StringField(min_length=3, max_length=20, required=True)
        category_name = StringField(filter_by="category__name__icontains")

    check(ProductFilterSet, "sku=LP-0001&title__istartswith=pro", [LAPTOP])
    check(ProductFilterSet, "sku=LP-0001&category_name=lap&name=Laptop Pro", [LAPTOP])
    assert rejected(ProductFilterSet, "name=x") == {"sku": ["This query parameter is required."]}
    assert rejected(ProductFilterSet, "sku=ab") == {"sku": ["Ensure this field has at least 3 characters."]}
    regex = type("F", (FilterSet,), {"name": StringField(lookups=["regex", "iregex", "iendswith"])})
    check(regex, "name__iregex=^(laptop|board)", [LAPTOP, GAME])
    check(regex, "name__iendswith=MOUSE", [MOUSE])


def test_fields_integerfield(shop):
    """fields.md, "Field types > IntegerField": comparisons, bounds, filter_by; ``in`` and ``range``."""

    class ProductFilterSet(FilterSet):
        quantity: int
        price = IntegerField(lookups=["comparison", "in", "range"])
        stock = IntegerField(min_value=0, max_value=10000)
        category_id = IntegerField(filter_by="category__id")

    check(ProductFilterSet, "price__gt=100&price__lt=1200", [WIDGET])
    check(ProductFilterSet, "price__in=25,40", [MOUSE, GAME])
    check(ProductFilterSet, "price__range=30,1000", [GAME, WIDGET])
    check(ProductFilterSet, f"category_id={shop['games'].pk}", [GAME])
    assert rejected(ProductFilterSet, "stock=-1") == {"stock": ["Ensure this value is greater than or equal to 0."]}
    assert "price__range" in rejected(ProductFilterSet, "price__range=1")


def test_fields_floatfield(shop):
    """fields.md, "Field types > FloatField"."""

    class ProductFilterSet(FilterSet):
        rating: float
        score = FloatField(lookups=["comparison"], db_field="rating")
        discount = FloatField(min_value=0.0, max_value=100.0)

    check(ProductFilterSet, "rating=4.5", [LAPTOP])
    check(ProductFilterSet, "score__gte=4.5", [LAPTOP, GAME])
    assert rejected(ProductFilterSet, "discount=150") == {
        "discount": ["Ensure this value is less than or equal to 100.0."]
    }


@pytest.mark.parametrize(("value", "expected"), [
    ("true", [LAPTOP, MOUSE, WIDGET]), ("True", [LAPTOP, MOUSE, WIDGET]), ("1", [LAPTOP, MOUSE, WIDGET]),
    ("yes", [LAPTOP, MOUSE, WIDGET]), ("false", [GAME]), ("False", [GAME]), ("0", [GAME]), ("no", [GAME]),
])
def test_fields_booleanfield_accepts_values(shop, value, expected):
    """fields.md, "Field types > BooleanField": "Accepts values" true/True/1/yes and false/False/0/no."""

    class ProductFilterSet(FilterSet):
        in_stock: bool

    check(ProductFilterSet, f"in_stock={value}", expected)


def test_fields_booleanfield(shop):
    """fields.md, "Field types > BooleanField": as written it names a method the class lacks, which
    fails at class definition; with the method it filters, and ``required`` is enforced."""
    with pytest.raises(ImproperlyConfigured, match="filter_available"):
        type("ProductFilterSet", (FilterSet,), {"available": BooleanField(method="filter_available")})

    class ProductFilterSet(FilterSet):
        in_stock: bool
        is_featured = BooleanField()
        available = BooleanField(method="filter_available")
        active = BooleanField(required=True, db_field="in_stock")

        def filter_available(self, queryset, value):
            return Q(inventory__gt=0) if value else Q(inventory=0)

    check(ProductFilterSet, "active=true&is_featured=true&available=true", [LAPTOP, WIDGET])
    check(ProductFilterSet, "active=true&available=false", [MOUSE])
    assert rejected(ProductFilterSet, "in_stock=true") == {"active": ["This query parameter is required."]}


def test_fields_decimalfield(shop):
    """fields.md, "Field types > DecimalField"."""

    class ProductFilterSet(FilterSet):
        price = DecimalField(max_digits=10, decimal_places=2)
        amount = DecimalField(max_digits=10, decimal_places=2, min_value=0, lookups=["comparison"])

    check(ProductFilterSet, "amount__gte=999", [LAPTOP, WIDGET])
    check(ProductFilterSet, "price=40.00", [GAME])
    assert rejected(ProductFilterSet, "price=40.001") == {
        "price": ["Ensure that there are no more than 2 decimal places."]
    }


def test_fields_datefield(shop):
    """fields.md, "Field types > DateField": ``date`` annotation, comparisons, filter_by ranges."""

    class ProductFilterSet(FilterSet):
        created_date: datetime.date
        published_date = DateField(lookups=["comparison"], db_field="created_date")
        start_date = DateField(filter_by="created_at__date__gte")
        end_date = DateField(filter_by="created_at__date__lte")

    check(ProductFilterSet, "start_date=2024-01-01&end_date=2024-07-31", [LAPTOP, GAME])
    check(ProductFilterSet, "published_date__lt=2024-01-01", [MOUSE])
    assert "created_date" in rejected(ProductFilterSet, "created_date=2024-13-01")


def test_fields_date_lookups_parse_as_integers(shop):
    """fields.md, "Field types > DateField/DateTimeField": year, month, day, week, week_day and
    quarter take integers (not dates); the ``date`` group skips ``date`` on a DateField."""

    class ProductFilterSet(FilterSet):
        created_date = DateField(lookups=["date"])
        created_at = DateTimeField(lookups=["date", "time"])

    assert "created_date__date" not in params(ProductFilterSet)
    check(ProductFilterSet, "created_date__year=2024&created_date__quarter=3", [GAME])
    check(ProductFilterSet, "created_date__week_day=2", [LAPTOP])  # 2024-01-15 was a Monday
    check(ProductFilterSet, "created_at__date=2024-12-31", [WIDGET])
    local = timezone.localtime(at(2024, 7, 20, 18, 45))  # parts are taken in the current time zone
    check(ProductFilterSet, f"created_at__hour={local.hour}&created_at__minute=45", [GAME])
    check(ProductFilterSet, f"created_at__time={timezone.localtime(at(2023, 6, 10, 14)).time()}", [MOUSE])
    check(ProductFilterSet, "created_at__week=3", [LAPTOP])
    errors = rejected(ProductFilterSet, "created_at__year=2024-01-01&created_date__month=13")
    assert errors == {
        "created_at__year": ["A valid integer is required."],
        "created_date__month": ["Ensure this value is less than or equal to 12."],
    }


def test_fields_datetimefield(shop):
    """fields.md, "Field types > DateTimeField"."""

    class ProductFilterSet(FilterSet):
        created_at: datetime.datetime
        published_at = DateTimeField(lookups=["comparison"], default_timezone=datetime.UTC)

    check(ProductFilterSet, "published_at__gte=2024-06-01T00:00:00Z", [GAME, WIDGET])
    check(ProductFilterSet, "created_at=2024-12-31T23:00:00Z", [WIDGET])


def test_fields_timefield(shop):
    """fields.md, "Field types > TimeField": ``14:30:00`` and ``14:30`` formats, hour lookups."""

    class ProductFilterSet(FilterSet):
        opening_time: datetime.time
        closing_time = TimeField(lookups=["comparison", "time"], db_field="opening_time")

    check(ProductFilterSet, "opening_time=09:00", [LAPTOP])
    check(ProductFilterSet, "opening_time=18:30:00", [MOUSE])
    check(ProductFilterSet, "closing_time__gte=12:00&closing_time__hour=18", [MOUSE])
    assert "opening_time" in rejected(ProductFilterSet, "opening_time=25:00")


def test_fields_durationfield(shop):
    """fields.md, "Field types > DurationField": comparisons; a duration has no hour/minute parts in
    Django, so the ``time`` group is refused at declaration instead of failing per request."""

    class ProductFilterSet(FilterSet):
        duration = DurationField(lookups=["comparison"])

    check(ProductFilterSet, "duration__gte=01:00:00", [LAPTOP, GAME])
    check(ProductFilterSet, "duration=P0DT2H", [LAPTOP])
    with pytest.raises(ImproperlyConfigured, match="DurationField has no lookup 'time'"):
        DurationField(lookups=["time"])


def test_fields_choicefield(shop):
    """fields.md, "Field types > ChoiceField" and "Validation > Choice validation"."""

    class ProductFilterSet(FilterSet):
        status = ChoiceField(choices=[("draft", "Draft"), ("published", "Published"), ("archived", "Archived")])
        priority: Literal["low", "medium", "high", "urgent"]

    check(ProductFilterSet, "status=archived", [GAME])
    check(ProductFilterSet, "priority=urgent", [WIDGET])
    [message] = rejected(ProductFilterSet, "status=invalid")["status"]
    assert message.startswith('"invalid" is not a valid choice.')  # and, ours: the accepted values


def test_fields_multiplechoicefield(shop):
    """fields.md, "Field types > MultipleChoiceField": comma-separated values."""

    class ProductFilterSet(FilterSet):
        statuses = MultipleChoiceField(choices=[("draft", "Draft"), ("published", "Published")],
                                       filter_by="status__in")

    check(ProductFilterSet, "statuses=draft,published", [LAPTOP, MOUSE, WIDGET])
    check(ProductFilterSet, "statuses=draft&statuses=published", [LAPTOP, MOUSE, WIDGET])
    assert "statuses" in rejected(ProductFilterSet, "statuses=draft,gone")


def test_fields_listfield(shop):
    """fields.md, "Field types > ListField" and "Important caveats > List field input"."""

    class ProductFilterSet(FilterSet):
        tags: List[int]  # noqa: UP006
        tag_ids = ListField(child=IntegerField(), filter_by="tags__id__in")
        categories = ListField(child=StringField(), filter_by="category__name__in")
        product_ids = ListField(child=IntegerField(min_value=1), min_length=1, max_length=100, db_field="id")

    wireless, gaming = shop["wireless"].pk, shop["gaming"].pk
    check(ProductFilterSet, f"tag_ids={gaming}", [MOUSE, GAME])
    check(ProductFilterSet, f"tags={wireless},{gaming}&categories=Laptops", [LAPTOP, MOUSE, MOUSE])
    check(ProductFilterSet, f"tags={wireless}&tags={gaming}&categories=Games", [GAME])
    check(ProductFilterSet, "categories=Games,Laptops", [LAPTOP, MOUSE, GAME])
    check(ProductFilterSet, f"product_ids={shop[GAME].pk},{shop[WIDGET].pk}", [GAME, WIDGET])
    assert "product_ids" in rejected(ProductFilterSet, "product_ids=0")


def test_fields_emailfield_and_ipaddressfield(shop):
    """fields.md, "Field types > EmailField" and "IPAddressField", with the NewType annotations."""

    class ContactFilterSet(FilterSet):
        contact_email = EmailField(lookups=["text"])
        primary: Email

    class ServerFilterSet(FilterSet):
        server_ip = IPAddressField(lookups=["basic"])
        edge: IPAddress

    assert type(ContactFilterSet.base_fields["primary"]) is EmailField
    assert type(ServerFilterSet.base_fields["edge"]) is IPAddressField
    check(ContactFilterSet, "contact_email__endswith=@acme.test", [MOUSE])
    check(ServerFilterSet, "server_ip__isnull=true", [GAME, WIDGET])
    check(ServerFilterSet, "server_ip=192.168.1.20", [MOUSE])
    assert "contact_email" in rejected(ContactFilterSet, "contact_email=not-an-email")


def test_fields_orderfield(shop):
    """fields.md, "Field types > OrderField": (value, path) pairs; ``-`` for descending."""

    class ProductFilterSet(FilterSet):
        ordering = OrderField(fields=[("name", "name"), ("price", "price"), ("created_at", "created_at")])

    check(ProductFilterSet, "ordering=-price", [LAPTOP, WIDGET, GAME, MOUSE], ordered=True)
    check(ProductFilterSet, "ordering=name", sorted(EVERY), ordered=True)
    assert "ordering" in rejected(ProductFilterSet, "ordering=views")


def test_fields_relatedfield(shop):
    """fields.md, "Field types > RelatedField": the related model's fields under category__<name>."""

    class ProductFilterSet(FilterSet):
        category = RelatedField(model=Category, fields=["name", "description"], exclude=["sku"])

    assert params(ProductFilterSet) == [
        "category__name", "category__name!", "category__description", "category__description!",
    ]
    check(ProductFilterSet, "category__name=Games", [GAME])
    check(ProductFilterSet, "category__description!=portable computers", [GAME, WIDGET])  # no category: not equal


def test_fields_lookups(shop):
    """fields.md, "Lookups": individual lookups and categories (the ``tags`` array filter is
    shown on PostgreSQL in test_fields_postgresql_array_fields)."""

    class ProductFilterSet(FilterSet):
        name: str
        title = StringField(lookups=["exact", "icontains"])
        price = IntegerField(lookups=["gt", "gte", "lt", "lte"])
        created_at = DateTimeField(lookups=["gte", "lte", "year", "month"])
        description = StringField(lookups=["text"])
        views = IntegerField(lookups=["comparison"])
        tags = ListField(child=StringField(), lookups=["pg_array"])

    check(ProductFilterSet, "created_at__year=2024&created_at__month=1", [LAPTOP])
    check(ProductFilterSet, "views__gte=150", [LAPTOP, GAME])
    check(ProductFilterSet, "title__exact=Widget&title=Widget", [WIDGET])  # name__exact exists
    check(ProductFilterSet, "description__startswith=test&price__lt=2000", [WIDGET])
    check(ProductFilterSet, "created_at__gte=2024-07-01T00:00:00Z&created_at__lte=2024-12-31T00:00:00Z", [GAME])
    assert rejected(ProductFilterSet, "created_at__year=abc") == {"created_at__year": ["A valid integer is required."]}


@pytest.mark.parametrize(("declaration", "group", "expected"), [
    (IntegerField, "basic", ["exact", "in", "isnull"]),
    (StringField, "text", ["icontains", "contains", "startswith", "endswith", "iexact"]),
    (IntegerField, "comparison", ["gt", "gte", "lt", "lte"]),
    (DateTimeField, "date", ["date", "year", "month", "day", "week", "week_day", "quarter"]),
    (DateTimeField, "time", ["time", "hour", "minute", "second"]),
    (StringField, "postgres", ["search", "trigram_similar", "unaccent"]),
    (ListField, "pg_array", ["contains", "overlap", "contained_by"]),
    (StringField, "unsafe", ["regex", "iregex"]),
])
def test_fields_available_lookup_categories(declaration, group, expected):
    """fields.md, "Lookups > Available lookup categories" (and filterset.md's copy): each group's
    lookups (``text`` also gives istartswith/iendswith, ours; pg_array's ``overlaps`` is Django's
    ``overlap``, the spelling the guide's queries use)."""
    generated = [lookup for _, lookup, _ in declaration(lookups=[group]).lookups]
    assert generated[: len(expected)] == expected or set(expected) <= set(generated)
    assert ListField(lookups=["overlaps"]).lookups == [("overlaps", "overlap", None)]


def test_fields_all_lookups_follow_the_type_mapping():
    """filterset.md, "Type annotation mapping": ``lookups="__all__"`` expands a type's categories."""
    assert {lookup for _, lookup, _ in IntegerField(lookups="__all__").lookups} == {
        "exact", "in", "isnull", "gt", "gte", "lt", "lte"}
    assert {lookup for _, lookup, _ in BooleanField(lookups="__all__").lookups} == {"exact", "in", "isnull"}
    assert {"year", "hour", "gte", "isnull"} <= {lookup for _, lookup, _ in DateTimeField(lookups="__all__").lookups}


def test_fields_alias_form_lookups(shop):
    """fields.md, "Lookups > Alias-form lookups": a dict of suffix -> ORM lookup, with
    lookup_separator."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups={"max": "lte", "min": "gte"}, lookup_separator="_")

    assert params(ProductFilterSet) == ["price", "price_max", "price_min", "price!", "price_max!", "price_min!"]
    check(ProductFilterSet, "price_min=30&price_max=1000", [GAME, WIDGET])


def test_fields_per_lookup_help_text():
    """fields.md, "Lookups > Per-lookup help text": explicit text, else the field's text with a
    bound label, else an auto-generated hint."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(
            lookups={"min": {"lookup": "gte", "help_text": "Lowest acceptable price"}, "max": {"lookup": "lte"}},
            lookup_separator="_",
            help_text="Product price",
        )
        weight = IntegerField(lookups={"max": "lte"}, lookup_separator="_", db_field="price")

    described = {name: p["description"] for name, p in schema(ProductFilterSet).items()}
    assert described["price_min"] == "Lowest acceptable price"
    assert described["price_max"] == "Product price (Inclusive Upper Bound)"
    assert described["price"] == "Product price"
    assert described["weight_max"] == "weight is less than or equal to"


def test_fields_negation(shop):
    """fields.md, "Negation": every filter accepts a ``!`` suffix, lookups included."""

    class ProductFilterSet(FilterSet):
        status: str
        in_stock: bool
        price = IntegerField(lookups=["gte", "lte"])
        name = StringField(lookups=["icontains"])
        created_at = DateTimeField(lookups=["year"])

    check(ProductFilterSet, "status!=draft", [LAPTOP, GAME, WIDGET])
    check(ProductFilterSet, "in_stock!=true", [GAME])
    check(ProductFilterSet, "price!=1000", [LAPTOP, MOUSE, GAME])
    check(ProductFilterSet, "price__gte!=100", [MOUSE, GAME])
    check(ProductFilterSet, "price__lte!=40", [LAPTOP, WIDGET])
    check(ProductFilterSet, "name__icontains!=test", [LAPTOP, MOUSE, GAME])
    check(ProductFilterSet, "created_at__year!=2024", [MOUSE])
    encoded = APIClient().get(f"/fs/{register(ProductFilterSet)}/products/?price%21=1000")
    assert sorted(row["name"] for row in encoded.json()) == [GAME, LAPTOP, MOUSE]


def test_fields_custom_lookup_expressions(shop):
    """fields.md, "Custom lookup expressions" (``filter_by``; ``lookup_expr`` in the first
    release, still accepted)."""

    class ProductFilterSet(FilterSet):
        category_name = StringField(filter_by="category__name")
        brand = StringField(filter_by="brand__name__iexact")
        department = StringField(filter_by="category__department__name")
        category = IntegerField(lookup_expr="category__id")

    check(ProductFilterSet, "brand=APPLE", [LAPTOP])
    check(ProductFilterSet, "department=Toys", [GAME])
    check(ProductFilterSet, "category_name=Laptops&brand!=acme", [LAPTOP])
    check(ProductFilterSet, f"category={shop['laptops'].pk}", [LAPTOP, MOUSE])
    with pytest.raises(ImproperlyConfigured, match="lookup_expr"):
        StringField(filter_by="a", lookup_expr="b")


def test_fields_custom_lookup_expressions_with_lookups(shop):
    """fields.md, "Custom lookup expressions > With lookups": db_field gives the lookups their column."""

    class ProductFilterSet(FilterSet):
        category_name = StringField(db_field="category__name", lookups=["icontains", "istartswith"])

    check(ProductFilterSet, "category_name__icontains=lap", [LAPTOP, MOUSE])
    check(ProductFilterSet, "category_name__istartswith=ga", [GAME])
    check(ProductFilterSet, "category_name=Games", [GAME])


def test_fields_nested_relationships(shop):
    """fields.md, "Custom lookup expressions > Nested relationships" (filter_by, and the
    db_field form of an earlier release)."""

    class ProductFilterSet(FilterSet):
        region = StringField(filter_by="store__address__city__region__name")
        city = StringField(filter_by="store__address__city__name")

    class ByDbField(FilterSet):
        region = StringField(db_field="store__address__city__region__name")
        city = StringField(db_field="store__address__city__name")

    for filterset_class in (ProductFilterSet, ByDbField):
        check(filterset_class, "region=South", [MOUSE, GAME])
        check(filterset_class, "city=Oslo", [LAPTOP])


def test_fields_date_component_lookups(shop):
    """fields.md, "Custom lookup expressions > Date component lookups" (filter_by, and db_field)."""

    class ProductFilterSet(FilterSet):
        created_year = IntegerField(filter_by="created_at__year")
        created_month = IntegerField(filter_by="created_at__month")
        created_day = IntegerField(db_field="created_at__day")
        published_year = IntegerField(db_field="published_at__year", lookups=["gte", "lte"])

    check(ProductFilterSet, "created_year=2024", [LAPTOP, GAME, WIDGET])
    check(ProductFilterSet, "created_month=7", [GAME])
    check(ProductFilterSet, "created_day=31", [WIDGET])
    check(ProductFilterSet, "published_year__gte=2025", [WIDGET])
    check(ProductFilterSet, "published_year=2024", [LAPTOP, GAME])


def add_annotations(filterset, queryset):
    return queryset.annotate(review_count=Count("reviews"), avg_rating=Avg("reviews__rating"))


def test_fields_annotated_field_lookups(shop):
    """fields.md, "Custom lookup expressions > Annotated field lookups": a preprocessor annotates,
    filter_by filters the annotation."""

    class ProductFilterSet(FilterSet):
        min_reviews = IntegerField(filter_by="review_count__gte")
        max_reviews = IntegerField(filter_by="review_count__lte")

        class Meta:
            preprocessors = [add_annotations]

    check(ProductFilterSet, "min_reviews=2", [LAPTOP, WIDGET])
    check(ProductFilterSet, "min_reviews=1&max_reviews=2", [LAPTOP, MOUSE])


def test_fields_validation(shop):
    """fields.md, "Validation": automatic type validation, built-in and custom validators."""

    class Automatic(FilterSet):
        price: int
        rating: float
        in_stock: bool

    assert rejected(Automatic, "price=abc") == {"price": ["A valid integer is required."]}
    assert rejected(Automatic, "rating=xyz") == {"rating": ["A valid number is required."]}

    class BuiltIn(FilterSet):
        price = IntegerField(min_value=0, max_value=1000000)
        sku = StringField(min_length=3, max_length=20)
        category = StringField(required=True)

    assert rejected(BuiltIn, "price=-5&sku=ab") == {
        "price": ["Ensure this value is greater than or equal to 0."],
        "sku": ["Ensure this field has at least 3 characters."],
        "category": ["This query parameter is required."],
    }
    # category is a foreign key: a value its column refuses is a 400 naming it, not a 500.
    assert rejected(BuiltIn, "category=Laptops")["category"][0].startswith("Not a value this column accepts")
    check(BuiltIn, f"category={shop['games'].pk}&sku=BG-0003", [GAME])

    def validate_positive_even(value):
        if value <= 0:
            raise ValidationError("Must be positive")
        if value % 2 != 0:
            raise ValidationError("Must be even")

    class Custom(FilterSet):
        batch_size = IntegerField(validators=[validate_positive_even], db_field="quantity")

    assert rejected(Custom, "batch_size=3") == {"batch_size": ["Must be even"]}
    assert rejected(Custom, "batch_size=-2") == {"batch_size": ["Must be positive"]}
    check(Custom, "batch_size=10", [GAME])


def test_fields_list_validation(shop):
    """fields.md, "Validation > List validation": a bounded list validates an empty value as an
    empty list, and each item with the child field."""

    class ProductFilterSet(FilterSet):
        tags = ListField(child=IntegerField(min_value=1), min_length=1, max_length=10)

    assert "tags" in rejected(ProductFilterSet, "tags=")
    assert "tags" in rejected(ProductFilterSet, "tags=0,1")
    assert "tags" in rejected(ProductFilterSet, "tags=" + ",".join(["1"] * 11))
    check(ProductFilterSet, f"tags={shop['wireless'].pk}", [LAPTOP, MOUSE])


@postgres_only
def test_fields_postgresql_full_text_search(shop):
    """fields.md, "PostgreSQL fields > Full-text search" (filterset.md's copy too)."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    class ProductFilterSet(FilterSet):
        search = StringField(method="filter_fulltext")

        def filter_fulltext(self, queryset, value):
            vector = SearchVector("name", weight="A") + SearchVector("description", weight="B")
            query = SearchQuery(value)
            return queryset.annotate(search=vector, rank=SearchRank(vector, query)).filter(
                search=query).order_by("-rank")

    check(ProductFilterSet, "search=wireless", [MOUSE, LAPTOP], ordered=True)


@postgres_only
def test_fields_postgresql_lookup_group(shop):
    """fields.md, "Lookups > Available lookup categories": the ``postgres`` group on text."""

    class ProductFilterSet(FilterSet):
        name = StringField(lookups=["postgres"])

    check(ProductFilterSet, "name__search=mouse", [MOUSE])
    check(ProductFilterSet, "name__trigram_similar=Laptop Pr", [LAPTOP])
    check(ProductFilterSet, "name__unaccent=Bóard Gäme", [GAME])


@postgres_only
def test_fields_postgresql_array_fields(db):
    """fields.md, "PostgreSQL fields > Array fields" (and filterset.md's): contains, overlap,
    contained_by on an ArrayField; the model's ArrayField generates the same from Meta."""
    TaggedItem.objects.create(name="headset", tags=["wireless", "bluetooth"])
    TaggedItem.objects.create(name="cable", tags=["usb"])
    TaggedItem.objects.create(name="dock", tags=["usb", "hdmi", "wireless"])

    class ProductFilterSet(FilterSet):
        tags = ListField(child=StringField(), lookups=["pg_array"])

    class FromModel(FilterSet):
        class Meta:
            model = TaggedItem
            fields = ["tags"]

    def items(filterset_class, query):
        return sorted(i.name for i in filterset_class(QueryDict(query)).filter_queryset(TaggedItem.objects.all()))

    for filterset_class in (ProductFilterSet, FromModel):
        assert items(filterset_class, "tags__contains=wireless") == ["dock", "headset"]
        assert items(filterset_class, "tags__overlap=wireless,bluetooth") == ["dock", "headset"]
        assert items(filterset_class, "tags__contained_by=wireless,bluetooth,usb,hdmi") == ["cable", "dock", "headset"]
        assert items(filterset_class, "tags__contains!=usb") == ["headset"]
    assert items(FromModel, "tags=usb") == ["cable"]


def test_fields_postgresql_json_fields(shop):
    """fields.md, "PostgreSQL fields > JSON fields" (key paths work on SQLite's JSON1 too)."""

    class ProductFilterSet(FilterSet):
        brand = StringField(filter_by="metadata__brand")
        color = StringField(filter_by="metadata__specs__color")
        size = StringField(filter_by="metadata__specs__size")
        has_spec = StringField(filter_by="metadata__has_key")

    check(ProductFilterSet, "brand=Acme", [MOUSE])
    check(ProductFilterSet, "color=silver&size=15", [LAPTOP])
    check(ProductFilterSet, "has_spec=specs", [LAPTOP, MOUSE])


@postgres_only
def test_fields_postgresql_trigram_similarity(shop):
    """fields.md, "PostgreSQL fields > Trigram similarity"."""
    from django.contrib.postgres.search import TrigramSimilarity

    class ProductFilterSet(FilterSet):
        fuzzy_name = StringField(method="filter_fuzzy_name")

        def filter_fuzzy_name(self, queryset, value):
            return queryset.annotate(similarity=TrigramSimilarity("name", value)).filter(
                similarity__gt=0.3).order_by("-similarity")

    check(ProductFilterSet, "fuzzy_name=Wireles Mose", [MOUSE])


def test_fields_parameters_reference():
    """fields.md, "Field parameters reference": every listed parameter is accepted."""
    Field(db_field="", lookups=["icontains"], required=False, allow_null=False, validators=[], help_text="h",
          label="Label")
    Field(filter_by="name", required=False)
    Field(method="method_name")
    StringField(min_length=None, max_length=None, trim_whitespace=True, allow_blank=False)
    IntegerField(min_value=None, max_value=None)
    DecimalField(max_digits=None, decimal_places=None, min_value=None, max_value=None)
    DateTimeField(input_formats=None, default_timezone=None, format=None)
    ChoiceField(choices=[("a", "A")], allow_blank=False)
    ListField(child=Field(), min_length=None, max_length=None, allow_empty=True)
    with pytest.raises(TypeError):
        IntegerField(max_lenght=3)  # a misspelt keyword fails loudly


def test_fields_caveat_lookups_need_a_base_column(shop):
    """fields.md, "Important caveats > Lookups need a base column" (and filterset.md's
    "filter_by and db_field"): without db_field, lookups with method/filter_by are refused."""
    with pytest.raises(ImproperlyConfigured, match="db_field"):
        IntegerField(method="custom_method", lookups=["gte", "lte"])
    with pytest.raises(ImproperlyConfigured, match="db_field"):
        IntegerField(filter_by="price__exact", lookups=["gte", "lte"])

    class ProductFilterSet(FilterSet):
        price = IntegerField(filter_by="price__exact", db_field="price", lookups=["gte", "lte"])

    check(ProductFilterSet, "price=25", [MOUSE])
    check(ProductFilterSet, "price__gte=1000", [LAPTOP, WIDGET])

    class WithMethod(FilterSet):
        price = IntegerField(method="custom_method", db_field="price", lookups=["gte", "lte"])

        def custom_method(self, queryset, value):
            return Q(price=value)

    check(WithMethod, "price=40", [GAME])
    check(WithMethod, "price__lte=40", [MOUSE, GAME])


def test_fields_caveat_list_field_input_and_empty_lists(shop):
    """fields.md, "Important caveats > List field input": both shapes; an ``allow_empty`` list with
    a method receives the empty list."""

    class ProductFilterSet(FilterSet):
        tags = ListField(child=IntegerField(), allow_empty=True, method="filter_tags")

        def filter_tags(self, queryset, value):
            if not value:
                return Q()
            return Q(tags__id__in=value)

    gaming, wireless = shop["gaming"].pk, shop["wireless"].pk
    check(ProductFilterSet, "tags=", EVERY)
    check(ProductFilterSet, f"tags={gaming}", [MOUSE, GAME])
    check(ProductFilterSet, f"tags={gaming}&tags={wireless}", [LAPTOP, MOUSE, MOUSE, GAME])


def test_fields_caveat_negation_edge_cases(shop):
    """fields.md, "Important caveats > Negation edge cases"."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups=["gte", "lt"])
        published_at = DateTimeField(lookups=["isnull"])

    check(ProductFilterSet, "price__gte!=1000", [MOUSE, GAME])
    check(ProductFilterSet, "price__lt=1000", [MOUSE, GAME])
    check(ProductFilterSet, "published_at__isnull!=true", [LAPTOP, GAME, WIDGET])
    check(ProductFilterSet, "published_at__isnull=false", [LAPTOP, GAME, WIDGET])


# ---------------------------------------------------------------------------------------------
# guide/filtering/filterset.md
# ---------------------------------------------------------------------------------------------


def test_filterset_intro_and_type_annotations(shop):
    """filterset.md, "FilterSet" and "Creating FilterSets > Type annotations"."""

    class ProductFilterSet(FilterSet):
        name: str
        price: int
        in_stock: bool
        created_at: datetime.datetime

    check(ProductFilterSet, "name=Laptop Pro&price=1500", [LAPTOP])
    check(ProductFilterSet, "in_stock=true&created_at=2023-06-10T14:00:00Z", [MOUSE])


def test_filterset_explicit_field_declarations(shop):
    """filterset.md, "Creating FilterSets > Explicit field declarations"."""

    class ProductFilterSet(FilterSet):
        name = StringField(lookups=["icontains"])
        price = IntegerField(lookups=["comparison"], min_value=0)
        category = IntegerField(filter_by="category__id")

    check(ProductFilterSet, f"name__icontains=o&price__lt=1000&category={shop['laptops'].pk}", [MOUSE])
    assert rejected(ProductFilterSet, "price__gt=-1") == {"price__gt": ["Ensure this value is greater than or equal to 0."]}


def test_filterset_model_based_generation(shop):
    """filterset.md, "Creating FilterSets > Model-based generation" and "Meta options > fields"."""

    class Listed(FilterSet):
        class Meta:
            model = Product
            fields = ["name", "price", "category"]

    class Everything(FilterSet):
        class Meta:
            model = Product
            fields = "__all__"

    class OnlyCustom(FilterSet):
        search = StringField(filter_by="name__icontains")

        class Meta:
            model = Product
            fields = []

    assert list(Listed.base_fields) == ["name", "price", "category"]
    assert {"name", "price", "created_at", "duration", "server_ip", "tags", "category"} <= set(Everything.base_fields)
    assert "metadata" not in Everything.base_fields  # no filter type for JSON: filter keys with filter_by
    assert list(OnlyCustom.base_fields) == ["search"]
    check(Listed, f"category={shop['laptops'].pk}&price=25", [MOUSE])
    check(Everything, f"tags={shop['gaming'].pk}&opening_time=12:00", [GAME])
    check(Everything, "server_ip=10.0.0.1&duration=02:00:00&contact_email=sales@apple.test", [LAPTOP])


def test_filterset_mixed_approach(shop):
    """filterset.md, "Creating FilterSets > Mixed approach": methods with the (queryset, value)
    signature beside model fields."""

    class ProductFilterSet(FilterSet):
        search = StringField(method="filter_search")
        trending = BooleanField(method="filter_trending")

        class Meta:
            model = Product
            fields = ["category", "in_stock", "price"]

        def filter_search(self, queryset, value):
            return Q(name__icontains=value) | Q(description__icontains=value)

        def filter_trending(self, queryset, value):
            if value:
                week_ago = timezone.now() - datetime.timedelta(days=7)
                return Q(created_at__gte=week_ago, views__gte=100)
            return Q()

    Product.objects.filter(name=GAME).update(created_at=timezone.now())
    check(ProductFilterSet, "search=wireless", [LAPTOP, MOUSE])
    check(ProductFilterSet, "trending=true", [GAME])
    check(ProductFilterSet, "trending=false&in_stock=true&search=o", [LAPTOP, MOUSE])


def test_filterset_method_signature_of_the_first_releases(shop):
    """filterset.md of the first releases, "Mixed approach": ``def m(self, filterset, queryset,
    value)``; a callable ``method=`` takes (filterset, queryset, value) too (api/filters/field.md)."""

    def by_price(filterset, queryset, value):
        assert isinstance(filterset, FilterSet)
        return Q(price__gte=value)

    class ProductFilterSet(FilterSet):
        search = StringField(method="filter_search")
        expensive = IntegerField(method=by_price)

        def filter_search(self, filterset, queryset, value):
            assert filterset is self
            return Q(name__icontains=value) | Q(description__icontains=value)

    check(ProductFilterSet, "search=wireless", [LAPTOP, MOUSE])
    check(ProductFilterSet, "expensive=1000&search=t", [LAPTOP, WIDGET])
    with pytest.raises(ImproperlyConfigured, match="takes 1 arguments"):
        type("F", (FilterSet,), {"q": StringField(method="m"), "m": lambda self, value: Q()})


def test_filterset_inline_filterset(shop):
    """filterset.md, "InlineFilterSet": both examples, the arguments table, the ValueError."""
    ProductFilterSet = InlineFilterSet(model=Product, fields=["name", "price", "category"])
    assert ProductFilterSet.__name__ == f"{Product.__name__}FilterSet" and issubclass(ProductFilterSet, FilterSet)
    check(ProductFilterSet, "price=40", [GAME])
    ProductFilterSet = InlineFilterSet(
        model=Product,
        fields=["name", "price"],
        extra_kwargs={"name": {"lookups": ["icontains"]}, "price": {"min_value": 0}},
    )
    check(ProductFilterSet, "name__icontains=pro", [LAPTOP])
    assert rejected(ProductFilterSet, "price=-1") == {"price": ["Ensure this value is greater than or equal to 0."]}
    with pytest.raises(ValueError, match="model or fields"):
        InlineFilterSet()
    Typed = InlineFilterSet(
        name="Typed", fields={"price": int, "name": StringField(lookups=["istartswith"])},
        order_fields=[("price", "price")], default_order_fields=["-price"], order_param="sort",
        operator="OR", allow_negate=False, preprocessors=[lambda fs, qs: qs.exclude(name=WIDGET)],
        postprocessors=[lambda fs, qs: qs], override_order_direction="asc", order_field_labels=[("price", "Price")],
    )
    assert Typed.__name__ == "Typed" and "price!" not in params(Typed)
    check(Typed, "", [LAPTOP, GAME, MOUSE], ordered=True)
    check(Typed, "price=25&name__istartswith=board", [MOUSE, GAME])
    everything = InlineFilterSet(model=Product)
    assert "price" in everything.base_fields


def test_filterset_field_declaration_priority(shop):
    """filterset.md, "Field declaration priority": explicit > annotation > model field; extra_kwargs
    for an explicit field is ignored, as documented."""

    class ProductFilterSet(FilterSet):
        name = StringField(lookups=["icontains"])
        name: str

        class Meta:
            model = Product
            fields = ["name"]
            extra_kwargs = {"name": {"allow_negate": False}}

    assert params(ProductFilterSet) == ["name", "name__icontains", "name!", "name__icontains!"]
    check(ProductFilterSet, "name__icontains=widget", [WIDGET])


def exclude_deleted(filterset, queryset):
    return queryset.filter(deleted_at__isnull=True)


def apply_permissions(filterset, queryset):
    if filterset.request and not filterset.request.user.is_staff:
        return queryset.filter(status="published")
    return queryset


def apply_default_ordering(filterset, queryset):
    if not queryset.ordered:
        return queryset.order_by("-created_at")
    return queryset


def ensure_distinct(filterset, queryset):
    return queryset.distinct()


def test_filterset_meta_options_reference(shop):
    """filterset.md, "Meta options": the complete example, every option at once."""

    class ProductFilterSet(FilterSet):
        class Meta:
            model = Product
            fields = ["name", "price"]
            exclude = ["internal_id"]
            extra_kwargs = {
                "name": {"lookups": ["icontains", "istartswith"], "required": True, "min_length": 2,
                         "help_text": "Product name"},
                "price": {"lookups": ["comparison"], "min_value": 0, "max_value": 1000000},
            }
            operator = "AND"
            order_fields = [("name", "name"), ("price", "price"), ("created_at", "created_at")]
            default_order_fields = ["price"]
            order_param = "order_by"
            override_order_direction = "asc"
            order_field_labels = [("name", "Name"), ("price", "Price")]
            preprocessors = [exclude_deleted, apply_permissions]
            postprocessors = [apply_default_ordering, ensure_distinct]

    options = ProductFilterSet.get_options()
    assert (options.operator, options.order_param, options.default_order_fields) == ("AND", "order_by", ["price"])
    # Through the route the request is anonymous: apply_permissions keeps published rows only.
    response = through_route(ProductFilterSet, "name__icontains=t")
    assert [row["name"] for row in response.json()] == [WIDGET, LAPTOP]  # default ordering: price
    response = through_route(ProductFilterSet, "name__istartswith=t&order_by=-price")
    assert [row["name"] for row in response.json()] == [WIDGET]
    without_request = direct(ProductFilterSet, "name__icontains=o&order_by=-price")  # no permission filter
    assert [p.name for p in without_request] == [LAPTOP, MOUSE]
    assert rejected(ProductFilterSet, "price__gt=5") == {
        "name": ["One of these query parameters is required: name, name__icontains, name__istartswith."]
    }
    assert rejected(ProductFilterSet, "name=a")["name"] == ["Ensure this field has at least 2 characters."]


def test_filterset_meta_exclude_and_extra_kwargs(shop):
    """filterset.md, "Meta options > exclude" and "> extra_kwargs" (choices, filter_by, validators)."""

    def custom_validator(value):
        if value == 13:
            raise ValidationError("Unlucky.")

    class Excluding(FilterSet):
        class Meta:
            model = Product
            fields = "__all__"
            exclude = ["internal_id", "secret_key"]

    class Configured(FilterSet):
        class Meta:
            model = Product
            fields = ["name", "price", "category", "status"]
            extra_kwargs = {
                "name": {"lookups": ["icontains", "istartswith"], "min_length": 2, "max_length": 200,
                         "help_text": "Product name to search"},
                "price": {"lookups": ["comparison"], "min_value": 0, "max_value": 1000000,
                          "validators": [custom_validator]},
                "category": {"filter_by": "category__id", "required": False},
                "status": {"choices": [("draft", "Draft"), ("published", "Published")]},
            }

    assert "internal_id" not in Excluding.base_fields and "name" in Excluding.base_fields
    check(Configured, f"category={shop['laptops'].pk}&status=draft", [MOUSE])
    assert "status" in rejected(Configured, "status=archived")
    assert rejected(Configured, "price__gte=13") == {"price__gte": ["Unlucky."]}
    assert schema(Configured)["name"]["description"] == "Product name to search"
    with pytest.raises(ImproperlyConfigured, match="extra_kwargs names nope"):
        type("F", (FilterSet,), {"Meta": type("Meta", (), {"model": Product, "fields": ["name"],
                                                           "extra_kwargs": {"nope": {}}})})


def test_filterset_meta_options_fail_loudly():
    """filterset.md, "Meta options": a Meta holds any subset of the options; an unknown option, a
    bad operator or fields without a model fails at class definition instead of being ignored."""
    for meta, message in [
        ({"operater": "OR"}, "Meta.operater is not a FilterSet option"),
        ({"operator": "NAND"}, "Meta.operator is"),
        ({"fields": ["name"]}, "set Meta.model too"),
        ({"order_param": "sort"}, "needs Meta.order_fields"),
        ({"override_order_direction": "up", "order_fields": [("a", "a")]}, "override_order_direction"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            type("F", (FilterSet,), {"Meta": type("Meta", (), meta)})
    for option in ["operator", "preprocessors", "postprocessors", "allow_negate", "lookup_separator"]:
        value = {"operator": "OR", "allow_negate": False, "lookup_separator": "_"}.get(option, [])
        type("F", (FilterSet,), {"Meta": type("Meta", (), {option: value})})


@pytest.mark.parametrize(("operator", "query", "expected"), [
    ("AND", "is_new=true&is_refurbished=true", [GAME]),
    ("OR", "is_new=true&is_refurbished=true", [LAPTOP, MOUSE, GAME]),
    ("XOR", "is_new=true&is_refurbished=true", [LAPTOP, MOUSE]),
    ("or", "name=Laptop Pro&description=bluetooth mouse", [LAPTOP, MOUSE]),
])
def test_filterset_operators(shop, operator, query, expected):
    """filterset.md, "Meta options > operator" and "Operators > AND / OR / XOR". (The OR example's
    query uses ``__icontains`` parameters its annotations do not declare; they would be ignored,
    so this shows OR with the declared ones.)"""

    class ProductFilterSet(FilterSet):
        name: str
        description: str
        is_new: bool
        is_refurbished: bool

        class Meta:
            pass

    ProductFilterSet.Meta.operator = operator
    ProductFilterSet = type("ProductFilterSet", (FilterSet,), {
        "__annotations__": dict(ProductFilterSet.__annotations__), "Meta": ProductFilterSet.Meta})
    check(ProductFilterSet, query, expected)


def test_filterset_operator_with_custom_methods(shop):
    """filterset.md, "Operators > Operator with custom methods" and "Important caveats > Custom
    method caveat": a Q joins the OR; a queryset bypasses it (AND)."""

    class ProductFilterSet(FilterSet):
        in_stock = BooleanField(method="filter_in_stock")
        category: str

        class Meta:
            operator = "OR"

        def filter_in_stock(self, queryset, value):
            if value:
                return Q(inventory__gt=0)
            return Q()

    class Bypassing(ProductFilterSet):
        in_stock = BooleanField(method="filter_in_stock_wrong")

        def filter_in_stock_wrong(self, queryset, value):
            if value:
                return queryset.filter(inventory__gt=0)
            return queryset

    games = shop["games"].pk
    check(ProductFilterSet, f"in_stock=true&category={games}", [LAPTOP, GAME, WIDGET])
    check(Bypassing, f"in_stock=true&category={games}", [GAME])
    check(Bypassing, f"in_stock!=true&category={games}", [])  # "!" on a queryset: the rows it leaves out


def test_filterset_lookup_separator_and_allow_negate(shop):
    """filterset.md, "Meta options > allow_negate" and "> lookup_separator": Meta applies to model
    and annotated fields; a field's own value wins (field > Meta > "__")."""

    class ProductFilterSet(FilterSet):
        views: int
        title = StringField(lookups=["icontains"])
        sku = StringField(lookups=["iexact"], lookup_separator="-", allow_negate=False)

        class Meta:
            model = Product
            fields = ["price"]
            extra_kwargs = {"price": {"lookups": ["gte"]}}
            allow_negate = False
            lookup_separator = "_"

    assert params(ProductFilterSet) == [
        "price", "price_gte", "views", "title", "title_icontains", "title!", "title_icontains!", "sku", "sku-iexact",
    ]
    check(ProductFilterSet, "price_gte=1000&title_icontains=widget", [WIDGET])
    check(ProductFilterSet, "sku-iexact=bg-0003", [GAME])


def test_filterset_field_overview_imports():
    """filterset.md, "Field overview" and api/filters/field-types.md: every documented name imports."""
    import restflow.filters as filters

    for name in ["StringField", "IntegerField", "FloatField", "BooleanField", "DecimalField", "DateField",
                 "DateTimeField", "TimeField", "DurationField", "ChoiceField", "MultipleChoiceField", "ListField",
                 "OrderField", "RelatedField", "EmailField", "IPAddressField", "Field", "Email", "IPAddress",
                 "FilterSet", "InlineFilterSet", "RestflowFilterBackend"]:
        assert name in filters.__all__ and getattr(filters, name)


def test_filterset_using_the_backend_on_a_sync_view(shop):
    """filterset.md, "Using FilterSets > Through RestflowFilterBackend" (integration.md "Setup")."""
    client = APIClient()
    assert sorted(row["name"] for row in client.get("/setup/?price__gte=1000").json()) == [LAPTOP, WIDGET]
    assert client.get("/setup/?price__gte=x").json() == {"price__gte": ["A valid integer is required."]}
    assert [row["name"] for row in client.get("/setup/?name!=Laptop Pro&price__lt=1000").json()] == [MOUSE, GAME]


def test_filterset_manual_filter_queryset(shop):
    """filterset.md, "Using FilterSets > Manual filter_queryset": ``FilterSet(request=...)`` reads the
    request's query parameters (a DRF Request or a Django HttpRequest)."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups=["gte"])

    django_request = APIRequestFactory().get("/products/", {"price__gte": "1000"})
    for request in (Request(django_request), django_request):
        filterset = ProductFilterSet(request=request)
        assert filterset.is_valid()
        assert sorted(p.name for p in filterset.filter_queryset(Product.objects.all())) == [LAPTOP, WIDGET]
    bad = ProductFilterSet(request=Request(APIRequestFactory().get("/", {"price__gte": "x"})))
    assert not bad.is_valid() and bad.errors == {"price__gte": ["A valid integer is required."]}


def test_filterset_ignore_dictionary_data_and_accessing_data(shop):
    """filterset.md, "filter_queryset() with ignore", "From a dictionary", "Accessing data"."""

    class ProductFilterSet(FilterSet):
        name = StringField(lookups=["icontains"])
        price = IntegerField(lookups=["gte"])
        search = StringField(method="filter_search")
        trending = BooleanField(filter_by="is_featured")

        def filter_search(self, queryset, value):
            return Q(description__icontains=value)

    data = {"name__icontains": "laptop", "price__gte": 100, "search": "nothing-matches", "trending": "true"}
    filterset = ProductFilterSet(data=data)
    filtered_qs = filterset.filter_queryset(Product.objects.all(), ignore=["search", "trending"])
    assert [p.name for p in filtered_qs] == [LAPTOP]
    assert list(filterset.filter_queryset(Product.objects.all())) == []
    assert filterset.is_valid()
    assert filterset.validated_data == {"name__icontains": "laptop", "price__gte": 100, "search": "nothing-matches",
                                        "trending": True}
    assert filterset.model_dump() == filterset.validated_data
    invalid = ProductFilterSet(data={"price__gte": "abc"})
    assert not invalid.is_valid() and invalid.errors == {"price__gte": ["A valid integer is required."]}
    with pytest.raises(ValidationError):
        invalid.model_dump()


def test_filterset_ordering(shop):
    """filterset.md, "Ordering": order_param, several terms, labels; an annotated ordering value
    (("review_count", "reviews")) orders by the preprocessor's annotation."""

    class ProductFilterSet(FilterSet):
        name: str
        price: int

        class Meta:
            preprocessors = [add_annotations]
            order_param = "sort_by"
            order_fields = [("name", "name"), ("price", "price"), ("created_at", "created_at"),
                            ("review_count", "reviews")]
            default_order_fields = ["price"]
            order_field_labels = [("name", "Item Name")]
            override_order_direction = "asc"

    check(ProductFilterSet, "sort_by=name", sorted(EVERY), ordered=True)
    check(ProductFilterSet, "sort_by=-price", [LAPTOP, WIDGET, GAME, MOUSE], ordered=True)
    check(ProductFilterSet, "sort_by=name,-created_at", sorted(EVERY), ordered=True)
    check(ProductFilterSet, "", [MOUSE, GAME, WIDGET, LAPTOP], ordered=True)
    check(ProductFilterSet, "sort_by=-review_count,name", [WIDGET, LAPTOP, MOUSE, GAME], ordered=True)
    enum = schema(ProductFilterSet)["sort_by"]["schema"]["items"]["enum"]
    assert {"name", "-name", "review_count", "-review_count"} <= set(enum)
    assert "Item Name" in schema(ProductFilterSet)["sort_by"]["description"]


def test_filterset_ordering_direction_explicit_field_and_defaults(shop):
    """filterset.md, "Ordering > override_order_direction", "> Explicit OrderField", "> Default
    ordering with a postprocessor"; the first release's ``override_order_dir`` spelling, its
    (label, value) labels, and the default ``order_by`` parameter name."""

    class Reversed(FilterSet):
        class Meta:
            order_fields = [("name", "name"), ("price", "price")]
            override_order_direction = "desc"

    class FirstRelease(FilterSet):
        class Meta:
            order_fields = [("name", "name"), ("price", "price")]
            override_order_dir = "desc"
            order_field_labels = [("Item Name", "name")]

    class Explicit(FilterSet):
        ordering = OrderField(fields=[("name", "name"), ("price", "price")])

    class Defaults(FilterSet):
        class Meta:
            default_order_fields = ["price"]
            order_fields = [("name", "name"), ("created_at", "created_at")]
            postprocessors = [apply_default_ordering]

    for filterset_class in (Reversed, FirstRelease):
        check(filterset_class, "order_by=name", sorted(EVERY, reverse=True), ordered=True)
        check(filterset_class, "order_by=-price", [MOUSE, GAME, WIDGET, LAPTOP], ordered=True)
    assert FirstRelease.base_fields["order_by"].labels == {"name": "Item Name"}
    check(Explicit, "ordering=-price", [LAPTOP, WIDGET, GAME, MOUSE], ordered=True)
    check(Defaults, "", [MOUSE, GAME, WIDGET, LAPTOP], ordered=True)
    check(Defaults, "order_by=-created_at", [WIDGET, GAME, LAPTOP, MOUSE], ordered=True)


def test_filterset_preprocessors(shop, django_user_model):
    """filterset.md, "Preprocessors": basic, several in order, annotations, request-based,
    conditional optimization."""

    def optimize_queries(filterset, queryset):
        return queryset.select_related("category").prefetch_related("tags")

    def tenant_isolation(filterset, queryset):
        if not filterset.request or not filterset.request.user.is_authenticated:
            return queryset.none()
        tenant = filterset.request.user.tenant
        return queryset.filter(tenant=tenant)

    def smart_optimization(filterset, queryset):
        queryset = queryset.select_related("category", "brand")
        if "tags" in filterset.data:
            queryset = queryset.prefetch_related("tags")
        if filterset.request and "reviews" in filterset.request.query_params:
            queryset = queryset.prefetch_related("reviews")
        return queryset

    class Basic(FilterSet):
        name: str

        class Meta:
            preprocessors = [exclude_deleted]

    class Several(FilterSet):
        class Meta:
            preprocessors = [exclude_deleted, apply_permissions, optimize_queries]

    class Annotated(FilterSet):
        min_reviews = IntegerField(method="filter_min_reviews")
        min_rating = FloatField(method="filter_min_rating")

        class Meta:
            preprocessors = [add_annotations]

        def filter_min_reviews(self, queryset, value):
            return Q(review_count__gte=value)

        def filter_min_rating(self, queryset, value):
            return Q(avg_rating__gte=value)

    class Tenants(FilterSet):
        class Meta:
            preprocessors = [tenant_isolation]

    class Smart(FilterSet):
        tags: List[int]  # noqa: UP006

        class Meta:
            preprocessors = [smart_optimization]

    check(Basic, "", [LAPTOP, MOUSE, WIDGET])
    check(Basic, f"name={GAME}", [])
    assert sorted(p.name for p in direct(Several, "")) == sorted([LAPTOP, MOUSE, WIDGET])  # no request: no permission filter
    assert sorted(r["name"] for r in through_route(Several, "").json()) == [LAPTOP, WIDGET]  # anonymous
    staff = django_user_model.objects.create(username="staff", is_staff=True)
    client = APIClient()
    client.force_authenticate(staff)
    assert len(client.get(f"/fs/{register(Several)}/products/").json()) == 3
    check(Annotated, "min_reviews=1&min_rating=3", [LAPTOP, MOUSE])
    assert through_route(Tenants, "").json() == []
    check(Smart, f"tags={shop['wireless'].pk}", [LAPTOP, MOUSE])


def test_filterset_postprocessors(shop, caplog):
    """filterset.md, "Postprocessors": basic, ensure distinct, audit logging, performance monitoring
    (which runs a query: through the async viewset it runs off the event loop)."""
    logger = logging.getLogger("restflow.tests.audit")

    def log_filter_usage(filterset, queryset):
        if filterset.request:
            user = getattr(filterset.request.user, "username", "anonymous")
            filters = dict(filterset.data)
            logger.info("User %s filtered: %s", user, filters)
        return queryset

    def monitor_performance(filterset, queryset):
        start = datetime.datetime.now()
        count = queryset.count()
        if (datetime.datetime.now() - start).total_seconds() > 1.0:
            logger.warning("Slow query: %s results. Filters: %s", count, dict(filterset.data))
        filterset.counted = count
        return queryset

    class Distinct(FilterSet):
        tags: List[int]  # noqa: UP006

        class Meta:
            postprocessors = [apply_default_ordering, ensure_distinct]

    class Audited(FilterSet):
        price: int

        class Meta:
            postprocessors = [log_filter_usage, monitor_performance]

    both = f"tags={shop['wireless'].pk},{shop['gaming'].pk}"
    check(Distinct, both, [LAPTOP, MOUSE, GAME])
    with caplog.at_level(logging.INFO, logger="restflow.tests.audit"):
        check(Audited, "price=40", [GAME])
    assert "filtered: {'price': ['40']}" in caplog.text


def test_filterset_validation(shop):
    """filterset.md, "Validation": automatic, field-level (with Django's MinValueValidator: the
    guide imports it from rest_framework.validators, which has none), FilterSet-level validate(),
    custom validators."""
    from django.core.validators import MinValueValidator

    class FieldLevel(FilterSet):
        price = IntegerField(min_value=0, max_value=1_000_000, validators=[MinValueValidator(0)])

    class CrossField(FilterSet):
        min_price = IntegerField(filter_by="price__gte")
        max_price = IntegerField(filter_by="price__lte")

        def validate(self, data):
            if "min_price" in data and "max_price" in data:
                if data["min_price"] > data["max_price"]:
                    raise ValidationError({"max_price": "Must be greater than min_price"})
            return data

    # As in DRF, min_value and the explicit validator each report.
    assert set(rejected(FieldLevel, "price=-10")["price"]) == {"Ensure this value is greater than or equal to 0."}
    assert rejected(CrossField, "min_price=1000&max_price=500") == {"max_price": ["Must be greater than min_price"]}
    check(CrossField, "min_price=30&max_price=1000", [GAME, WIDGET])


@pytest.fixture
async def closes_thread_connections():
    """Close the ORM thread's connections so the PostgreSQL test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_filterset_async_support(shop, closes_thread_connections):
    """filterset.md, "Async support": afilter_queryset from async code; async and sync callables
    mixed; sync callables run off the event loop; validation is safe on the loop. (The guide's
    ``queryset.aiter()`` is not a QuerySet method: ``async for`` is.)"""
    calls = []

    def some_blocking_lookup(queryset):
        calls.append(Product.objects.count())  # the sync ORM: only legal off the event loop
        return queryset

    async def attach_inventory(filterset, queryset):
        return await sync_to_async(some_blocking_lookup)(queryset)

    def fast_sync_filter(filterset, queryset):
        calls.append(Product.objects.filter(deleted_at__isnull=False).count())
        return queryset.filter(deleted_at__isnull=True)

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups=["gte", "lte"])
        in_stock = BooleanField(method="filter_in_stock")

        class Meta:
            preprocessors = [fast_sync_filter, attach_inventory]

        async def filter_in_stock(self, queryset, value):
            if value:
                return Q(inventory__gt=0)
            return Q()

    request = Request(APIRequestFactory().get("/", {"price__gte": "30", "in_stock": "true"}))
    filterset = ProductFilterSet(request=request)
    assert filterset.is_valid() and filterset.model_dump() == {"price__gte": 30, "in_stock": True}
    queryset = await filterset.afilter_queryset(Product.objects.all())
    assert sorted([p.name async for p in queryset]) == [LAPTOP, WIDGET]
    assert calls == [1, 4]

    class AsyncOnly(FilterSet):
        in_stock = BooleanField(method="filter_in_stock")
        filter_in_stock = ProductFilterSet.filter_in_stock

    with pytest.raises(TypeError, match="afilter_queryset"):
        AsyncOnly(data={"in_stock": "true"}).filter_queryset(Product.objects.all())


def test_filterset_sync_entry_point_runs_async_methods_off_the_loop(shop):
    """filterset.md, "Sync entry point and async callables": where no event loop runs (a sync DRF
    view), restflow runs the async method to completion instead of refusing (ours)."""

    class ProductFilterSet(FilterSet):
        in_stock = BooleanField(method="filter_in_stock")

        async def filter_in_stock(self, queryset, value):
            return Q(inventory__gt=0)

    check(ProductFilterSet, "in_stock=true", [LAPTOP, GAME, WIDGET])


@postgres_only
def test_filterset_search_vector_in_a_preprocessor(shop):
    """filterset.md, "PostgreSQL features > Search vector in a preprocessor" (on name and
    description: the guide's "tags" is a many-to-many relation here)."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    def add_search_vector(filterset, queryset):
        if "search" in filterset.data:
            return queryset.annotate(search_vector=SearchVector("name", "description"))
        return queryset

    class ProductFilterSet(FilterSet):
        search = StringField(method="filter_search")

        class Meta:
            preprocessors = [add_search_vector]

        def filter_search(self, queryset, value):
            return queryset.filter(search_vector=SearchQuery(value))

    check(ProductFilterSet, "search=family", [GAME])


def test_filterset_caveats(shop):
    """filterset.md, "Important caveats": annotate once in a preprocessor, check request before
    reading it, return the queryset from a processor (None is refused with a clear TypeError)."""

    def user_filter(filterset, queryset):
        if not filterset.request:
            return queryset
        return queryset.filter(is_featured=True)

    def my_processor(filterset, queryset):
        queryset.filter(in_stock=True)

    class Annotated(FilterSet):
        min_reviews = IntegerField(method="filter_min_reviews")

        class Meta:
            preprocessors = [add_annotations, user_filter]

        def filter_min_reviews(self, queryset, value):
            return Q(review_count__gte=value)

    class Forgetful(FilterSet):
        class Meta:
            postprocessors = [my_processor]

    check(Annotated, "min_reviews=2", [LAPTOP, WIDGET])
    with pytest.raises(TypeError, match="my_processor returned NoneType"):
        Forgetful(data={}).filter_queryset(Product.objects.all())


# ---------------------------------------------------------------------------------------------
# guide/filtering/integration.md
# ---------------------------------------------------------------------------------------------


def test_integration_spec_page_viewset_on_default_router(shop):
    """integration.md, "Setup", as the viewsets spec page wires it: ``filterset_class`` on a restflow
    viewset registered with DefaultRouter."""
    client = APIClient()
    assert [row["name"] for row in client.get("/catalog/?price__lt=1000&name!=Board Game").json()] == [MOUSE]
    assert client.get("/catalog/?price__lt=cheap").status_code == 400
    assert client.get(f"/catalog/{shop[GAME].pk}/").json()["name"] == GAME


def test_integration_globally_enabling_the_backend(shop):
    """integration.md, "Globally enabling the backend": the dotted path imports, and a view without
    filterset_class passes through unchanged."""
    from rest_framework.settings import perform_import

    backend_class = perform_import("restflow.filters.RestflowFilterBackend", "DEFAULT_FILTER_BACKENDS")
    assert backend_class is RestflowFilterBackend
    queryset = Product.objects.all()
    request = Request(APIRequestFactory().get("/", {"price": "1"}))
    assert backend_class().filter_queryset(request, queryset, object()) is queryset


def test_integration_dynamic_filtersets(shop, django_user_model):
    """integration.md, "Dynamic FilterSets": the view's get_filterset_class() and get_filterset()."""
    client = APIClient()
    assert len(client.get("/dynamic/?internal_id=INT-1").json()) == 4  # public: internal_id unknown
    client.force_authenticate(django_user_model.objects.create(username="boss", is_staff=True))
    assert [row["name"] for row in client.get("/dynamic/?internal_id=INT-1").json()] == [LAPTOP]

    class FixedView:
        def get_filterset(self, filterset_class):
            return filterset_class(data={"name": GAME})

        def get_filterset_class(self):
            return AnnotatedProductFilterSet

    request = Request(APIRequestFactory().get("/", {"name": LAPTOP}))
    filtered = RestflowFilterBackend().filter_queryset(request, Product.objects.all(), FixedView())
    assert [p.name for p in filtered] == [GAME]


def test_integration_openapi_generated_parameters():
    """integration.md, "OpenAPI / schema generation": the table of generated parameters."""

    class ProductFilterSet(FilterSet):
        name: str
        price = IntegerField(lookups=["comparison"])
        status: Literal["a", "b"]
        tags: list[str]

    parameters = schema(ProductFilterSet)
    assert set(parameters) == {
        "name", "name!", "price", "price__gt", "price__gte", "price__lt", "price__lte", "price!", "price__gt!",
        "price__gte!", "price__lt!", "price__lte!", "status", "status!", "tags", "tags!",
    }
    assert parameters["status"]["schema"] == {"type": "string", "enum": ["a", "b"]}
    assert parameters["tags"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert parameters["tags"]["explode"] is True


def test_integration_openapi_type_mapping():
    """integration.md, "OpenAPI / schema generation > Type mapping"."""

    class ProductFilterSet(FilterSet):
        count = IntegerField(min_value=1, max_value=9)
        ratio = FloatField()
        amount = DecimalField()
        flag = BooleanField()
        text = StringField(min_length=2, max_length=5)
        email = EmailField()
        day = DateField()
        moment = DateTimeField()
        clock = TimeField()
        span = DurationField()
        status = ChoiceField(["x", "y"])
        ids = ListField(child=IntegerField(min_value=0, max_value=5))
        ordering = OrderField(fields=[("name", "name")])

    got = {name: parameter["schema"] for name, parameter in schema(ProductFilterSet).items()}
    assert got["count"] == {"type": "integer", "minimum": 1, "maximum": 9}
    assert got["ratio"] == {"type": "number", "format": "float"}
    assert got["amount"] == {"type": "string", "format": "decimal", "x-maxDigits": 40, "x-decimalPlaces": 20}
    assert got["flag"] == {"type": "boolean"}
    assert got["text"] == {"type": "string", "minLength": 2, "maxLength": 5}
    assert got["email"] == {"type": "string", "format": "email"}
    assert (got["day"], got["moment"], got["clock"]) == (
        {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"},
        {"type": "string", "format": "time"})
    assert got["span"] == {"type": "string", "format": "duration"}
    assert got["status"] == {"type": "string", "enum": ["x", "y"]}
    assert got["ids"] == {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 5}}
    assert got["ordering"] == {"type": "array", "items": {"type": "string", "enum": ["name", "-name"]}}


def test_integration_openapi_descriptions():
    """integration.md, "OpenAPI / schema generation > Descriptions": generated hints; help_text wins."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups=["gte"])
        name = StringField(help_text="Filter by product name (case-insensitive)")

    described = {name: parameter["description"] for name, parameter in schema(ProductFilterSet).items()}
    assert described["price__gte"] == "price is greater than or equal to"
    assert described["price!"] == "exclude where price"
    assert described["price__gte!"] == "exclude where price is greater than or equal to"
    assert described["name"] == "Filter by product name (case-insensitive)"


def test_integration_openapi_through_drf_spectacular():
    """integration.md, "OpenAPI / schema generation": drf-spectacular lists every parameter,
    negated forms included, for the sync view and the router's viewset."""
    from drf_spectacular.generators import SchemaGenerator

    generated = SchemaGenerator(urlconf="tests.support.doc_filtering_urls").get_schema(request=None, public=True)
    for path in ["/setup/", "/catalog/"]:
        names = {parameter["name"] for parameter in generated["paths"][path]["get"]["parameters"]}
        assert {"name", "name!", "price", "price__gte", "price__gte!"} <= names, path


def test_integration_plain_apiview(shop):
    """integration.md, "Plain APIView": an AsyncAPIView applying the FilterSet in its handler; its
    ``filterset_class`` gives the schema its parameters."""
    from drf_spectacular.generators import SchemaGenerator

    assert APIClient().get("/search/?name__icontains=GAME").json() == [GAME]
    generated = SchemaGenerator(urlconf="tests.support.doc_filtering_urls").get_schema(request=None, public=True)
    names = {parameter["name"] for parameter in generated["paths"]["/search/"]["get"]["parameters"]}
    assert names == {"name", "name__icontains", "name!", "name__icontains!"}


def test_integration_django_filter_filtersets_are_left_to_django_filter():
    """Ours: a django-filter FilterSet in ``filterset_class`` is django-filter's when its backend is
    in filter_backends, and refused (not silently ignored) when it is not."""
    import django_filters
    from django_filters.rest_framework import DjangoFilterBackend

    class TheirFilterSet(django_filters.FilterSet):
        class Meta:
            model = Product
            fields = ["name"]

    beside = type("View", (), {"filterset_class": TheirFilterSet,
                               "filter_backends": [DjangoFilterBackend, RestflowFilterBackend]})()
    alone = type("View", (), {"filterset_class": TheirFilterSet, "filter_backends": [RestflowFilterBackend]})()
    assert RestflowFilterBackend().get_filterset_class(beside) is None
    with pytest.raises(ImproperlyConfigured, match="not a restflow FilterSet"):
        RestflowFilterBackend().get_filterset_class(alone)


# ---------------------------------------------------------------------------------------------
# api/filters/*.md
# ---------------------------------------------------------------------------------------------


def test_api_field_members(shop):
    """api/filters/field.md: Field.apply_filter, clone, get_method."""

    class ProductFilterSet(FilterSet):
        price = IntegerField(lookups=["gte"])
        search = StringField(method="filter_search")

        def filter_search(self, queryset, value):
            return queryset.filter(name__icontains=value)

    filterset = ProductFilterSet(data={})
    queryset = Product.objects.all()
    price, search = ProductFilterSet.base_fields["price"], ProductFilterSet.base_fields["search"]
    assert price.apply_filter(filterset, queryset, 25) == (queryset, Q(price=25))
    narrowed, q = search.apply_filter(filterset, queryset, "game")
    assert q is None and [p.name for p in narrowed] == [GAME]
    assert search.get_method(filterset) == filterset.filter_search
    clone = price.clone(lookups=["lt"])
    assert type(clone) is IntegerField and clone.lookups == [("lt", "lt", None)]


def test_api_filterset_members():
    """api/filters/filterset.md: model_dump, filter_queryset, get_options."""

    class ProductFilterSet(FilterSet):
        price: int

        class Meta:
            operator = "OR"

    assert ProductFilterSet(data={"price": "3"}).model_dump() == {"price": 3}
    assert ProductFilterSet(data={}).get_options().operator == "OR"
    assert ProductFilterSet.get_options().order_param == "order_by"


def test_api_backend_members(shop):
    """api/filters/backend.md: get_filterset_class, get_filterset, filter_queryset,
    get_schema_operation_parameters."""
    view = type("View", (), {"filterset_class": AnnotatedProductFilterSet})()
    backend = RestflowFilterBackend()
    request = Request(APIRequestFactory().get("/", {"price": "40"}))
    assert backend.get_filterset_class(view) is AnnotatedProductFilterSet
    assert isinstance(backend.get_filterset(request, Product.objects.all(), view), AnnotatedProductFilterSet)
    assert [p.name for p in backend.filter_queryset(request, Product.objects.all(), view)] == [GAME]
    assert {"price", "price!", "tags"} <= {p["name"] for p in backend.get_schema_operation_parameters(view)}
