"""A DRF viewset moved onto AsyncModelViewSet keeps the meaning of the view methods it overrides.

Each case is one override written for DRF (``get_object``, ``filter_queryset``,
``check_permissions`` ...). The same class body is put on DRF's ``ModelViewSet`` and on
restflow's ``AsyncModelViewSet``; both answer the same request, and DRF's answer is the oracle.
An override that restflow skipped would answer differently (a denied request allowed, rows
that the override filters out listed).
"""

import base64

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from restflow.views import AsyncModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer

pytestmark = pytest.mark.django_db(transaction=True)

factory = APIRequestFactory()


class Pages(PageNumberPagination):
    page_size = 2


class Body:
    """What both viewsets share: the class body a DRF project would have written."""

    queryset = Product.objects.order_by("id")
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]
    pagination_class = Pages


class GetObject:
    def get_object(self):
        obj = super().get_object()
        if obj.is_archived:
            raise PermissionDenied("Archived products are closed.")
        return obj


class FilterQueryset:
    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).filter(is_archived=False)


class PaginateQueryset:
    def paginate_queryset(self, queryset):
        if self.request.query_params.get("all"):
            return None
        return super().paginate_queryset(queryset)


class CheckPermissions:
    def check_permissions(self, request):
        super().check_permissions(request)
        if request.query_params.get("deny"):
            raise PermissionDenied("Denied by check_permissions.")


class CheckObjectPermissions:
    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if obj.is_archived:
            raise PermissionDenied("Denied by check_object_permissions.")


class CheckThrottles:
    def check_throttles(self, request):
        if request.query_params.get("slow"):
            raise Throttled(wait=7)
        super().check_throttles(request)


class InitialQueries:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not Product.objects.filter(is_archived=False).exists():
            raise PermissionDenied("Nothing open.")


class PerformAuthentication:
    def perform_authentication(self, request):
        """Lazy authentication: credentials are read only when a handler asks for the user."""


class GetSerializer:
    def get_serializer(self, *args, **kwargs):
        kwargs["context"] = self.get_serializer_context()
        return self.get_serializer_class()(*args, **kwargs)


class ReturnsSuper:
    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True  # PUT as PATCH
        return super().update(request, *args, **kwargs)


def viewsets_with(override):
    """The DRF viewset and the restflow viewset with ``override`` in their class body."""
    drf = type(f"Drf{override.__name__}", (override, Body, viewsets.ModelViewSet), {"__module__": __name__})
    ours = type(f"Async{override.__name__}", (override, Body, AsyncModelViewSet), {"__module__": __name__})
    return drf, ours


async def answers(override, actions, method, path="/", data=None, headers=None, **kwargs):
    """(status, data, Retry-After) from DRF's viewset and from restflow's, for one request each."""
    drf, ours = viewsets_with(override)
    results = []
    for viewset, call in ((drf, sync_to_async), (ours, lambda view: view)):
        request = getattr(factory, method)(path, data, format="json", **(headers or {}))
        response = await call(viewset.as_view(actions))(request, **kwargs)
        results.append((response.status_code, response.data, response.get("Retry-After")))
    return results


@pytest.fixture
async def products():
    open_one = await Product.objects.acreate(name="Open", sku="O-1", price=1)
    archived = await Product.objects.acreate(name="Archived", sku="A-1", price=2, is_archived=True)
    third = await Product.objects.acreate(name="Third", sku="T-1", price=3)
    return open_one, archived, third


@pytest.mark.parametrize(
    ("actions", "method"),
    [({"get": "retrieve"}, "get"), ({"patch": "partial_update"}, "patch"), ({"delete": "destroy"}, "delete")],
)
async def test_get_object_override_decides_retrieve_update_destroy(products, actions, method):
    _, archived, _ = products
    drf, ours = await answers(GetObject, actions, method, data={"price": 9}, pk=archived.pk)
    assert drf[0] == 403
    assert ours == drf
    assert await Product.objects.filter(pk=archived.pk, price=2).aexists()


@pytest.mark.parametrize(("actions", "by_pk"), [({"get": "list"}, False), ({"get": "retrieve"}, True)])
async def test_filter_queryset_override_filters_list_and_lookup(products, actions, by_pk):
    _, archived, _ = products
    drf, ours = await answers(FilterQueryset, actions, "get", **({"pk": archived.pk} if by_pk else {}))
    assert drf[0] == (404 if by_pk else 200)
    assert ours == drf


async def test_paginate_queryset_override_decides_pagination(products):
    drf, ours = await answers(PaginateQueryset, {"get": "list"}, "get", path="/?all=1")
    assert isinstance(drf[1], list) and len(drf[1]) == 3
    assert ours == drf
    drf, ours = await answers(PaginateQueryset, {"get": "list"}, "get")
    assert drf[1]["count"] == 3
    assert ours == drf


async def test_check_permissions_override_decides(products):
    drf, ours = await answers(CheckPermissions, {"get": "list"}, "get", path="/?deny=1")
    assert drf[0] == 403
    assert ours == drf


