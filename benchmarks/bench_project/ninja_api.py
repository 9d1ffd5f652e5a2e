"""The django-ninja contender: async operations, pydantic schemas, a page-number paginator of ninja's kind.

It answers the benchmark's requests with the JSON the other contenders give:

- ninja's own ``PageNumberPagination`` answers ``{"items", "count"}``, so ``DRFStylePages``
  (a ninja pagination class, through ninja's ``@paginate``) answers DRF's
  ``{"count", "next", "previous", "results"}``;
- ninja renders a Decimal with ``str`` ("0" for a new product's rating) and a datetime
  in UTC to the millisecond, where DRF gives "0.00" and the current time zone to the
  microsecond: ``ProductOut`` formats those two fields as DRF does, the same per-row
  work DRF's serializer and the hand-written view do;
- ninja answers invalid input with 422 and a list of errors: this API answers 400 with
  ``{field: [messages]}``, DRF's shape (the messages are pydantic's own).

Needs django-ninja 1.6 or later (the ``bench`` extra); ``urls.py`` mounts it only when installed.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.shortcuts import aget_object_or_404
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.pagination import AsyncPaginationBase, paginate
from pydantic import PlainSerializer

from tests.support.testapp.models import Product

from .pages import page_link
from .serializers import created_text, rating_text
from .views import MAX_PAGE_SIZE, PAGE_SIZE, PING


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    price: int
    rating: Annotated[Decimal, PlainSerializer(rating_text)]
    in_stock: bool
    status: str
    category: int | None = Field(None, validation_alias="category_id")  # the key, not the related row
    created: Annotated[datetime, PlainSerializer(created_text)]


class ProductIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    sku: str = Field(min_length=1, max_length=50)
    price: int = 0


class DRFStylePages(AsyncPaginationBase):
    """``?page=`` and ``?page_size=`` (at most MAX_PAGE_SIZE), answered in DRF's page shape."""

    class Input(Schema):
        page: int = 1
        page_size: int = Field(PAGE_SIZE, ge=1)

    class Output(Schema):
        count: int
        next: str | None
        previous: str | None
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        raise TypeError("DRFStylePages pages async operations only")

    async def apaginate_queryset(self, queryset, pagination, request, **params):
        size = min(pagination.page_size, MAX_PAGE_SIZE)
        page = pagination.page
        count = await queryset.acount()
        pages = max(1, -(-count // size))
        if not 1 <= page <= pages:
            raise HttpError(404, "Invalid page.")
        start = (page - 1) * size
        return {
            "count": count,
            "next": page_link(request, page + 1 if page < pages else None),
            "previous": page_link(request, page - 1 if page > 1 else None),
            "results": [product async for product in queryset[start : start + size]],
        }


router = Router()


@router.get("/", response=list[ProductOut])
@paginate(DRFStylePages)
async def list_products(request):
    return Product.objects.all()


@router.post("/", response={201: ProductOut, 400: dict[str, list[str]]})
async def create_product(request, payload: ProductIn):
    if await Product.objects.filter(sku=payload.sku).aexists():
        return Status(400, {"sku": ["product with this sku already exists."]})
    return Status(201, await Product.objects.acreate(**payload.model_dump()))


@router.get("/ping/")
async def ping(request):
    return PING


@router.get("/{int:pk}/", response=ProductOut)
async def retrieve_product(request, pk: int):
    return await aget_object_or_404(Product, pk=pk)


api = NinjaAPI(urls_namespace="ninja-bench", docs_url=None)
api.add_router("/products/", router)


@api.exception_handler(ValidationError)
def invalid_input(request, exc):
    """400 and ``{field: [messages]}``, as DRF answers, instead of ninja's 422 and a list."""
    errors = {}
    for error in exc.errors:
        errors.setdefault(str(error["loc"][-1]), []).append(error["msg"])
    return api.create_response(request, errors, status=400)
