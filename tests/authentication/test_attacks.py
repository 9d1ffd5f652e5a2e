"""Token attacks, each through a real request (or the authenticator itself for the fuzz): every one is
a 401 with ``WWW-Authenticate`` and DRF's body; nothing reaches the view. guide/authentication/jwt.md,
"Signing keys and algorithms", "Leeway and clock skew", "Issuer and audience", "Refresh token
rotation", api/authentication/jwt.md."""

import asyncio
import base64
import hashlib
import hmac
import time

import jwt as pyjwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from restflow.authentication import AccessToken, JWTAuthentication, RefreshToken
from tests.authentication.conftest import SIGNING_KEY, b64, bearer, split

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]


def claims(user, **extra):
    now = int(time.time())
    return {"token_type": "access", "iat": now, "exp": now + 300, "jti": "j-" + str(now), "user_id": user.id, **extra}


def hs256(payload, key=SIGNING_KEY, header=None):
    """A token signed by hand (HMAC-SHA256 over whatever header and payload we choose)."""
    signing_input = f"{b64(header or {'alg': 'HS256', 'typ': 'JWT'})}.{b64(payload)}"
    if isinstance(key, str):
        key = key.encode()
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def refused(client, token, message=None, path="/api/jwt/"):
    response = await client.get(path, **bearer(token))
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert set(response.json()) == {"detail"}
    if message is not None:
        assert response.json()["detail"] == message
    return response


async def accepted(client, token, user):
    response = await client.get("/api/jwt/", **bearer(token))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == user.id


async def test_hand_signed_token_is_accepted(client, jwt_settings, user):
    """The forging helper is right: a correctly signed token passes (so the refusals below are the attack's)."""
    await accepted(client, hs256(claims(user)), user)


async def test_algorithm_none_is_refused(client, jwt_settings, user):
    """ "Algorithm rejection": a token whose header says `none` (any case) carries no signature and is refused."""
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(user))}."
    await refused(client, unsigned)
    await refused(client, f"{b64({'alg': 'None', 'typ': 'JWT'})}.{b64(claims(user))}.")


async def test_algorithm_confusion_with_the_public_key_is_refused(client, jwt_settings, user, rsa_keys):
    """An HS256 token signed with the RSA public key (which the attacker knows) must not verify."""
    private, public = rsa_keys
    jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private, VERIFYING_KEY=public)
    await accepted(client, AccessToken.for_user(user), user)
    await refused(client, hs256(claims(user), key=public))
    await refused(client, hs256(claims(user), key=public, header={"alg": "RS256", "typ": "JWT"}))


async def test_other_hmac_algorithm_is_refused(client, jwt_settings, user):
    """ "Signing keys and algorithms": only the configured ALGORITHM verifies, even one of the same family."""
    token = pyjwt.encode(claims(user), SIGNING_KEY, algorithm="HS512")
    await refused(client, token)


async def test_tampered_header_payload_and_signature_are_refused(client, jwt_settings, user, django_user_model):
    """ "Authentication flow": any change to the header, the payload or the signature breaks the signature."""
    other = await django_user_model.objects.acreate(username="other")
    token = str(AccessToken.for_user(user))
    header, payload, signature = token.split(".")
    decoded_header, decoded_payload, _ = split(token)
    await refused(client, f"{b64({**decoded_header, 'kid': 'x'})}.{payload}.{signature}")
    await refused(client, f"{header}.{b64({**decoded_payload, 'user_id': other.id})}.{signature}")
    await refused(client, f"{header}.{b64({**decoded_payload, 'exp': decoded_payload['exp'] + 10**6})}.{signature}")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    await refused(client, f"{header}.{payload}.{flipped}")
    await refused(client, f"{header}.{payload}.")
    await refused(client, f"{header}.{payload}")


@pytest.mark.parametrize(
    ("claim", "offset", "message"),
    [
        ("exp", -10, "Token has expired."),
        ("nbf", 60, "Token is not yet valid."),
        ("iat", 60, "Token is not yet valid."),
    ],
)
async def test_time_claims_with_and_without_leeway(client, jwt_settings, user, claim, offset, message):
    """ "Leeway and clock skew": refused outside the window, accepted inside LEEWAY."""
    token = hs256(claims(user, **{claim: int(time.time()) + offset}))
    await refused(client, token, message)
    jwt_settings(LEEWAY=120)
    await accepted(client, token, user)
    jwt_settings(LEEWAY=5)
    await refused(client, token, message)


