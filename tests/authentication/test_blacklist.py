"""guide/authentication/jwt.md "Blacklist backends", "BlacklistBackend interface", "Cleanup of expired
blacklist rows"; api/authentication/blacklist.md."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from restflow.authentication import BlacklistBackend, CacheBlacklistBackend, ModelBlacklistBackend, RefreshToken
from restflow.authentication._config import jwt_config
from restflow.authentication.models import BlacklistedToken
from tests.authentication.conftest import bearer
from tests.support.hops import count_hops

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]


class SetBackend(BlacklistBackend):
    """A custom backend implementing only the sync pair (the async pair then runs them in a hop)."""

    revoked = {}

    def blacklist(self, jti, *, expires_at):
        self.revoked[jti] = expires_at

    def is_blacklisted(self, jti):
        return jti in self.revoked


class AsyncSetBackend(SetBackend):
    """A custom backend with native async methods too."""

    calls = []

    async def ablacklist(self, jti, *, expires_at):
        self.calls.append("ablacklist")
        self.revoked[jti] = expires_at

    async def ais_blacklisted(self, jti):
        self.calls.append("ais_blacklisted")
        return jti in self.revoked


async def rotate(client, refresh):
    return await client.post("/api/auth/token/refresh/", {"refresh": str(refresh)}, format="json")


async def test_model_backend_rotation_blacklist_and_rows(client, jwt_settings, user):
    """ "ModelBlacklistBackend": revoked ids are rows with their expiry."""
    jwt_settings(BLACKLIST_BACKEND="restflow.authentication.jwt.ModelBlacklistBackend", LEEWAY=30)
    refresh = RefreshToken.for_user(user)
    assert (await rotate(client, refresh)).status_code == 200
    row = await BlacklistedToken.objects.aget(jti=refresh.jti)
    assert row.expires_at == datetime.fromtimestamp(refresh.exp, tz=UTC) + timedelta(seconds=30)
    assert (await rotate(client, refresh)).status_code == 401
    access = refresh.access_token
    await access.ablacklist()
    assert (await client.get("/api/jwt/", **bearer(access))).status_code == 401
    assert await BlacklistedToken.objects.acount() == 2


async def test_cleanup_expired_rows(jwt_settings, user):
    """ "Cleanup of expired blacklist rows": sync and async helpers delete expired rows only."""
    backend = ModelBlacklistBackend()
    past = int(time.time()) - 3600
    for jti in ("old-1", "old-2"):
        await backend.ablacklist(jti, expires_at=past)
    await backend.ablacklist("live", expires_at=int(time.time()) + 3600)
    assert await BlacklistedToken.objects.acount() == 3
    assert await BlacklistedToken.acleanup_expired() == 2
    assert await backend.ais_blacklisted("live") and not await backend.ais_blacklisted("old-1")
    await backend.ablacklist("old-3", expires_at=past)
    assert await BlacklistedToken.objects.acount() == 2


def test_sync_cleanup(jwt_settings, user):
    """ "Cleanup of expired blacklist rows": the sync helper; blacklisting twice keeps one row."""
    backend = ModelBlacklistBackend()
    backend.blacklist("old", expires_at=int(time.time()) - 60)
    backend.blacklist("old", expires_at=int(time.time()) - 60)  # idempotent
    assert BlacklistedToken.objects.count() == 1
    assert BlacklistedToken.cleanup_expired() == 1


async def test_cache_backend_entries_outlive_the_token_by_the_leeway(jwt_settings, user, settings):
    """ "CacheBlacklistBackend": the entry's lifetime is the token's remaining lifetime (plus LEEWAY,
    since a token is accepted that long after it expires)."""
    jwt_settings(LEEWAY=3600)
    backend = CacheBlacklistBackend()
    await backend.ablacklist("soon", expires_at=int(time.time()) - 10)
    assert await backend.ais_blacklisted("soon")
    assert backend.blacklist_once("soon", expires_at=int(time.time())) is False
    assert backend.blacklist_once("fresh", expires_at=int(time.time()) + 5) is True


async def test_cache_backend_allows_locmem_only_when_told(jwt_settings):
    """ "CacheBlacklistBackend (default)": BLACKLIST_ALLOW_LOCMEM opts in; with the blacklist off the
    cache is not checked."""
    jwt_settings(BLACKLIST_ALLOW_LOCMEM=True)
    assert isinstance(jwt_config().blacklist, CacheBlacklistBackend)
    jwt_settings(BLACKLIST_ALLOW_LOCMEM=False, BLACKLIST_ENABLED=False)
    assert isinstance(jwt_config().blacklist, CacheBlacklistBackend)  # not checked: the blacklist is off


@pytest.mark.parametrize("backend", [SetBackend, "tests.authentication.test_blacklist.SetBackend", SetBackend()])
async def test_custom_backend_by_path_class_or_instance(client, jwt_settings, user, backend):
    """ "Custom backend": a subclass with the sync pair only works through the views."""
    SetBackend.revoked.clear()
    jwt_settings(BLACKLIST_BACKEND=backend)
    refresh = RefreshToken.for_user(user)
    assert (await rotate(client, refresh)).status_code == 200
    assert refresh.jti in SetBackend.revoked
    assert (await rotate(client, refresh)).status_code == 401


async def test_custom_backend_async_methods_are_used(client, jwt_settings, user):
    """ "BlacklistBackend interface": the async pair is what async views call."""
    SetBackend.revoked.clear()
    AsyncSetBackend.calls.clear()
    jwt_settings(BLACKLIST_BACKEND=AsyncSetBackend)
    access = RefreshToken.for_user(user).access_token
    assert (await client.get("/api/jwt/", **bearer(access))).status_code == 200
    assert AsyncSetBackend.calls == ["ais_blacklisted"]
    await access.ablacklist()
    assert (await client.get("/api/jwt/", **bearer(access))).status_code == 401


async def test_blacklist_disabled(client, jwt_settings, user):
    """BLACKLIST_ENABLED False: nothing is checked, rotation still answers a new pair, and the
    blacklist view refuses to pretend (ImproperlyConfigured, not a silent 204)."""
    jwt_settings(BLACKLIST_ENABLED=False, BLACKLIST_ALLOW_LOCMEM=False)
    refresh = RefreshToken.for_user(user)
    assert set((await rotate(client, refresh)).json()) == {"access", "refresh"}
    assert (await rotate(client, refresh)).status_code == 200
    with pytest.raises(ImproperlyConfigured, match="BLACKLIST_ENABLED"):
        await client.post("/api/auth/token/blacklist/", {"refresh": str(refresh)}, format="json")


async def test_one_hop_for_the_blacklist_and_the_user(client, jwt_settings, user, monkeypatch):
    """built-in.md "Sync vs async surface": a JWT request's authentication costs one hop to the sync
    thread (the cache check and the user lookup together); a backend with native async methods is
    awaited, then the user is looked up with the async ORM."""
    access = RefreshToken.for_user(user).access_token
    with count_hops(monkeypatch) as hops:
        assert (await client.get("/api/jwt/", **bearer(access))).status_code == 200
    assert hops["view"] == ["JWTAuthentication.get_checked_user"]
    SetBackend.revoked.clear()
    jwt_settings(BLACKLIST_BACKEND=AsyncSetBackend)
    with count_hops(monkeypatch) as hops:
        assert (await client.get("/api/jwt/", **bearer(access))).status_code == 200
    assert "JWTAuthentication.get_checked_user" not in hops["view"]
