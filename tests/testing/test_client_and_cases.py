"""Conformance with restflow's testing docs (guide/testing/index.md, api/testing/index.md).

Each test names the section it shows. The views echo what reached them (body, content type,
headers, user) so the client's and the factory's encoding is checked end to end.
"""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings
from django.urls import path
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from restflow.test import (
    AsyncAPIClient,
    AsyncAPILiveServerTestCase,
    AsyncAPIRequestFactory,
    AsyncAPISimpleTestCase,
    AsyncAPITestCase,
    AsyncAPITransactionTestCase,
    force_authenticate,
)
from restflow.views import AsyncAPIView
from tests.support.testapp.models import Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.testing.test_client_and_cases")]


class EchoView(AsyncAPIView):
    """Answers with what it received."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    async def get(self, request):
        return Response(self.echo(request))

    async def post(self, request):
        return Response(self.echo(request))

    put = patch = delete = options = post

    def echo(self, request):
        files = {name: upload.read().decode() for name, upload in request.FILES.items()}
        data = {key: value for key, value in request.data.items() if key not in files}
        return {
            "method": request.method,
            "content_type": request.content_type,
            "data": data,
            "files": files,
            "query": dict(request.query_params.items()),
            "authorization": request.headers.get("Authorization"),
            "host": request.get_host(),
            "user": request.user.username or None,
            "auth": request.auth,
        }


class RawView(AsyncAPIView):
    async def post(self, request):
        return Response({"body": request.body.decode(), "content_type": request.content_type})


class ProfileView(AsyncAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return Response({"user": request.user.username})


urlpatterns = [
    path("echo/", EchoView.as_view()),
    path("raw/", RawView.as_view()),
    path("profile/", ProfileView.as_view()),
]


async def make_user(username="khan", password="hunter2"):
    return await sync_to_async(User.objects.create_user)(username=username, password=password)


# --- AsyncAPIClient ----------------------------------------------------------------------------


async def test_constructor_defaults_are_sent_with_every_request():
    """guide/testing, "AsyncAPIClient / Constructor": extra keywords are default environ keys (HTTP_HOST)."""
    client = AsyncAPIClient(enforce_csrf_checks=False, HTTP_HOST="api.example.com")
    assert (await client.get("/echo/")).json()["host"] == "api.example.com"


@pytest.mark.parametrize("verb", ["post", "put", "patch", "delete", "options"])
async def test_request_methods_take_data_and_format(client, verb):
    """guide/testing, "Request methods": every body-taking verb takes data= and format= (JSON by default)."""
    response = await getattr(client, verb)("/echo/", data={"name": "Phone"}, format="json")
    assert response.json()["data"] == {"name": "Phone"}
    assert response.json()["content_type"] == "application/json"
    response = await getattr(client, verb)("/echo/", data={"name": "Phone"})
    assert response.json()["content_type"] == "application/json"


async def test_get_and_head_send_data_as_query_string(client):
    """guide/testing, "Request methods": get and head append data= to the URL."""
    assert (await client.get("/echo/", data={"category": "phones"})).json()["query"] == {"category": "phones"}
    assert (await client.head("/echo/", data={"category": "phones"})).status_code == 200


async def test_format_and_content_type_are_exclusive(client):
    """guide/testing, "Request methods" and "Mixing format and content_type": both at once is an AssertionError."""
    with pytest.raises(AssertionError):
        await client.post("/echo/", data={"a": 1}, format="json", content_type="x")
    raw = await client.post("/raw/", data=b"raw bytes", content_type="text/plain")
    assert raw.json() == {"body": "raw bytes", "content_type": "text/plain"}


async def test_multipart_format_sends_a_multipart_body_with_files(client):
    """guide/testing, "Format encoding": format="multipart" for uploads (a dict's repr was sent before)."""
    upload = SimpleUploadedFile("photo.jpg", b"JPEGDATA", content_type="image/jpeg")
    response = await client.post("/echo/", data={"name": "Phone", "photo": upload}, format="multipart")
    body = response.json()
    assert body["content_type"].startswith("multipart/form-data; boundary=")
    assert body["data"] == {"name": "Phone"} and body["files"] == {"photo": "JPEGDATA"}


async def test_a_dict_posted_with_django_multipart_content_type_is_sent_as_multipart(client):
    """Django's ``MULTIPART_CONTENT`` with a dict: encoded as form data, as Django's own client does."""
    from django.test.client import MULTIPART_CONTENT

    upload = SimpleUploadedFile("photo.jpg", b"JPEGDATA", content_type="image/jpeg")
    response = await client.post("/echo/", {"name": "Phone", "photo": upload}, content_type=MULTIPART_CONTENT)
    body = response.json()
    assert body["data"] == {"name": "Phone"} and body["files"] == {"photo": "JPEGDATA"}


async def test_unknown_format_names_the_available_ones(client):
    """guide/testing, "Format encoding": formats come from TEST_REQUEST_RENDERER_CLASSES."""
    with pytest.raises(AssertionError, match="multipart"):
        await client.post("/echo/", data={"a": 1}, format="yaml")


async def test_raw_content_type_escape_hatch(client):
    """guide/testing, "Format encoding": content_type= sends an already serialised body as it is."""
    response = await client.post("/echo/", data=b'{"id": 7}', content_type="application/json")
    assert response.json()["data"] == {"id": 7}


async def test_credentials_persist_and_reset(client):
    """guide/testing, "Persistent headers": credentials() on every request; credentials() resets."""
    client.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")
    assert (await client.get("/echo/")).json()["authorization"] == "Bearer abc.def.ghi"
    assert (await client.post("/echo/", {"a": 1})).json()["authorization"] == "Bearer abc.def.ghi"
    client.credentials()
    assert (await client.get("/echo/")).json()["authorization"] is None


def test_credentials_keys_must_be_wsgi_style(client):
    """guide/testing, "Persistent headers": keys start with HTTP_ or CONTENT_."""
    with pytest.raises(ValueError, match="HTTP_"):
        client.credentials(Authorization="Bearer x")
    client.credentials(HTTP_AUTHORIZATION="x", CONTENT_LANGUAGE="en")


async def test_authorization_as_a_per_request_keyword(client):
    """guide/testing, "Authentication patterns / Authorization header": HTTP_AUTHORIZATION= per request."""
    response = await client.get("/echo/", HTTP_AUTHORIZATION="Bearer token-1")
    assert response.json()["authorization"] == "Bearer token-1"


async def test_session_login_logout_and_force_login(client):
    """guide/testing, "login, logout, force_login" and "Session login": alogin / alogout / aforce_login."""
    khan = await make_user()
    assert (await client.get("/profile/")).status_code == 403
    assert await client.alogin(username="khan", password="hunter2")
    assert (await client.get("/profile/")).json() == {"user": "khan"}
    await client.alogout()
    assert (await client.get("/profile/")).status_code == 403
    await client.aforce_login(khan)
    assert (await client.get("/profile/")).json() == {"user": "khan"}


async def test_logout_from_async_code_clears_credentials_force_auth_and_session(client):
    """guide/testing, "login, logout, force_login": logout() clears credentials, force-auth and the session."""
    khan = await make_user()
    await client.aforce_login(khan)
    client.credentials(HTTP_AUTHORIZATION="Bearer x")
    client.force_authenticate(user=khan)
    client.logout()  # called from async code, not awaited
    echoed = (await client.get("/echo/")).json()
    assert echoed["authorization"] is None and echoed["user"] is None
    assert (await client.get("/profile/")).status_code == 403


async def test_force_authenticate_and_clear(client):
    """guide/testing, "force_authenticate": every request as the user until reset."""
    khan = await make_user()
    client.force_authenticate(user=khan, token="dummy-token")
    echoed = (await client.get("/echo/")).json()
    assert echoed["user"] == "khan" and echoed["auth"] == "dummy-token"
    client.force_authenticate()
    assert (await client.get("/echo/")).json()["user"] is None


async def test_response_data_and_json(client):
    """guide/testing, "Response handling": status_code, data, content and json()."""
    response = await client.post("/echo/", {"name": "Phone"})
    assert response.status_code == 200
    assert response.data["data"] == {"name": "Phone"} and response.json()["data"] == {"name": "Phone"}
    assert b"Phone" in response.content


# --- AsyncAPIRequestFactory --------------------------------------------------------------------


async def test_factory_get_with_query_and_view_called_directly():
    """guide/testing, "AsyncAPIRequestFactory": requests passed straight to the view, no URL conf."""
    factory = AsyncAPIRequestFactory()
    request = factory.get("/api/products/", {"category": "phones"})
    response = await EchoView.as_view()(request)
    assert response.data["query"] == {"category": "phones"}


async def test_factory_post_encodes_like_the_client():
    """guide/testing, "AsyncAPIRequestFactory": data=, format= and content_type= as in the client."""
    factory = AsyncAPIRequestFactory()
    response = await EchoView.as_view()(factory.post("/api/products/", data={"name": "Phone"}, format="json"))
    assert response.data["data"] == {"name": "Phone"} and response.data["content_type"] == "application/json"
    upload = SimpleUploadedFile("a.txt", b"hello")
    multipart = await EchoView.as_view()(factory.post("/x/", {"f": upload, "k": "v"}, format="multipart"))
    assert multipart.data["files"] == {"f": "hello"} and multipart.data["data"] == {"k": "v"}
    with pytest.raises(AssertionError):
        factory.post("/x/", {"a": 1}, format="json", content_type="text/plain")


async def test_factory_force_authenticate():
    """guide/testing, "force_authenticate" and "Factory plus force_authenticate"."""
    khan = await make_user()
    factory = AsyncAPIRequestFactory()
    request = factory.get("/api/orders/")
    force_authenticate(request, user=khan, token="dummy-token")
    response = await EchoView.as_view()(request)
    assert response.data["user"] == "khan" and response.data["auth"] == "dummy-token"


async def test_factory_skips_csrf_unless_enforced():
    """guide/testing, "AsyncAPIRequestFactory": the factory runs no middleware; CSRF is off by default."""
    khan = await make_user()

    class SessionEcho(EchoView):
        authentication_classes = [SessionAuthentication]

    async def auser():  # what AuthenticationMiddleware would set
        return khan

    request = AsyncAPIRequestFactory().post("/x/", {"a": 1})
    request.user, request.auser = khan, auser
    response = await SessionEcho.as_view()(request)
    assert response.status_code == 200 and response.data["user"] == "khan"
    strict = AsyncAPIRequestFactory(enforce_csrf_checks=True).post("/x/", {"a": 1})
    strict.user, strict.auser = khan, auser
    assert (await SessionEcho.as_view()(strict)).status_code == 403


# --- Test case bases ---------------------------------------------------------------------------


def test_the_four_bases_wire_the_async_client():
    """guide/testing, "Test case bases": each base sets client_class = AsyncAPIClient on Django's case."""
    for base, django_base in [
        (AsyncAPISimpleTestCase, SimpleTestCase),
        (AsyncAPITestCase, TestCase),
        (AsyncAPITransactionTestCase, TransactionTestCase),
        (AsyncAPILiveServerTestCase, TransactionTestCase),
    ]:
        assert issubclass(base, django_base) and base.client_class is AsyncAPIClient, base


@pytest.mark.urls("tests.testing.test_client_and_cases")
class HealthCheckTests(AsyncAPISimpleTestCase):
    """guide/testing, "AsyncAPISimpleTestCase": a test without the database."""

    async def test_health_endpoint_returns_ok(self):
        assert isinstance(self.client, AsyncAPIClient)
        response = await self.client.get("/echo/")
        self.assertEqual(response.status_code, 200)


@pytest.mark.urls("tests.testing.test_client_and_cases")
class ProductListTests(AsyncAPITestCase):
    """guide/testing, "AsyncAPITestCase" and "Cache invalidation tests / captureOnCommitCallbacks"."""

    async def test_returns_active_products(self):
        await Product.objects.acreate(name="Phone", sku="p1")
        response = await self.client.post("/echo/", {"name": "Phone"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(await Product.objects.acount(), 1)

    async def test_create_within_captured_callbacks(self):
        with self.captureOnCommitCallbacks(execute=True):
            await Product.objects.acreate(name="Phone", sku="p2")
        response = await self.client.get("/echo/")
        self.assertEqual(response.status_code, 200)


@pytest.mark.urls("tests.testing.test_client_and_cases")
class CommitTests(AsyncAPITransactionTestCase):
    """guide/testing, "AsyncAPITransactionTestCase": real commits, on_commit callbacks run."""

    async def test_on_commit_runs(self):
        from django.db import transaction

        fired = []

        def write():
            with transaction.atomic():
                Product.objects.create(name="Phone", sku="c1")
                transaction.on_commit(lambda: fired.append(True))

        await sync_to_async(write)()
        self.assertEqual(fired, [True])
        response = await self.client.get("/echo/")
        self.assertEqual(response.status_code, 200)


@pytest.mark.urls("tests.testing.test_client_and_cases")
@override_settings(STATIC_URL="/static/")
class LiveProductTests(AsyncAPILiveServerTestCase):
    """guide/testing, "AsyncAPILiveServerTestCase": an external client over a real socket."""

    async def test_external_client_can_reach_the_api(self):
        import httpx

        async with httpx.AsyncClient() as http:
            response = await http.post(f"{self.live_server_url}/echo/", json={"name": "Phone"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["data"], {"name": "Phone"})