async def test_expired_beyond_leeway_is_refused(client, jwt_settings, user):
    """ "Leeway and clock skew": LEEWAY widens the window by its seconds and no more."""
    jwt_settings(LEEWAY=30)
    await refused(client, hs256(claims(user, exp=int(time.time()) - 31)), "Token has expired.")


async def test_wrong_or_missing_issuer_and_audience_are_refused(client, jwt_settings, user):
    """ "Issuer and audience": when set, encode adds the claim and decode requires it to match."""
    jwt_settings(ISSUER="https://api.example.com", AUDIENCE="example-clients")
    token = AccessToken.for_user(user)
    assert token["iss"] == "https://api.example.com" and token["aud"] == "example-clients"
    await accepted(client, token, user)
    good = {"iss": "https://api.example.com", "aud": "example-clients"}
    await accepted(client, hs256(claims(user, **good)), user)
    await refused(client, hs256(claims(user, **{**good, "iss": "https://evil.example.com"})))
    await refused(client, hs256(claims(user, **{**good, "aud": "reports.example.com"})))
    await refused(client, hs256(claims(user, aud="example-clients")))
    await refused(client, hs256(claims(user, iss="https://api.example.com")))


async def test_audience_claim_not_configured_is_refused(client, jwt_settings, user):
    """A token cut for some audience is not accepted by a service that has none configured."""
    await refused(client, hs256(claims(user, aud="reports.example.com")))


async def test_missing_required_claims_are_refused(client, jwt_settings, user):
    """ "Token shape and claims": a signed token lacking a claim the library writes, or naming no
    usable user, is refused."""
    for claim in ("exp", "iat", "jti", "token_type"):
        payload = claims(user)
        del payload[claim]
        await refused(client, hs256(payload))
    payload = claims(user)
    del payload["user_id"]
    await refused(client, hs256(payload), "Token contained no recognizable user identification.")
    await refused(client, hs256(claims(user, user_id={"id": user.id})))
    await refused(client, hs256(claims(user, user_id="not-a-number")))
    await refused(client, hs256(claims(user, user_id=True)), "Token contained no recognizable user identification.")


