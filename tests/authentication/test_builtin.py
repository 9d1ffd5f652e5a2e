"""guide/authentication/built-in.md and index.md, api/authentication/built-in.md: DRF's authenticators
under restflow's import path, each with ``aauthenticate``; none blocks the event loop."""

import asyncio
import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from rest_framework import authentication as drf_authentication
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import perform_import
from rest_framework.test import APIRequestFactory

from restflow.authentication import (
    AccessToken,
    BaseAuthentication,
    BasicAuthentication,
    RemoteUserAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow.test import AsyncAPIClient, AsyncAPIRequestFactory
from restflow.views import AsyncAPIView
from tests.authentication.conftest import PASSWORD, bearer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]


class LoopCheckingHasher(MD5PasswordHasher):
    """Records whether each password check ran on a thread with a running event loop."""

    algorithm = "md5"
    checks = []

    def verify(self, password, encoded):
        try:
            asyncio.get_running_loop()
            self.checks.append("loop")
        except RuntimeError:
            self.checks.append("thread")
        return super().verify(password, encoded)


def basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_documented_classes_are_drfs():
    """ "Import paths" / "BaseAuthentication": each class is DRF's class of the same name, plus aauthenticate."""
    pairs = [
        (BasicAuthentication, drf_authentication.BasicAuthentication),
        (SessionAuthentication, drf_authentication.SessionAuthentication),
        (TokenAuthentication, drf_authentication.TokenAuthentication),
        (RemoteUserAuthentication, drf_authentication.RemoteUserAuthentication),
    ]
    for ours, drfs in pairs:
        assert issubclass(ours, drfs) and issubclass(ours, BaseAuthentication)
        assert ours.authenticate is drfs.authenticate
        assert asyncio.iscoroutinefunction(ours.aauthenticate)


async def test_basic_authentication(client, jwt_settings, user, settings):
    """ "BasicAuthentication": the password is checked in a hop, never on the event loop."""
    settings.PASSWORD_HASHERS = ["tests.authentication.test_builtin.LoopCheckingHasher"]
    user.set_password(PASSWORD)
    await user.asave()
    LoopCheckingHasher.checks.clear()
    response = await client.get("/api/basic/", **basic("khan", PASSWORD))
    assert response.status_code == 200 and response.json()["authenticator"] == "BasicAuthentication"
    assert LoopCheckingHasher.checks == ["thread"]
    wrong = await client.get("/api/basic/", **basic("khan", "nope"))
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "Invalid username/password."}
    assert wrong["WWW-Authenticate"] == 'Basic realm="api"'
    for header in ("Basic", "Basic a b", "Basic !!!notbase64"):
        assert (await client.get("/api/basic/", HTTP_AUTHORIZATION=header)).status_code == 401


