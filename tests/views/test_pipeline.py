"""AsyncAPIView's request pipeline through real routing: negotiation, versioning,
authentication (sync and async), permissions, throttles, exception handling,
serializer helpers and OPTIONS metadata."""

import base64

import pytest
from asgiref.sync import iscoroutinefunction, sync_to_async
from django.contrib.auth.models import Permission, User
from django.test import override_settings
from rest_framework import authentication, renderers, serializers, versioning
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.views import exception_handler as drf_exception_handler

from restflow import permissions, throttling
from restflow.pagination import PageNumberPagination
from restflow.test import AsyncAPIClient
from restflow.views import AsyncAPIView, AsyncGenericAPIView, AsyncListCreateAPIView, AsyncRetrieveUpdateAPIView
from tests.support.testapp.models import Category, Product
from tests.support.testapp.serializers import ArchiveInputSerializer, ProductListSerializer, ProductSerializer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.views_urls_pipeline")]


async def make_user(username="alice", password="pw", **extra):
    return await sync_to_async(User.objects.create_user)(username=username, password=password, **extra)


# --- views -------------------------------------------------------------------------------------


class PlainTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return f"text:{data}".encode()


class EchoView(AsyncAPIView):
    """Reports what the pipeline decided: user, auth, version, renderer."""

    renderer_classes = [renderers.JSONRenderer, PlainTextRenderer]

    async def get(self, request, *args, **kwargs):
        return await self.aserialized_response(
            {
                "user": request.user.username or None,
                "version": request.version,
                "media_type": request.accepted_media_type,
            }
        )

    async def post(self, request, *args, **kwargs):
        return await self.aserialized_response({"user": request.user.username or None, "data": request.data})


class V1V2PathVersioning(versioning.URLPathVersioning):
    allowed_versions = ["v1", "v2"]


class URLVersionView(EchoView):
    versioning_class = V1V2PathVersioning


class AcceptVersionView(EchoView):
    versioning_class = versioning.AcceptHeaderVersioning