@pytest.mark.parametrize(("actions", "method"), [({"get": "retrieve"}, "get"), ({"delete": "destroy"}, "delete")])
async def test_check_object_permissions_override_decides(products, actions, method):
    _, archived, _ = products
    drf, ours = await answers(CheckObjectPermissions, actions, method, pk=archived.pk)
    assert drf[0] == 403
    assert ours == drf
    assert await Product.objects.filter(pk=archived.pk).aexists()


async def test_check_throttles_override_decides(products):
    drf, ours = await answers(CheckThrottles, {"get": "list"}, "get", path="/?slow=1")
    assert (drf[0], drf[2]) == (429, "7")
    assert ours == drf


async def test_initial_override_that_queries(products):
    drf, ours = await answers(InitialQueries, {"get": "list"}, "get")
    assert drf[0] == 200
    assert ours == drf
    await Product.objects.filter(is_archived=False).aupdate(is_archived=True)
    drf, ours = await answers(InitialQueries, {"get": "list"}, "get")
    assert drf[0] == 403
    assert ours == drf


async def test_perform_authentication_override_keeps_authentication_lazy(products):
    """Bad credentials on a view that never reads the user: DRF's lazy override answers 200."""
    headers = {"HTTP_AUTHORIZATION": "Basic bm9ib2R5Om5vcGU="}  # nobody:nope
    drf, ours = await answers(PerformAuthentication, {"get": "list"}, "get", headers=headers)
    assert drf[0] == 200
    assert ours == drf


class LazyAuthenticationWhereTheUserIsRead(PerformAuthentication):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]


@pytest.mark.parametrize(("password", "status"), [("pw", 200), ("wrong", 401)])
async def test_lazy_authentication_when_a_permission_reads_the_user(products, password, status):
    """The user is read by the permission check, on the event loop: no query may run there."""
    await sync_to_async(User.objects.create_user)("ann", password="pw")
    credentials = base64.b64encode(f"ann:{password}".encode()).decode()
    headers = {"HTTP_AUTHORIZATION": f"Basic {credentials}"}
    drf, ours = await answers(LazyAuthenticationWhereTheUserIsRead, {"get": "list"}, "get", headers=headers)
    assert drf[0] == status
    assert ours == drf


@pytest.mark.parametrize(("actions", "by_pk"), [({"get": "list"}, False), ({"get": "retrieve"}, True)])
async def test_get_serializer_override_with_drfs_signature(products, actions, by_pk):
    first, _, _ = products
    drf, ours = await answers(GetSerializer, actions, "get", **({"pk": first.pk} if by_pk else {}))
    assert drf[0] == 200
    assert ours == drf


async def test_get_serializer_override_serves_create_and_update(products):
    first, _, _ = products
    drf, ours = viewsets_with(GetSerializer)
    for viewset, call, sku in ((drf, sync_to_async, "N-1"), (ours, lambda view: view, "N-2")):
        request = factory.post("/", {"name": "New", "sku": sku}, format="json")
        response = await call(viewset.as_view({"post": "create"}))(request)
        assert response.status_code == 201, response.data
        assert response.data["sku"] == sku
    drf, ours = await answers(GetSerializer, {"patch": "partial_update"}, "patch", data={"price": 5}, pk=first.pk)
    assert drf[0] == 200
    assert ours == drf


async def test_sync_override_returning_the_async_parents_answer(products):
    """``return super().update(...)`` from a sync override: the parent's answer is sent."""
    first, _, _ = products
    drf, ours = await answers(ReturnsSuper, {"put": "update"}, "put", data={"price": 7}, pk=first.pk)
    assert drf[0] == 200 and drf[1]["price"] == 7
    assert ours == drf


class DispatchOverride:
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["X-Served-By"] = type(self).__name__
        return response


class OptionsOverride:
    def options(self, request, *args, **kwargs):
        response = super().options(request, *args, **kwargs)
        response.data["extra"] = "kept"
        return response


async def test_sync_dispatch_override_post_processing_supers_response(products):
    drf, ours = viewsets_with(DispatchOverride)
    drf_response = await sync_to_async(drf.as_view({"get": "list"}))(factory.get("/"))
    our_response = await ours.as_view({"get": "list"})(factory.get("/"))
    assert drf_response["X-Served-By"] == drf.__name__
    assert our_response.status_code == drf_response.status_code == 200
    assert our_response["X-Served-By"] == ours.__name__
    assert our_response.data == drf_response.data


async def test_sync_dispatch_override_on_a_plain_async_view():
    from rest_framework.views import APIView as DrfAPIView

    from restflow.views import AsyncAPIView

    class Hello:
        permission_classes = [AllowAny]

        def get(self, request):
            return Response({"hello": "world"})

    drf = type("DrfHello", (DispatchOverride, Hello, DrfAPIView), {})
    ours = type("AsyncHello", (DispatchOverride, Hello, AsyncAPIView), {})
    drf_response = await sync_to_async(drf.as_view())(factory.get("/"))
    our_response = await ours.as_view()(factory.get("/"))
    assert (drf_response.status_code, drf_response["X-Served-By"]) == (200, "DrfHello")
    assert (our_response.status_code, our_response["X-Served-By"], our_response.data) == (
        200,
        "AsyncHello",
        drf_response.data,
    )