async def test_token_obtain_checks_the_password_off_the_loop(client, jwt_settings, user, settings):
    """jwt.md "TokenObtainView": the password hash is checked in a hop too."""
    settings.PASSWORD_HASHERS = ["tests.authentication.test_builtin.LoopCheckingHasher"]
    user.set_password(PASSWORD)
    await user.asave()
    LoopCheckingHasher.checks.clear()
    response = await client.post("/api/auth/token/", {"username": "khan", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert LoopCheckingHasher.checks == ["thread"]


async def test_session_authentication_and_csrf(jwt_settings, user):
    """ "SessionAuthentication": the login cookie authenticates; DRF's CSRF check still applies."""
    client = AsyncAPIClient(enforce_csrf_checks=True)
    await client.aforce_login(user)
    response = await client.get("/api/session/")
    assert response.status_code == 200 and response.json()["authenticator"] == "SessionAuthentication"
    post = await client.post("/api/session/", {}, format="json")
    assert post.status_code == 403
    assert "CSRF" in post.json()["detail"]
    anonymous = await AsyncAPIClient().get("/api/session/")
    assert anonymous.status_code == 403


async def test_token_authentication(client, jwt_settings, user):
    """ "TokenAuthentication": ``Authorization: Token <key>``; the keyword is case-insensitive."""
    token = await Token.objects.acreate(user=user)
    for keyword in ("Token", "token", "TOKEN"):
        response = await client.get("/api/token/", HTTP_AUTHORIZATION=f"{keyword} {token.key}")
        assert response.status_code == 200 and response.json()["auth"] == "Token"
    bad = await client.get("/api/token/", HTTP_AUTHORIZATION="Token nope")
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}
    assert bad["WWW-Authenticate"] == "Token"
    user.is_active = False
    await user.asave()
    inactive = await client.get("/api/token/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert inactive.json() == {"detail": "User inactive or deleted."}


async def test_token_authentication_keyword_subclass(jwt_settings, user):
    """ "Header format": subclass and set ``keyword``."""

    class BearerToken(TokenAuthentication):
        keyword = "Bearer"

    token = await Token.objects.acreate(user=user)
    request = AsyncAPIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token.key}")
    result = await BearerToken().aauthenticate(Request(request))
    assert result == (user, token)
    assert await TokenAuthentication().aauthenticate(Request(request)) is None


async def test_remote_user_from_a_proxy_header(client, jwt_settings, user, settings):
    """ "REMOTE_USER from an SSO proxy": a subclass reading ``X-Forwarded-User``."""
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.RemoteUserBackend"]
    response = await client.get("/api/remote/", HTTP_X_FORWARDED_USER="khan")
    assert response.status_code == 200 and response.json()["id"] == user.id
    created = await client.get("/api/remote/", HTTP_X_FORWARDED_USER="newcomer")
    assert created.status_code == 200 and created.json()["username"] == "newcomer"
    assert (await client.get("/api/remote/")).status_code == 403


async def test_combining_jwt_and_session(jwt_settings, user):
    """index.md "Combining authenticators": Bearer takes the JWT path, a cookie the session path,
    neither is anonymous."""
    client = AsyncAPIClient()
    jwt = await client.get("/api/profile/", **bearer(AccessToken.for_user(user)))
    assert jwt.json()["authenticator"] == "JWTAuthentication"
    await client.aforce_login(user)
    session = await client.get("/api/profile/")
    assert session.json()["authenticator"] == "SessionAuthentication"
    anonymous = await AsyncAPIClient().get("/api/profile/")
    assert anonymous.status_code == 401


class HmacAuthentication(BaseAuthentication):
    """ "Writing a custom authenticator": only ``aauthenticate``."""

    async def aauthenticate(self, request):
        signature = request.headers.get("X-Signature")
        if signature is None:
            return None
        user = await get_user_model().objects.filter(username=signature).afirst()
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid signature.")
        return (user, None)

    def authenticate_header(self, request):
        return 'HMAC realm="api"'


class HmacView(AsyncAPIView):
    authentication_classes = [HmacAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return Response({"id": request.user.id})


class SyncOnly(BaseAuthentication):
    """ "BaseAuthentication": the default aauthenticate runs the sync authenticate in a hop."""

    def authenticate(self, request):
        user = get_user_model().objects.filter(username=request.headers.get("X-User", "")).first()
        return (user, None) if user else None


async def test_custom_authenticators(jwt_settings, user):
    """ "Writing a custom authenticator" and "Returning None vs raising"."""
    factory = APIRequestFactory()
    view = HmacView.as_view()
    assert (await view(factory.get("/", HTTP_X_SIGNATURE="khan"))).data == {"id": user.id}
    failed = await view(factory.get("/", HTTP_X_SIGNATURE="nobody"))
    assert failed.status_code == 401 and failed["WWW-Authenticate"] == 'HMAC realm="api"'
    assert (await view(factory.get("/"))).status_code == 401
    assert await SyncOnly().aauthenticate(Request(factory.get("/", HTTP_X_USER="khan"))) == (user, None)
    assert await SyncOnly().aauthenticate(Request(factory.get("/"))) is None


async def test_project_wide_default_classes(jwt_settings, user):
    """index.md "Project-wide configuration": DEFAULT_AUTHENTICATION_CLASSES names the classes by dotted path."""
    classes = perform_import(
        ["restflow.authentication.JWTAuthentication", "restflow.authentication.SessionAuthentication"],
        "DEFAULT_AUTHENTICATION_CLASSES",
    )

    class Default(AsyncAPIView):
        authentication_classes = classes
        permission_classes = [IsAuthenticated]

        async def get(self, request):
            return Response({"id": request.user.id})

    factory = APIRequestFactory()
    ok = await Default.as_view()(factory.get("/", **bearer(AccessToken.for_user(user))))
    assert ok.data == {"id": user.id}
    assert (await Default.as_view()(factory.get("/"))).status_code == 401
