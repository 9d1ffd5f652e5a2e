"""guide/authentication/simplejwt.md and api/authentication/simplejwt.md: the adapter over
djangorestframework-simplejwt's own settings, tokens and views."""

import pytest
from rest_framework_simplejwt import authentication as simplejwt_authentication
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

import restflow.authentication
from restflow.authentication import AccessToken as RestflowAccessToken
from restflow.authentication.simplejwt import SimpleJWTAuthentication
from tests.authentication.conftest import PASSWORD, bearer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]


def test_adapter_is_simplejwts_class_and_not_at_the_package_root():
    """ "Usage": imported from the submodule; it is simplejwt's JWTAuthentication with aauthenticate."""
    assert issubclass(SimpleJWTAuthentication, simplejwt_authentication.JWTAuthentication)
    assert not hasattr(restflow.authentication, "SimpleJWTAuthentication")


async def test_simplejwt_tokens_authenticate_async_and_sync_views(client, user):
    """ "Async user lookup" and "Settings": simplejwt's tokens, simplejwt's SIMPLE_JWT."""
    access = RefreshToken.for_user(user).access_token
    for path in ("/api/simplejwt/", "/api/simplejwt-sync/"):
        response = await client.get(path, **bearer(access))
        assert response.status_code == 200 and response.json()["authenticator"] == "SimpleJWTAuthentication"
    bad = await client.get("/api/simplejwt/", **bearer(str(access) + "x"))
    assert bad.status_code == 401
    assert bad.json()["code"] == "token_not_valid"
    assert bad["WWW-Authenticate"] == 'Bearer realm="api"'


async def test_inactive_and_deleted_users_are_refused(client, user):
    """index.md "Inactive users and missing rows"."""
    access = AccessToken.for_user(user)
    user.is_active = False
    await user.asave()
    assert (await client.get("/api/simplejwt/", **bearer(access))).status_code == 401
    await user.adelete()
    assert (await client.get("/api/simplejwt/", **bearer(access))).status_code == 401


async def test_simplejwt_views_and_settings(client, user):
    """ "Token issuance and refresh" and "Settings": simplejwt's own views issue the tokens, signed
    with SIMPLE_JWT's key (tests/settings.py), and the adapter accepts them."""
    response = await client.post("/api/simplejwt/token/", {"username": "khan", "password": PASSWORD}, format="json")
    pair = response.json()
    assert str(AccessToken(pair["access"])["user_id"]) == str(user.id)
    assert (await client.get("/api/simplejwt/", **bearer(pair["access"]))).json()["id"] == user.id
    assert (await client.get("/api/simplejwt/", **bearer(pair["refresh"]))).status_code == 401


async def test_sliding_tokens(client, user):
    """ "Sliding tokens and other simplejwt features": AUTH_TOKEN_CLASSES names SlidingToken."""
    body = (
        await client.post("/api/simplejwt/sliding/", {"username": "khan", "password": PASSWORD}, format="json")
    ).json()
    response = await client.get("/api/simplejwt/", **bearer(body["token"]))
    assert response.json()["id"] == user.id


async def test_restflow_tokens_are_not_simplejwt_tokens(client, jwt_settings, user):
    """ "Difference from the built-in": the two token formats are not interchangeable."""
    assert (await client.get("/api/simplejwt/", **bearer(RestflowAccessToken.for_user(user)))).status_code == 401
    assert (await client.get("/api/jwt/", **bearer(AccessToken.for_user(user)))).status_code == 401