async def test_refresh_token_as_access_and_access_as_refresh_are_refused(client, jwt_settings, user):
    """ "TokenError vs AuthenticationFailed" / "Wrong token type": each token works only where its type belongs."""
    await refused(client, RefreshToken.for_user(user))
    response = await client.post(
        "/api/auth/token/refresh/", {"refresh": str(AccessToken.for_user(user))}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong token type, expected 'refresh'."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


async def test_rotated_out_refresh_token_replayed_concurrently_rotates_once(client, jwt_settings, user):
    """Two refreshes racing with one token: exactly one succeeds (the blacklist claims the token atomically)."""
    refresh = str(RefreshToken.for_user(user))
    responses = await asyncio.gather(
        *(client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json") for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [200, 401, 401, 401]


async def test_deleted_and_deactivated_users_are_refused(client, jwt_settings, user):
    """index.md "Inactive users and missing rows"; settings reference, CHECK_USER_IS_ACTIVE."""
    access, refresh = AccessToken.for_user(user), RefreshToken.for_user(user)
    user.is_active = False
    await user.asave()
    await refused(client, access, "User is inactive.")
    assert (await client.post("/api/auth/token/refresh/", {"refresh": str(refresh)}, format="json")).status_code == 401
    jwt_settings(CHECK_USER_IS_ACTIVE=False)
    await accepted(client, access, user)
    await user.adelete()
    await refused(client, access, "User not found.")
    response = await client.post("/api/auth/token/refresh/", {"refresh": str(refresh)}, format="json")
    assert response.status_code == 401


async def test_password_change_revokes_earlier_tokens(client, jwt_settings, user):
    """CHECK_REVOKE_TOKEN: a token issued before the password changed is refused, a new one works."""
    jwt_settings(CHECK_REVOKE_TOKEN=True)
    access, refresh = AccessToken.for_user(user), RefreshToken.for_user(user)
    assert "hash_password" in access.payload
    await accepted(client, access, user)
    user.set_password("another-pass")
    await user.asave()
    await refused(client, access, "The user's password has been changed.")
    response = await client.post("/api/auth/token/refresh/", {"refresh": str(refresh)}, format="json")
    assert response.status_code == 401
    await accepted(client, AccessToken.for_user(user), user)


async def test_without_revoke_check_old_tokens_outlive_a_password_change(client, jwt_settings, user):
    """Settings reference, CHECK_REVOKE_TOKEN (default False): without it a password change revokes nothing."""
    access = AccessToken.for_user(user)
    user.set_password("another-pass")
    await user.asave()
    await accepted(client, access, user)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer " + "a" * 200_000,
        "Bearer " + "a." * 50_000 + "b",
        "Bearer \u00e9\u00e8.\u00ff.x",
        "Bearer " + b64(b"[" * 100_000) + "." + b64({}) + ".c2ln",
        "Bearer " + b64({"alg": "HS256"}) + "." + b64(b"{" * 50_000) + ".c2ln",
        "Bearer " + b64(b"\xff\xfe") + ".e30.c2ln",
        "Bearer ....",
        "Bearer e30.e30.e30.e30",
    ],
    ids=lambda header: header[:20],
)
async def test_malformed_or_oversized_headers_are_401_not_500(client, jwt_settings, user, header):
    """ "Troubleshooting / Authorization header must be 'Bearer <token>'": malformed, oversized or
    hostile headers are 401s."""
    response = await client.get("/api/jwt/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("path", ["/api/auth/token/refresh/", "/api/auth/token/blacklist/"])
async def test_malformed_refresh_tokens_are_401_not_500(client, jwt_settings, user, path):
    """ "TokenRefreshView" / "TokenBlacklistView": a malformed refresh token is a 401."""
    for raw in ("x", "a.b.c", b64(b"[" * 100_000) + ".e30.c2ln", "\u00e9.\u00e9.\u00e9"):
        response = await client.post(path, {"refresh": raw}, format="json")
        assert response.status_code == 401


_TOKEN_CHARS = st.sampled_from("ABCDEFabcdef0123456789-_.=+/ \u00e9")


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_tokens_never_authenticate_and_never_crash(jwt_settings, user, data):
    """A hypothesis fuzz (fixed seed) of the token string: random strings and valid tokens with a
    character changed, added or removed. The only outcomes are a 401 failure, or (for an edit that
    base64 decoding cannot see) the very same token."""
    original = str(AccessToken.for_user(user))
    kind = data.draw(st.sampled_from(["random", "replace", "insert", "delete"]))
    if kind == "random":
        raw = data.draw(
            st.text(_TOKEN_CHARS, min_size=1, max_size=400).map(str.strip).filter(lambda s: " " not in s and s)
        )
    else:
        at = data.draw(st.integers(0, len(original) - 1))
        char = data.draw(_TOKEN_CHARS.filter(lambda c: c != " "))
        raw = {
            "replace": original[:at] + char + original[at + 1 :],
            "insert": original[:at] + char + original[at:],
            "delete": original[:at] + original[at + 1 :],
        }[kind]
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    try:
        result = JWTAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return
    assert result is not None
    assert _decoded(raw) == _decoded(original)


def _decoded(token):
    parts = token.split(".")
    return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in parts]


async def test_revoke_claim_name_is_configurable(client, jwt_settings, user):
    """Settings reference, REVOKE_TOKEN_CLAIM: the claim carrying the password fingerprint."""
    jwt_settings(CHECK_REVOKE_TOKEN=True, REVOKE_TOKEN_CLAIM="pwd")
    access = AccessToken.for_user(user)
    assert "pwd" in access.payload and "hash_password" not in access.payload
    await refused(client, hs256(claims(user, pwd="0" * 64)), "The user's password has been changed.")
    await accepted(client, access, user)


@pytest.mark.parametrize("backend", ["CacheBlacklistBackend", "ModelBlacklistBackend"])
@pytest.mark.parametrize("claim", [{"jti": "j" * 1000}, {"jti": ""}, {"exp": 10**12}], ids=["long-jti", "empty-jti", "far-exp"])
async def test_signed_tokens_with_out_of_range_claims_are_401_not_500(client, jwt_settings, user, backend, claim):
    """ "What a request with a token goes through": a correctly signed token whose ``jti`` the blacklist
    cannot hold, or whose ``exp`` no datetime can hold, is refused on every path (no 500 on a write)."""
    jwt_settings(BLACKLIST_BACKEND=f"restflow.authentication.jwt.{backend}")
    refresh = hs256(claims(user, token_type="refresh", **claim))
    for path in ("/api/auth/token/refresh/", "/api/auth/token/blacklist/"):
        response = await client.post(path, {"refresh": refresh}, format="json")
        assert response.status_code == 401, (path, response.content)
    await refused(client, hs256(claims(user, **claim)))
