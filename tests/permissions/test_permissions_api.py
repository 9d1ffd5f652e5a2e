"""Conformance with restflow's permissions guide (guide/permissions/index.md, api/permissions/*.md)."""

import inspect

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Permission, User
from django.urls import path
from rest_framework import permissions as drf
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory
from rest_framework.request import Request
from rest_framework.views import APIView as DRFAPIView

from restflow import permissions
from restflow.permissions import (
    AND,
    NOT,
    OR,
    AllowAny,
    BasePermission,
    DjangoModelPermissions,
    DjangoModelPermissionsOrAnonReadOnly,
    DjangoObjectPermissions,
    IsAdminUser,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
    has_object_permission,
    has_permission,
)
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet, AsyncRetrieveUpdateDestroyAPIView
from tests.support.testapp.models import Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.permissions.test_permissions_api")]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "is_archived", "description"]


async def user(name="u", **extra):
    return await User.objects.acreate(username=name, **extra)


def view_for(*permission_classes):
    class View(AsyncAPIView):
        async def get(self, request):
            return Response({"ok": True})

        post = get

    View.permission_classes = list(permission_classes)
    return View


class IsOwner(BasePermission):
    """guide/permissions, "Custom permissions": the IsOwner example (owner is ``description``)."""

    def has_object_permission(self, request, view, obj):
        return bool(request.user and request.user.is_authenticated and obj.description == request.user.username)

    async def ahas_object_permission(self, request, view, obj):
        return bool(request.user and request.user.is_authenticated and obj.description == request.user.username)


class IsArchived(BasePermission):
    """guide/permissions, "Combinators": the IsArchived example."""

    async def ahas_permission(self, request, view):
        return True

    async def ahas_object_permission(self, request, view, obj):
        return obj.is_archived


class IsStaffMember(BasePermission):
    """guide/permissions, "Custom permissions" (IsTenantMember shape): sync and async, each querying."""

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and User.objects.filter(pk=request.user.pk, is_staff=True).exists())

    async def ahas_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        return await User.objects.filter(pk=request.user.pk, is_staff=True).aexists()


class AsyncOnly(BasePermission):
    """A permission with only the async hook (guide/permissions, "Custom permissions", last paragraph)."""

    async def ahas_permission(self, request, view):
        return request.query_params.get("let") == "in"