async def test_sync_options_override_post_processing_supers_response(products):
    drf, ours = await answers(OptionsOverride, {"get": "list"}, "options")
    assert drf[0] == 200 and drf[1]["extra"] == "kept"
    assert ours[0] == 200
    assert {**ours[1], "name": None} == {**drf[1], "name": None}  # the name is the class's


class ModelPermissionsBody:
    serializer_class = ProductSerializer


class SyncQueryset(ModelPermissionsBody):
    def get_queryset(self):
        return Product.objects.order_by("id")


class AsyncQueryset(ModelPermissionsBody):
    async def get_queryset(self):
        return Product.objects.order_by("id")


@pytest.mark.parametrize(
    "permission",
    [
        "rest_framework.permissions.DjangoModelPermissions",
        "restflow.permissions.DjangoModelPermissions",
        "rest_framework.permissions.DjangoObjectPermissions",
    ],
)
@pytest.mark.parametrize(("actions", "method", "by_pk"), [({"get": "list"}, "get", False), ({"delete": "destroy"}, "delete", True)])
async def test_async_get_queryset_serves_drfs_model_permissions(products, permission, actions, method, by_pk):
    """DRF's model permissions read the queryset through ``view.get_queryset()``, from sync code: an
    ``async def get_queryset`` (restflow's documented spelling) answers them as a sync one would."""
    from django.contrib.auth.models import Permission
    from django.utils.module_loading import import_string
    from rest_framework.test import force_authenticate

    from restflow.views import AsyncListAPIView

    permission_class = import_string(permission)
    if "Object" in permission:  # DRF's object permissions need an object-permission backend: list only
        actions, method, by_pk = {"get": "list"}, "get", False
    user = await sync_to_async(User.objects.create_user)("viewer")
    await user.user_permissions.aadd(await Permission.objects.aget(codename="view_product"))
    user = await User.objects.aget(pk=user.pk)
    answers_ = []
    for body, base in ((SyncQueryset, viewsets.ModelViewSet), (AsyncQueryset, AsyncModelViewSet)):
        viewset = type(f"V{body.__name__}", (body, base), {"permission_classes": [permission_class]})
        request = getattr(factory, method)("/")
        force_authenticate(request, user)
        view = viewset.as_view(actions)
        call = sync_to_async(view) if base is viewsets.ModelViewSet else view
        response = await call(request, **({"pk": products[0].pk} if by_pk else {}))
        answers_.append(response.status_code)
    assert answers_[0] == (200 if method == "get" else 403)
    assert answers_[1] == answers_[0]
    if method == "get":  # a generic view too
        view = type("List", (AsyncQueryset, AsyncListAPIView), {"permission_classes": [permission_class]}).as_view()
        request = factory.get("/")
        force_authenticate(request, user)
        assert (await view(request)).status_code == 200


def test_callable_from_sync_answers_sync_callers_async_callers_and_async_to_sync():
    import asyncio

    from asgiref.sync import async_to_sync

    from restflow._sync import callable_from_sync

    @callable_from_sync
    async def double(value):
        return 2 * value

    async def awaited():
        return await double(4)

    assert double(2) == 4  # sync code with no running loop: the result
    assert async_to_sync(double)(3) == 6  # asgiref asks for the coroutine in this thread
    assert asyncio.run(awaited()) == 8


class GetAddsHeader:
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Rows"] = str(len(response.data))
        return response

    def delete(self, request, *args, **kwargs):
        response = super().delete(request, *args, **kwargs)
        response["X-Deleted"] = "yes"
        return response


@pytest.mark.parametrize(
    ("drf_view", "our_view", "method", "by_pk"),
    [
        ("ListAPIView", "AsyncListAPIView", "get", False),
        ("RetrieveUpdateDestroyAPIView", "AsyncRetrieveUpdateDestroyAPIView", "delete", True),
    ],
)
async def test_generic_view_sync_handler_override_post_processing_supers_response(
    products, drf_view, our_view, method, by_pk
):
    from rest_framework import generics

    from restflow import views

    answers_ = []
    for base, call, pk in (
        (getattr(generics, drf_view), sync_to_async, products[0].pk),
        (getattr(views, our_view), lambda view: view, products[1].pk),
    ):
        view = type(f"V{base.__name__}", (GetAddsHeader, Body, base), {"pagination_class": None}).as_view()
        response = await call(view)(getattr(factory, method)("/"), **({"pk": pk} if by_pk else {}))
        answers_.append((response.status_code, response.get("X-Rows"), response.get("X-Deleted")))
    assert answers_[0][0] in (200, 204)
    assert answers_[1] == answers_[0]