class SessionView(EchoView):
    authentication_classes = [authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class TokenView(EchoView):
    authentication_classes = [authentication.TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class BasicView(EchoView):
    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class HeaderAuthentication:
    """An async authenticator: ``X-User: <username>`` names an existing user."""

    async def aauthenticate(self, request):
        username = request.headers.get("X-User")
        if not username:
            return None
        try:
            user = await User.objects.aget(username=username)
        except User.DoesNotExist:
            raise AuthenticationFailed("No such user.")
        return (user, "header")

    def authenticate_header(self, request):
        return 'XUser realm="api"'


class SyncDatabaseAuthentication(authentication.BaseAuthentication):
    """A sync authenticator that queries the database (must run off the loop)."""

    def authenticate(self, request):
        username = request.headers.get("X-Sync-User")
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        return (user, None) if user else None


class AsyncHeaderView(EchoView):
    authentication_classes = [HeaderAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class MixedAuthView(EchoView):
    authentication_classes = [SyncDatabaseAuthentication, HeaderAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class HasOpenCategory(permissions.BasePermission):
    """Sync, touches the database: grants when a category named "open" exists."""

    message = "No open category."

    def has_permission(self, request, view):
        return Category.objects.filter(name="open").exists()


class HeaderSaysYes(permissions.BasePermission):
    """Async: grants when the ``X-Allow: yes`` header is sent (after an async query)."""

    message = "Header says no."

    async def ahas_permission(self, request, view):
        await Category.objects.acount()
        return request.headers.get("X-Allow") == "yes"


class PermissionOnlyView(EchoView):
    """No authenticators: a denial reports the permission's own message (DRF reports
    "not authenticated" instead when authenticators exist and none succeeded)."""

    authentication_classes = []


class SyncPermView(PermissionOnlyView):
    permission_classes = [HasOpenCategory]


class AsyncPermView(PermissionOnlyView):
    permission_classes = [HeaderSaysYes]


class AndView(PermissionOnlyView):
    permission_classes = [HasOpenCategory & HeaderSaysYes]


class OrView(PermissionOnlyView):
    permission_classes = [HasOpenCategory | HeaderSaysYes]


class NotView(PermissionOnlyView):
    permission_classes = [~HeaderSaysYes]


class ModelPermsView(AsyncListCreateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductListSerializer
    permission_classes = [permissions.DjangoModelPermissions]


class TokenModelPermsView(ModelPermsView):
    authentication_classes = [authentication.TokenAuthentication, authentication.SessionAuthentication]


class OwnCategoryOnly(permissions.BasePermission):
    """Object permission, sync: follows the product's category foreign key (a query)."""

    def has_object_permission(self, request, view, obj):
        return obj.category is not None and obj.category.name == request.user.username


class NotArchivedAsync(permissions.BasePermission):
    """Object permission, async."""

    async def ahas_object_permission(self, request, view, obj):
        fresh = await Product.objects.aget(pk=obj.pk)
        return not fresh.is_archived


class ObjectPermView(AsyncRetrieveUpdateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [permissions.IsAuthenticated, OwnCategoryOnly, NotArchivedAsync]


class AnonTwoPerMinute(throttling.AnonRateThrottle):
    rate = "2/min"


class UserOnePerMinute(throttling.UserRateThrottle):
    rate = "1/min"


class BurstScoped(throttling.ScopedRateThrottle):
    THROTTLE_RATES = {"burst": "1/min"}


class DrfSyncAnonThrottle:
    """A plain sync throttle (no aallow_request): allows the first request only, per view class."""

    seen = []

    def allow_request(self, request, view):
        self.seen.append(1)
        return len(self.seen) <= 1

    def wait(self):
        return 30


class AnonThrottledView(EchoView):
    throttle_classes = [AnonTwoPerMinute]


class UserThrottledView(EchoView):
    throttle_classes = [UserOnePerMinute]


class ScopedThrottledView(EchoView):
    throttle_classes = [BurstScoped]
    throttle_scope = "burst"


class SyncThrottledView(EchoView):
    throttle_classes = [DrfSyncAnonThrottle]


class SyncHandlerView(AsyncAPIView):
    """Handlers written as plain functions using the sync ORM."""

    def get(self, request, *args, **kwargs):
        from rest_framework.response import Response

        return Response({"names": list(Product.objects.order_by("id").values_list("name", flat=True))})

    def post(self, request, *args, **kwargs):
        from rest_framework.response import Response

        product = Product.objects.create(name=request.data["name"], sku=request.data["sku"])
        return Response({"id": product.id}, status=201)


async def async_exception_handler(exc, context):
    """An async exception handler: DRF's answer plus the view's name."""
    await Category.objects.acount()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"error": response.data, "view": type(context["view"]).__name__}
    return response


class FailingView(AsyncAPIView):
    async def get(self, request, *args, **kwargs):
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"field": ["bad"]})


class ValidateView(AsyncAPIView):
    """avalidated_serializer with the view's serializer, or an explicit one."""

    serializer_class = ArchiveInputSerializer

    async def post(self, request, *args, **kwargs):
        serializer = await self.avalidated_serializer()
        return await self.aserialized_response({"reason": serializer.validated_data["reason"]})

    async def put(self, request, *args, **kwargs):
        serializer = await self.avalidated_serializer(
            data={"name": request.data.get("title")}, serializer_class=NameSerializer
        )
        return await self.aserialized_response(dict(serializer.validated_data))


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)


class NoSerializerView(AsyncAPIView):
    """No serializer_class: plain data passes through aserialized_response."""

    async def get(self, request, *args, **kwargs):
        if request.query_params.get("list"):
            return await self.aserialized_response([{"a": 1}, 2, "x"])
        return await self.aserialized_response({"status": "ok"}, status=202, headers={"X-Extra": "1"})


class InstanceResponseView(AsyncGenericAPIView):
    """aserialized_response with a model instance, many=True and an explicit serializer_class."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer

    async def get(self, request, *args, **kwargs):
        mode = request.query_params.get("mode")
        if mode == "many":
            products = [p async for p in Product.objects.order_by("id")]
            return await self.aserialized_response(products, many=True)
        if mode == "queryset":
            return await self.aserialized_response(Product.objects.order_by("id"), many=True)
        if mode == "explicit":
            return await self.aserialized_response(
                await Product.objects.afirst(), serializer_class=ProductListSerializer
            )
        if mode == "dict-explicit":
            return await self.aserialized_response({"name": "n", "id": 5, "price": 1}, serializer_class=ProductListSerializer)
        if mode == "paginated":
            return await self.apaginated_response(Product.objects.order_by("id"), serializer_class=ProductListSerializer)
        return await self.aserialized_response(await Product.objects.afirst())


class TwoPerPage(PageNumberPagination):
    page_size = 2


class PagedInstanceView(InstanceResponseView):
    pagination_class = TwoPerPage


class SplitSerializersView(AsyncGenericAPIView):
    """The request and response serializers differ; each getter defaults to get_serializer_class()."""

    queryset = Product.objects.all()

    def get_serializer_class(self):
        return ProductListSerializer

    def get_request_serializer_class(self):
        return NameSerializer

    async def post(self, request, *args, **kwargs):
        serializer = await self.avalidated_serializer()
        product = await Product.objects.acreate(name=serializer.validated_data["name"], sku="split")
        return await self.aserialized_response(product, status=201)


class OptionsView(AsyncRetrieveUpdateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [HasOpenCategory | permissions.IsAuthenticated]


class OptionsListView(AsyncListCreateAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [permissions.DjangoModelPermissionsOrAnonReadOnly]


# --- the view is async -------------------------------------------------------------------------


async def test_dispatch_is_a_coroutine_and_django_sees_an_async_view():
    """as_view() gives Django a coroutine function, so it is called on the loop without a hop."""
    view = EchoView.as_view()
    assert iscoroutinefunction(view)
    assert iscoroutinefunction(EchoView.dispatch)
    assert EchoView.view_is_async


async def test_get_through_routing_runs_the_pipeline(client):
    """A plain GET is answered by the async handler with JSON and anonymous user."""
    response = await client.get("/echo/")
    assert response.status_code == 200
    assert response.json() == {"user": None, "version": None, "media_type": "application/json"}


async def test_method_not_allowed_is_405(client):
    """A method the view has no handler for gets DRF's 405 with the Allow header."""
    response = await client.delete("/echo/")
    assert response.status_code == 405
    assert "GET" in response["Allow"] and "DELETE" not in response["Allow"]


# --- content negotiation and versioning ---------------------------------------------------------


async def test_accept_header_selects_the_renderer(client):
    """Accept: text/plain picks the second renderer; the media type is reported to the handler."""
    response = await client.get("/echo/", headers={"Accept": "text/plain"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.startswith(b"text:")
    assert b"text/plain" in response.content


async def test_format_query_parameter_selects_the_renderer(client):
    """?format=txt picks the renderer by format; a format with no renderer is 404, as in DRF."""
    response = await client.get("/echo/?format=txt")
    assert response["Content-Type"].startswith("text/plain")
    assert (await client.get("/echo/?format=json")).json()["media_type"] == "application/json"
    assert (await client.get("/echo/?format=yaml")).status_code == 404


async def test_unsatisfiable_accept_is_406(client):
    """No renderer for the Accept header: 406 Not Acceptable."""
    response = await client.get("/echo/", headers={"Accept": "application/xml"})
    assert response.status_code == 406


async def test_url_path_versioning(client):
    """URLPathVersioning reads the version from the URL; an unknown version is 404."""
    response = await client.get("/v2/versioned/")
    assert response.status_code == 200
    assert response.json()["version"] == "v2"
    response = await client.get("/v9/versioned/")
    assert response.status_code == 404
    assert "Invalid version" in response.json()["detail"]


async def test_accept_header_versioning(client):
    """AcceptHeaderVersioning reads ``version=`` from the Accept header."""
    response = await client.get("/accept-versioned/", headers={"Accept": "application/json; version=1.2"})
    assert response.status_code == 200
    assert response.json()["version"] == "1.2"


# --- authentication ----------------------------------------------------------------------------


async def test_session_authentication_with_a_real_login(client):
    """A logged-in session authenticates a GET without blocking the loop."""
    user = await make_user()
    await client.aforce_login(user)
    response = await client.get("/session/")
    assert response.status_code == 200
    assert response.json()["user"] == "alice"


async def test_session_authentication_enforces_csrf_on_unsafe_methods():
    """A session-authenticated POST without a CSRF token is 403; with a matching token it passes."""
    client = AsyncAPIClient(enforce_csrf_checks=True)
    user = await make_user()
    await client.aforce_login(user)
    response = await client.post("/session/", {"x": 1})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = await client.post("/session/", {"x": 1}, headers={"X-CSRFToken": secret})
    assert response.status_code == 200
    assert response.json() == {"user": "alice", "data": {"x": 1}}


async def test_session_only_view_answers_403_without_www_authenticate(client):
    """SessionAuthentication has no authenticate header, so an anonymous request is 403, not 401."""
    response = await client.get("/session/")
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


async def test_token_authentication_with_a_real_token(client):
    """A real Token in the Authorization header authenticates its user."""
    user = await make_user()
    token = await Token.objects.acreate(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = await client.get("/token/")
    assert response.status_code == 200
    assert response.json()["user"] == "alice"


async def test_token_missing_is_401_with_www_authenticate(client):
    """No credentials on a token view: 401 and ``WWW-Authenticate: Token``."""
    response = await client.get("/token/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


async def test_token_invalid_is_401(client):
    """A wrong token: DRF's 401 "Invalid token."."""
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = await client.get("/token/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    assert response["WWW-Authenticate"] == "Token"


async def test_basic_authentication(client):
    """HTTP Basic with the right password authenticates; a wrong one is 401 with a Basic challenge."""
    await make_user(password="s3cret")
    good = base64.b64encode(b"alice:s3cret").decode()
    response = await client.get("/basic/", headers={"Authorization": f"Basic {good}"})
    assert response.status_code == 200
    assert response.json()["user"] == "alice"
    bad = base64.b64encode(b"alice:wrong").decode()
    response = await client.get("/basic/", headers={"Authorization": f"Basic {bad}"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


async def test_async_authenticator_is_awaited(client):
    """An authenticator with ``aauthenticate`` is awaited; its failure is 401 with its challenge."""
    await make_user()
    response = await client.get("/async-auth/", headers={"X-User": "alice"})
    assert response.status_code == 200
    assert response.json()["user"] == "alice"
    response = await client.get("/async-auth/", headers={"X-User": "mallory"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'XUser realm="api"'


async def test_sync_database_authenticator_then_async_one(client):
    """A sync authenticator that queries the database runs off the loop; the next one is tried after it."""
    await make_user("bob")
    await make_user("carol")
    response = await client.get("/mixed-auth/", headers={"X-Sync-User": "bob"})
    assert response.json()["user"] == "bob"
    response = await client.get("/mixed-auth/", headers={"X-User": "carol"})
    assert response.json()["user"] == "carol"
    # The first authenticator's header is what WWW-Authenticate reports; it has none, so 403.
    response = await client.get("/mixed-auth/")
    assert response.status_code == 403


async def test_force_authenticate(client):
    """The client's force_authenticate skips the authenticators."""
    user = await make_user()
    client.force_authenticate(user)
    response = await client.get("/token/")
    assert response.status_code == 200
    assert response.json()["user"] == "alice"


# --- permissions -------------------------------------------------------------------------------


async def test_sync_permission_touching_the_database(client):
    """A sync permission that queries runs in a hop: denied (403 with its message), then granted."""
    response = await client.get("/perm/sync/")
    assert response.status_code == 403
    assert response.json()["detail"] == "No open category."
    await Category.objects.acreate(name="open")
    assert (await client.get("/perm/sync/")).status_code == 200


async def test_async_permission_is_awaited(client):
    """``ahas_permission`` is awaited and its verdict honoured."""
    response = await client.get("/perm/async/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Header says no."
    assert (await client.get("/perm/async/", headers={"X-Allow": "yes"})).status_code == 200


@pytest.mark.parametrize(
    ("path", "open_category", "header", "status"),
    [
        ("/perm/and/", False, "yes", 403),
        ("/perm/and/", True, "no", 403),
        ("/perm/and/", True, "yes", 200),
        ("/perm/or/", False, "no", 403),
        ("/perm/or/", False, "yes", 200),
        ("/perm/or/", True, "no", 200),
        ("/perm/not/", False, "yes", 403),
        ("/perm/not/", False, "no", 200),
    ],
)
async def test_combined_sync_and_async_permissions(client, path, open_category, header, status):
    """``&``, ``|`` and ``~`` over a sync (database) and an async permission follow boolean logic."""
    if open_category:
        await Category.objects.acreate(name="open")
    response = await client.get(path, headers={"X-Allow": header})
    assert response.status_code == status


async def test_django_model_permissions(client):
    """DjangoModelPermissions reads the user's permissions without SynchronousOnlyOperation."""
    user = await make_user()
    client.force_authenticate(user)
    assert (await client.get("/perm/model/")).status_code == 200
    response = await client.post("/perm/model/", {"name": "n", "sku": "s", "price": 1})
    assert response.status_code == 403
    permission = await Permission.objects.aget(codename="add_product")
    await sync_to_async(user.user_permissions.add)(permission)
    user = await User.objects.aget(pk=user.pk)  # drop the cached permissions
    client.force_authenticate(user)
    response = await client.post("/perm/model/", {"name": "n", "sku": "s", "price": 1})
    assert response.status_code == 201


async def test_django_model_permissions_anonymous_is_401_or_403(client):
    """DjangoModelPermissions refuses anonymous users: the default authenticators are session
    then basic, and the first one's header (none) decides, so it is 403; token first makes it 401."""
    response = await client.get("/perm/model/")
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    response = await client.get("/perm/model-token/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


async def test_object_permissions_sync_and_async(client):
    """Object permissions run via aget_object: a sync one following a foreign key, an async one."""
    user = await make_user("books")
    books = await Category.objects.acreate(name="books")
    toys = await Category.objects.acreate(name="toys")
    mine = await Product.objects.acreate(name="m", sku="m", category=books)
    theirs = await Product.objects.acreate(name="t", sku="t", category=toys)
    archived = await Product.objects.acreate(name="a", sku="a", category=books, is_archived=True)
    client.force_authenticate(user)
    assert (await client.get(f"/objperm/{mine.pk}/")).status_code == 200
    assert (await client.get(f"/objperm/{theirs.pk}/")).status_code == 403
    assert (await client.get(f"/objperm/{archived.pk}/")).status_code == 403
    response = await client.patch(f"/objperm/{theirs.pk}/", {"name": "stolen"})
    assert response.status_code == 403
    assert (await Product.objects.aget(pk=theirs.pk)).name == "t"


# --- throttles ---------------------------------------------------------------------------------


async def test_anon_throttle_429_with_retry_after(client):
    """Two anonymous requests a minute: the third gets 429 with a Retry-After in seconds."""
    assert (await client.get("/throttle/anon/")).status_code == 200
    assert (await client.get("/throttle/anon/")).status_code == 200
    response = await client.get("/throttle/anon/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()


async def test_user_throttle_counts_per_user(client):
    """A user's second request is throttled; another user still gets through."""
    alice, bob = await make_user("alice"), await make_user("bob")
    client.force_authenticate(alice)
    assert (await client.get("/throttle/user/")).status_code == 200
    assert (await client.get("/throttle/user/")).status_code == 429
    client.force_authenticate(bob)
    assert (await client.get("/throttle/user/")).status_code == 200


async def test_scoped_throttle(client):
    """ScopedRateThrottle uses the view's throttle_scope rate."""
    assert (await client.get("/throttle/scoped/")).status_code == 200
    response = await client.get("/throttle/scoped/")
    assert response.status_code == 429
    assert "Retry-After" in response


async def test_sync_throttle_without_async_method(client):
    """A throttle with only ``allow_request`` runs in a hop; its wait() becomes Retry-After."""
    DrfSyncAnonThrottle.seen.clear()
    assert (await client.get("/throttle/sync/")).status_code == 200
    response = await client.get("/throttle/sync/")
    assert response.status_code == 429
    assert response["Retry-After"] == "30"


# --- handlers and exception handling ------------------------------------------------------------


async def test_sync_handler_uses_the_sync_orm(client):
    """``def get`` / ``def post`` run in a hop, so the sync ORM works inside them."""
    response = await client.post("/sync-handler/", {"name": "kettle", "sku": "k1"})
    assert response.status_code == 201
    assert await Product.objects.filter(pk=response.json()["id"]).aexists()
    response = await client.get("/sync-handler/")
    assert response.json() == {"names": ["kettle"]}


@override_settings(REST_FRAMEWORK={"EXCEPTION_HANDLER": "tests.views.test_pipeline.async_exception_handler"})
async def test_async_exception_handler_is_awaited(client):
    """An ``async def`` EXCEPTION_HANDLER is awaited; its response is sent."""
    response = await client.get("/failing/")
    assert response.status_code == 400
    assert response.json() == {"error": {"field": ["bad"]}, "view": "FailingView"}


async def test_default_exception_handler_shape(client):
    """Without a custom handler, DRF's error shape comes back."""
    response = await client.get("/failing/")
    assert response.status_code == 400
    assert response.json() == {"field": ["bad"]}


# --- serializer helpers ------------------------------------------------------------------------


async def test_avalidated_serializer_valid_and_invalid(client):
    """avalidated_serializer validates request data with the view's serializer; invalid data is 400."""
    response = await client.post("/validate/", {"reason": "dusty"})
    assert response.status_code == 200
    assert response.json() == {"reason": "dusty"}
    response = await client.post("/validate/", {})
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}


async def test_avalidated_serializer_explicit_class_and_data(client):
    """Explicit ``data`` and ``serializer_class`` replace the defaults."""
    response = await client.put("/validate/", {"title": "abc"})
    assert response.json() == {"name": "abc"}
    response = await client.put("/validate/", {"title": "too long"})
    assert response.status_code == 400
    assert "name" in response.json()


async def test_aserialized_response_plain_dict_without_serializer(client):
    """A view with no serializer_class can answer a dict, with status and headers as given."""
    response = await client.get("/no-serializer/")
    assert response.status_code == 202
    assert response.json() == {"status": "ok"}
    assert response["X-Extra"] == "1"
    response = await client.get("/no-serializer/?list=1")
    assert response.json() == [{"a": 1}, 2, "x"]


async def test_aserialized_response_instance_many_queryset_and_explicit(client):
    """A model instance, a list (many=True), a queryset and an explicit serializer_class serialize."""
    await Product.objects.acreate(name="p1", sku="s1", price=3)
    await Product.objects.acreate(name="p2", sku="s2", price=4)
    one = (await client.get("/instance/")).json()
    assert one["name"] == "p1" and one["sku"] == "s1" and one["status"] == "active"
    many = (await client.get("/instance/?mode=many")).json()
    assert [item["sku"] for item in many] == ["s1", "s2"]
    assert (await client.get("/instance/?mode=queryset")).json() == many
    explicit = (await client.get("/instance/?mode=explicit")).json()
    assert set(explicit) == {"id", "name", "price"}
    assert (await client.get("/instance/?mode=dict-explicit")).json() == {"id": 5, "name": "n", "price": 1}


async def test_apaginated_response(client):
    """apaginated_response pages with the view's paginator, or lists everything without one."""
    for i in range(3):
        await Product.objects.acreate(name=f"p{i}", sku=f"s{i}")
    paged = (await client.get("/paged-instance/?mode=paginated")).json()
    assert paged["count"] == 3 and len(paged["results"]) == 2 and paged["next"].endswith("page=2")
    assert set(paged["results"][0]) == {"id", "name", "price"}
    unpaged = (await client.get("/instance/?mode=paginated")).json()
    assert [item["name"] for item in unpaged] == ["p0", "p1", "p2"]


async def test_request_and_response_serializer_defaults():
    """Both getters default to get_serializer_class(); overriding one leaves the other on the default."""
    view = InstanceResponseView()
    assert view.get_request_serializer_class() is ProductSerializer
    assert view.get_response_serializer_class() is ProductSerializer
    assert AsyncAPIView().get_request_serializer_class() is None
    split = SplitSerializersView()
    assert split.get_request_serializer_class() is NameSerializer
    assert split.get_response_serializer_class() is ProductListSerializer


async def test_split_serializers_through_routing(client):
    """Request data is validated by the request serializer and answered by the response serializer."""
    response = await client.post("/split/", {"name": "mug"})
    assert response.status_code == 201
    assert set(response.json()) == {"id", "name", "price"}
    assert (await client.post("/split/", {"name": "much too long"})).status_code == 400


# --- OPTIONS -----------------------------------------------------------------------------------


async def test_options_on_detail_route_reports_put(client):
    """OPTIONS on a detail route checks permissions and the object off the loop and reports PUT."""
    await Category.objects.acreate(name="open")  # HasOpenCategory queries in a hop
    product = await Product.objects.acreate(name="p", sku="s")
    response = await client.options(f"/options/{product.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Options"
    assert "PUT" in body["actions"]
    assert body["actions"]["PUT"]["sku"]["required"] is True
    assert "category" in body["actions"]["PUT"]


async def test_options_on_missing_object_leaves_put_out(client):
    """When the object does not exist, OPTIONS still answers 200 but without PUT."""
    await Category.objects.acreate(name="open")
    response = await client.options("/options/999/")
    assert response.status_code == 200
    assert "actions" not in response.json() or "PUT" not in response.json()["actions"]


async def test_options_without_permission_has_no_actions(client):
    """A user who may not POST gets metadata without the POST action (DjangoModelPermissions)."""
    user = await make_user()
    client.force_authenticate(user)
    response = await client.options("/options-list/")
    assert response.status_code == 200
    assert "POST" not in response.json().get("actions", {})
    permission = await Permission.objects.aget(codename="add_product")
    await sync_to_async(user.user_permissions.add)(permission)
    client.force_authenticate(await User.objects.aget(pk=user.pk))
    response = await client.options("/options-list/")
    assert "POST" in response.json()["actions"]