class ArticleDetail(AsyncRetrieveUpdateDestroyAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [IsAuthenticated & ~IsArchived]


class OwnedDetail(AsyncRetrieveUpdateDestroyAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [IsAuthenticated & (IsAdminUser | IsOwner)]


class ArticleViewSet(AsyncModelViewSet):
    """guide/permissions, "Per-action permissions": the second example."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [IsAuthenticated]
    action_configs = {
        "update": ActionConfig(permission_classes=[IsAuthenticated & IsOwner]),
        "partial_update": ActionConfig(permission_classes=[IsAuthenticated & IsOwner]),
        "destroy": ActionConfig(permission_classes=[IsAdminUser]),
    }


class ModelPermsViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [DjangoModelPermissions]


class AnonReadViewSet(ModelPermsViewSet):
    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]


class SyncDRFView(DRFAPIView):
    permission_classes = [AsyncOnly]

    def get(self, request):
        return Response({"ok": True})


class SyncRestflowBuiltinView(DRFAPIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="articles")
router.register("model-perms", ModelPermsViewSet, basename="model-perms")
router.register("anon-read", AnonReadViewSet, basename="anon-read")

urlpatterns = [
    path("allow/", view_for(AllowAny).as_view()),
    path("authenticated/", view_for(IsAuthenticated).as_view()),
    path("admin/", view_for(IsAdminUser).as_view()),
    path("read-only/", view_for(IsAuthenticatedOrReadOnly).as_view()),
    path("staff-member/", view_for(IsStaffMember).as_view()),
    path("async-only/", view_for(AsyncOnly).as_view()),
    path("sync-drf/", SyncDRFView.as_view()),
    path("sync-builtin/", SyncRestflowBuiltinView.as_view()),
    path("archived/<int:pk>/", ArticleDetail.as_view()),
    path("owned/<int:pk>/", OwnedDetail.as_view()),
    *router.urls,
]


# --- "Standard permissions" ---------------------------------------------------------------------


def test_every_class_has_the_async_surface():
    """api/permissions/permissions.md: every shipped class extends DRF's and has both async hooks."""
    for cls in (AllowAny, IsAuthenticated, IsAdminUser, IsAuthenticatedOrReadOnly, DjangoModelPermissions,
                DjangoModelPermissionsOrAnonReadOnly, DjangoObjectPermissions, BasePermission):
        assert issubclass(cls, drf.BasePermission) and issubclass(cls, BasePermission), cls
        assert inspect.iscoroutinefunction(cls.ahas_permission), cls
        assert inspect.iscoroutinefunction(cls.ahas_object_permission), cls
    assert issubclass(IsAuthenticated, drf.IsAuthenticated) and issubclass(DjangoObjectPermissions, drf.DjangoObjectPermissions)


async def test_standard_permissions_through_routes(client):
    """guide/permissions, "Standard permissions": AllowAny, IsAuthenticated, IsAdminUser, IsAuthenticatedOrReadOnly."""
    assert (await client.get("/allow/")).status_code == 200
    assert (await client.get("/authenticated/")).status_code == 403
    assert (await client.get("/read-only/")).status_code == 200
    assert (await client.post("/read-only/")).status_code == 403
    member = await user("member")
    client.force_authenticate(member)
    assert (await client.get("/authenticated/")).status_code == 200
    assert (await client.post("/read-only/")).status_code == 200
    assert (await client.get("/admin/")).status_code == 403
    client.force_authenticate(await user("staff", is_staff=True))
    assert (await client.get("/admin/")).status_code == 200


async def test_builtin_async_hooks_read_the_request():
    """guide/permissions, "Async hooks": the standard classes answer ahas_permission without a hop."""
    request = Request(APIRequestFactory().post("/"))
    request.user = None  # "Anonymous user on the sync flow": a missing user is denied, not an error
    assert await AllowAny().ahas_permission(request, None) is True
    assert await IsAuthenticated().ahas_permission(request, None) is False
    assert await IsAdminUser().ahas_permission(request, None) is False
    assert await IsAuthenticatedOrReadOnly().ahas_permission(request, None) is False


async def test_django_model_permissions(client):
    """guide/permissions, "DjangoModelPermissions" and "...OrAnonReadOnly": POST needs add, reads need a user."""
    product = await Product.objects.acreate(name="n", sku="d1")
    member = await user("member")
    assert (await client.get("/anon-read/")).status_code == 200
    assert (await client.post("/anon-read/", {"name": "x", "sku": "x"})).status_code == 403
    client.force_authenticate(member)
    assert (await client.post("/model-perms/", {"name": "x", "sku": "x"})).status_code == 403
    add = await Permission.objects.aget(codename="add_product")
    await sync_to_async(member.user_permissions.add)(add)
    client.force_authenticate(await User.objects.aget(pk=member.pk))  # fresh permission cache
    assert (await client.post("/model-perms/", {"name": "x", "sku": "x"})).status_code == 201
    assert (await client.delete(f"/model-perms/{product.pk}/")).status_code == 403


async def test_django_object_permissions_delegates_to_has_perm():
    """guide/permissions, "DjangoObjectPermissions": ahas_object_permission asks user.has_perm(perm, obj)."""
    product = await Product.objects.acreate(name="n", sku="o1")
    member = await user("member")

    class View:
        queryset = Product.objects.all()

    # Reads need no object permission; a change needs "change_product" on the object, which the
    # default model backend never grants (django-guardian would): denied, as in DRF.
    read = Request(APIRequestFactory().get("/"))
    read.user = member
    assert await DjangoObjectPermissions().ahas_object_permission(read, View(), product) is True
    change = Request(APIRequestFactory().patch("/"))
    change.user = member
    assert await DjangoObjectPermissions().ahas_object_permission(change, View(), product) is False


# --- "Combinators" ------------------------------------------------------------------------------


def test_operators_build_restflows_async_combinators():
    """guide/permissions, "Combinators" and api/permissions/combinators.md: &, |, ~ build AND, OR, NOT."""
    composed = (IsAuthenticated & (IsAdminUser | IsOwner))()
    assert isinstance(composed, AND) and isinstance(composed.op2, OR)
    assert isinstance((~IsArchived)(), NOT)
    chained = ((~IsArchived & IsAuthenticated) | AllowAny)()
    assert isinstance(chained, OR) and isinstance(chained.op1, AND) and isinstance(chained.op1.op1, NOT)
    for combinator in (AND, OR, NOT):
        assert issubclass(combinator, getattr(drf, combinator.__name__))
        assert inspect.iscoroutinefunction(combinator.ahas_permission)
        assert inspect.iscoroutinefunction(combinator.ahas_object_permission)


async def test_combinators_short_circuit():
    """guide/permissions, "Combinators": AND stops at the first denial, OR at the first grant."""
    calls = []

    class Deny(BasePermission):
        async def ahas_permission(self, request, view):
            calls.append("deny")
            return False

    class Allow(BasePermission):
        async def ahas_permission(self, request, view):
            calls.append("allow")
            return True

    request = Request(APIRequestFactory().get("/"))
    assert await (Deny & Allow)().ahas_permission(request, None) is False and calls == ["deny"]
    calls.clear()
    assert await (Allow | Deny)().ahas_permission(request, None) is True and calls == ["allow"]
    calls.clear()
    assert await (~Deny)().ahas_permission(request, None) is True


async def test_or_object_rule(client):
    """guide/permissions, "Combinators": an OR operand grants an object only if it passes both hooks."""

    class GateClosed(BasePermission):
        async def ahas_permission(self, request, view):
            return False

        async def ahas_object_permission(self, request, view, obj):
            return True

    class Never(BasePermission):
        async def ahas_object_permission(self, request, view, obj):
            return False

    request = Request(APIRequestFactory().get("/"))
    assert await (GateClosed | Never)().ahas_object_permission(request, None, object()) is False


async def test_is_archived_example_on_an_async_view(client):
    """guide/permissions, "Combinators": IsAuthenticated & ~IsArchived, with DRF's NOT semantics.

    NOT inverts both hooks, as DRF's does: IsArchived allows every request, so ~IsArchived denies
    every request at the permission gate (the example, as written, never grants; restflow's own
    implementation behaves the same). The object verdict is inverted too.
    """
    client.force_authenticate(await user())
    active = await Product.objects.acreate(name="a", sku="a", is_archived=False)
    archived = await Product.objects.acreate(name="b", sku="b", is_archived=True)
    assert (await client.get(f"/archived/{active.pk}/")).status_code == 403
    assert (await client.get(f"/archived/{archived.pk}/")).status_code == 403
    request = Request(APIRequestFactory().get("/"))
    assert await (~IsArchived)().ahas_object_permission(request, None, active) is True
    assert await (~IsArchived)().ahas_object_permission(request, None, archived) is False


async def test_nested_combinator_with_custom_object_permission(client):
    """guide/permissions, "Combinators": IsAuthenticated & (IsAdminUser | IsOwner)."""
    owner = await user("owner")
    product = await Product.objects.acreate(name="a", sku="a", description="owner")
    assert (await client.get(f"/owned/{product.pk}/")).status_code == 403
    client.force_authenticate(owner)
    assert (await client.get(f"/owned/{product.pk}/")).status_code == 200
    client.force_authenticate(await user("other"))
    assert (await client.get(f"/owned/{product.pk}/")).status_code == 403
    client.force_authenticate(await user("boss", is_staff=True))
    assert (await client.get(f"/owned/{product.pk}/")).status_code == 200


async def test_mixed_drf_and_restflow_operands(client):
    """guide/permissions, "Mixing async and sync operands in a combinator": legacy DRF classes combine freely."""
    request = Request(APIRequestFactory().get("/"))
    request.user = await user()
    mixed = (drf.IsAuthenticated & IsStaffMember)()  # DRF's AND with a querying async operand
    assert await permissions.ahas_permission(mixed, request, None) is False
    assert await (IsStaffMember | drf.AllowAny)().ahas_permission(request, None) is True


# --- "Custom permissions" -----------------------------------------------------------------------


async def test_custom_permission_with_sync_and_async_hooks(client):
    """guide/permissions, "Custom permissions": the async hook queries with the async ORM on async views."""
    assert (await client.get("/staff-member/")).status_code == 403
    client.force_authenticate(await user("m"))
    assert (await client.get("/staff-member/")).status_code == 403
    client.force_authenticate(await user("s", is_staff=True))
    assert (await client.get("/staff-member/")).status_code == 200


async def test_async_only_permission_on_async_view(client):
    """guide/permissions, "Custom permissions": an async-only permission decides on async views."""
    assert (await client.get("/async-only/")).status_code == 403
    assert (await client.get("/async-only/?let=in")).status_code == 200


async def test_async_only_permission_on_sync_drf_view_still_decides(client):
    """guide/permissions, "Custom permissions", last paragraph: restflow's docs call an async-only permission
    a no-op on sync views. restflow runs its async hook there instead (docs/differences.md): a
    permission that allowed everything would be a check silently ignored."""
    assert (await client.get("/sync-drf/")).status_code == 403
    assert (await client.get("/sync-drf/?let=in")).status_code == 200


async def test_restflow_builtin_on_sync_drf_view(client):
    """guide/permissions, "Async hooks": the same class works on sync DRF views (DRF's sync method)."""
    assert (await client.get("/sync-builtin/")).status_code == 403
    client.force_authenticate(await user())
    assert (await client.get("/sync-builtin/")).status_code == 200


async def test_default_async_hook_runs_sync_method():
    """guide/permissions, "Async hooks": BasePermission's default ahas_permission wraps has_permission."""

    class Legacy(BasePermission):
        def has_permission(self, request, view):
            return User.objects.filter(username="legacy").exists()  # a query: needs the thread

    request = Request(APIRequestFactory().get("/"))
    assert await Legacy().ahas_permission(request, None) is False
    await user("legacy")
    assert await Legacy().ahas_permission(request, None) is True


def test_coroutine_from_a_sync_hook_pitfall():
    """guide/permissions, "Coroutines from a sync hook": an async def has_permission is truthy on sync views."""

    class BrokenPermission(BasePermission):
        async def has_permission(self, request, view):
            return False

    result = BrokenPermission().has_permission(None, None)
    assert inspect.iscoroutine(result) and bool(result)
    result.close()


async def test_truthy_non_bool_is_true(client):
    """guide/permissions, "Truthy non-bool returns": a truthy value allows."""

    class Truthy(BasePermission):
        async def ahas_permission(self, request, view):
            return "yes"

    request = Request(APIRequestFactory().get("/"))
    assert await permissions.ahas_permission(Truthy(), request, None) is True


# --- "Per-action permissions" and "Configuring globally" ---------------------------------------


async def test_per_action_permissions(client):
    """guide/permissions, "Per-action permissions": update needs ownership, destroy needs admin."""
    owner = await user("owner")
    product = await Product.objects.acreate(name="a", sku="a", description="owner")
    assert (await client.get("/articles/")).status_code == 403
    client.force_authenticate(await user("other"))
    assert (await client.get(f"/articles/{product.pk}/")).status_code == 200
    assert (await client.patch(f"/articles/{product.pk}/", {"name": "x"})).status_code == 403
    client.force_authenticate(owner)
    assert (await client.patch(f"/articles/{product.pk}/", {"name": "x"})).status_code == 200
    assert (await client.delete(f"/articles/{product.pk}/")).status_code == 403
    client.force_authenticate(await user("boss", is_staff=True))
    assert (await client.delete(f"/articles/{product.pk}/")).status_code == 204


async def test_configuring_globally(client, settings):
    """guide/permissions, "Configuring globally": DEFAULT_PERMISSION_CLASSES names restflow's class by path."""
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PERMISSION_CLASSES": ["restflow.permissions.IsAuthenticated"],
    }
    assert api_settings.DEFAULT_PERMISSION_CLASSES == [IsAuthenticated]

    class Default(AsyncAPIView):  # DRF reads the setting into permission_classes
        permission_classes = api_settings.DEFAULT_PERMISSION_CLASSES

        async def get(self, request):
            return Response({"ok": True})

    assert [type(p) for p in Default().get_permissions()] == [IsAuthenticated]


# --- The helper functions ------------------------------------------------------------------------


async def test_helper_functions():
    """restflow.permissions.has_permission / has_object_permission: a bool, or an awaitable of one."""
    request = Request(APIRequestFactory().get("/"))
    request.user = None
    assert has_permission(AllowAny(), request, None) is True
    verdict = has_permission(IsArchived(), request, None)
    assert inspect.isawaitable(verdict) and await verdict is True
    archived = Product(is_archived=True)
    verdict = has_object_permission(IsArchived(), request, None, archived)
    assert await verdict is True
    assert has_object_permission(AllowAny(), request, None, archived) is True
