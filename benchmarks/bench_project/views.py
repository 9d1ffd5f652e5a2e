"""restflow's viewset, DRF's viewset and hand-written async views (the ninja contender: ninja_api.py)."""

import json

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import pagination, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import restflow.pagination
from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product

from .pages import page_link
from .serializers import ProductSerializer, product_dict

PAGE_SIZE = 20
MAX_PAGE_SIZE = 500
PING = {"status": "ok", "service": "products"}


class DRFPagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class RestflowPagination(restflow.pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class RestflowProductViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = RestflowPagination

    @action(detail=False)
    async def ping(self, request):
        return Response(PING)


class DRFProductViewSet(viewsets.ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    pagination_class = DRFPagination

    @action(detail=False)
    def ping(self, request):
        return Response(PING)


# Hand-written async views: the same queries and the same JSON, no framework.


async def _products(request):
    try:
        page = int(request.GET.get("page", 1))
        size = min(int(request.GET.get("page_size", PAGE_SIZE)), MAX_PAGE_SIZE)
    except ValueError:
        return JsonResponse({"detail": "Invalid page."}, status=404)
    queryset = Product.objects.all()
    count = await queryset.acount()
    pages = max(1, -(-count // size))
    if size < 1 or page < 1 or page > pages:
        return JsonResponse({"detail": "Invalid page."}, status=404)
    start = (page - 1) * size
    rows = [product_dict(product) async for product in queryset[start : start + size]]
    return JsonResponse({
        "count": count,
        "next": page_link(request, page + 1 if page < pages else None),
        "previous": page_link(request, page - 1 if page > 1 else None),
        "results": rows,
    })


async def _create(request):
    try:
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "JSON parse error"}, status=400)
    errors = {}
    name, sku, price = data.get("name"), data.get("sku"), data.get("price", 0)
    if not isinstance(name, str) or not name or len(name) > 200:
        errors["name"] = ["A name of at most 200 characters is required."]
    if not isinstance(sku, str) or not sku or len(sku) > 50:
        errors["sku"] = ["A sku of at most 50 characters is required."]
    elif await Product.objects.filter(sku=sku).aexists():
        errors["sku"] = ["product with this sku already exists."]
    if not isinstance(price, int):
        errors["price"] = ["A valid integer is required."]
    if errors:
        return JsonResponse(errors, status=400)
    product = await Product.objects.acreate(name=name, sku=sku, price=price)
    return JsonResponse(product_dict(product), status=201)


@csrf_exempt
async def plain_products(request):
    if request.method == "GET":
        return await _products(request)
    if request.method == "POST":
        return await _create(request)
    return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)


async def plain_product(request, pk):
    try:
        product = await Product.objects.aget(pk=pk)
    except (Product.DoesNotExist, ValueError):
        raise Http404("No Product matches the given query.")
    return JsonResponse(product_dict(product))


async def plain_ping(request):
    return JsonResponse(PING)
