"""guide/authentication/jwt.md and api/authentication/jwt.md, jwt-views.md: the token classes, the
authentication flow and the three views, through real routing with the async client."""

import pytest

from restflow.authentication import AccessToken, JWTAuthentication, RefreshToken, TokenError
from restflow.authentication.views import TokenBlacklistView, TokenObtainView, TokenRefreshView
from tests.authentication.conftest import PASSWORD, bearer, split

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]


async def obtain(client, username="khan", password=PASSWORD):
    return await client.post("/api/auth/token/", {"username": username, "password": password}, format="json")


async def test_obtain_use_refresh_blacklist(client, jwt_settings, user):
    """ "Pre-built views" and "URL Routing": obtain, use, refresh (rotating), blacklist, then refused."""
    response = await obtain(client)
    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}

    me = await client.get("/api/jwt/", **bearer(pair["access"]))
    assert me.status_code == 200
    assert me.json() == {"id": user.id, "username": "khan", "authenticator": "JWTAuthentication", "auth": "AccessToken"}

    refreshed = await client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert refreshed.status_code == 200
    rotated = refreshed.json()
    assert set(rotated) == {"access", "refresh"} and rotated["refresh"] != pair["refresh"]
    assert (await client.get("/api/jwt/", **bearer(rotated["access"]))).status_code == 200

    replay = await client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert replay.status_code == 401
    assert replay.json() == {"detail": "Token is blacklisted."}

    logout = await client.post("/api/auth/token/blacklist/", {"refresh": rotated["refresh"]}, format="json")
    assert logout.status_code == 204
    again = await client.post("/api/auth/token/refresh/", {"refresh": rotated["refresh"]}, format="json")
    assert again.status_code == 401
    assert again["WWW-Authenticate"] == 'Bearer realm="api"'


async def test_obtain_refuses_wrong_password_and_inactive_user(client, jwt_settings, user):
    """ "TokenObtainView": a wrong password or an inactive user is a 401 with the documented message."""
    wrong = await obtain(client, password="nope")
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "No active account found with the given credentials"}
    assert wrong["WWW-Authenticate"] == 'Bearer realm="api"'
    user.is_active = False
    await user.asave()
    assert (await obtain(client)).status_code == 401


async def test_obtain_with_a_malformed_body_is_a_400(client, jwt_settings, user):
    """ "TokenObtainView": the body is validated (missing fields are a 400, not a 500)."""
    response = await client.post("/api/auth/token/", {"username": "khan"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}
    assert (await client.post("/api/auth/token/refresh/", {}, format="json")).status_code == 400
    assert (await client.post("/api/auth/token/blacklist/", {"refresh": ["x"]}, format="json")).status_code == 400


async def test_refresh_without_rotation_returns_access_only(client, jwt_settings, user):
    """ "Refresh token rotation": with ROTATE_REFRESH_TOKENS False only the access token comes back,
    and the refresh token stays usable."""
    jwt_settings(ROTATE_REFRESH_TOKENS=False)
    refresh = (await obtain(client)).json()["refresh"]
    for _ in range(2):
        response = await client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
        assert response.status_code == 200
        assert set(response.json()) == {"access"}


async def test_refresh_of_blacklisted_token_without_rotation_is_refused(client, jwt_settings, user):
    """ "TokenRefreshView": the refresh token must not be blacklisted."""
    jwt_settings(ROTATE_REFRESH_TOKENS=False)
    refresh = (await obtain(client)).json()["refresh"]
    assert (await client.post("/api/auth/token/blacklist/", {"refresh": refresh}, format="json")).status_code == 204
    response = await client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert response.status_code == 401


async def test_blacklisting_twice_is_refused(client, jwt_settings, user):
    """ "TokenBlacklistView": a token already blacklisted cannot be blacklisted again (401)."""
    refresh = (await obtain(client)).json()["refresh"]
    assert (await client.post("/api/auth/token/blacklist/", {"refresh": refresh}, format="json")).status_code == 204
    assert (await client.post("/api/auth/token/blacklist/", {"refresh": refresh}, format="json")).status_code == 401


async def test_token_classes(jwt_settings, user):
    """ "Token classes" and "Token shape and claims"."""
    access = AccessToken.for_user(user)
    refresh = RefreshToken.for_user(user)
    header, payload, _ = split(access)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert payload == access.payload
    assert set(payload) == {"token_type", "iat", "exp", "jti", "user_id"}
    assert payload["user_id"] == user.id and access["user_id"] == user.id
    assert access.token_type == "access" and refresh.token_type == "refresh"
    assert access.exp - payload["iat"] == 300
    assert refresh.exp - refresh.payload["iat"] == 86400
    assert access.jti != refresh.jti
    assert AccessToken.verify(str(access)).payload == payload
    new_access = refresh.access_token
    assert new_access.token_type == "access" and new_access["user_id"] == user.id
    rotated = refresh.rotate()
    assert rotated.token_type == "refresh" and rotated.jti != refresh.jti and rotated["user_id"] == user.id


async def test_verify_checks_the_token_type(jwt_settings, user):
    """ "Troubleshooting / Wrong token type": each class verifies only its own type."""
    with pytest.raises(TokenError, match="Wrong token type"):
        AccessToken.verify(str(RefreshToken.for_user(user)))
    with pytest.raises(TokenError, match="Wrong token type"):
        RefreshToken.verify(str(AccessToken.for_user(user)))


async def test_ablacklist_revokes_a_refresh_token(client, jwt_settings, user):
    """ "Token classes": RefreshToken.ablacklist() records the token in the blacklist."""
    refresh = RefreshToken.for_user(user)
    await refresh.ablacklist()
    response = await client.post("/api/auth/token/refresh/", {"refresh": str(refresh)}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/jwt/", "/api/jwt-sync/", "/api/jwt-drf/"])
async def test_sync_and_async_paths_agree(client, jwt_settings, user, path):
    """built-in.md "Sync vs async surface": async views, restflow's sync APIView and a DRF view
    answer the same for a good token, a blacklisted one and a bad one."""
    access = AccessToken.for_user(user)
    assert (await client.get(path, **bearer(access))).json()["id"] == user.id
    assert (await client.get(path, **bearer(str(access) + "x"))).status_code == 401
    await access.ablacklist()
    response = await client.get(path, **bearer(access))
    assert response.status_code == 401
    assert response.json() == {"detail": "Token is blacklisted."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


async def test_no_header_falls_through_to_anonymous(client, jwt_settings, user):
    """ "Authentication flow": without a Bearer header JWTAuthentication returns None (401 from the
    permission, with the first authenticator's WWW-Authenticate)."""
    response = await client.get("/api/jwt/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    other_scheme = await client.get("/api/jwt/", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")
    assert other_scheme.status_code == 401


def test_documented_import_paths():
    """api/authentication/jwt.md and jwt-views.md: the documented names import from their paths."""
    import restflow.authentication as package
    from restflow.authentication import jwt, serializers
    from restflow.views import AsyncAPIView

    assert JWTAuthentication is jwt.JWTAuthentication and TokenError is jwt.TokenError
    assert all(issubclass(view, AsyncAPIView) for view in (TokenObtainView, TokenRefreshView, TokenBlacklistView))
    assert package.TokenObtainSerializer is serializers.TokenObtainSerializer
    assert package.TokenRefreshSerializer is serializers.TokenRefreshSerializer
    assert package.TokenBlacklistSerializer is serializers.TokenBlacklistSerializer


def test_token_views_import_from_the_package():
    """api/authentication/jwt-views.md, "URL Routing": the views import from restflow.authentication too."""
    from restflow import authentication

    assert authentication.TokenObtainView is TokenObtainView
    assert authentication.TokenRefreshView is TokenRefreshView
    assert authentication.TokenBlacklistView is TokenBlacklistView
    assert {"TokenObtainView", "TokenRefreshView", "TokenBlacklistView"} <= set(authentication.__all__)
