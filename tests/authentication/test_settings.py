"""guide/authentication/jwt.md "Settings reference", "Signing keys and algorithms" (key shape validation,
algorithm rejection), "Custom user-id claim and field", "AUTH_HEADER_TYPES", "USER_AUTHENTICATION_RULE":
every key does what the table says, and a bad value stops with a message saying what to set."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.core.exceptions import ImproperlyConfigured

from restflow.authentication import (
    AccessToken,
    CacheBlacklistBackend,
    JWTAuthentication,
    RefreshToken,
    TokenError,
)
from restflow.authentication._config import jwt_config
from restflow.settings import DEFAULTS
from tests.authentication.conftest import PASSWORD, SIGNING_KEY, bearer, pem_pair

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]
ROOT = Path(__file__).resolve().parents[2]


def require_verified_email(user):
    """guide: "USER_AUTHENTICATION_RULE" (a project's own rule)."""
    return user is not None and user.is_active and user.email.endswith("@verified.example.com")


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"ALGORITHM": "none"}, r"\['ALGORITHM'\] is 'none', which turns signature checks off. Set one of HS256"),
        ({"ALGORITHM": "NONE"}, r"is 'NONE', which turns signature checks off"),
        ({"ALGORITHM": "HS257"}, r"\['ALGORITHM'\] is 'HS257', which is not supported. Set one of"),
        ({"SIGNING_KEY": None}, r"\['SIGNING_KEY'\] is not set. Set a random secret"),
        ({"SIGNING_KEY": "short"}, r"\['SIGNING_KEY'\] is too short for HS256.*Use a longer key"),
        (
            {"SIGNING_KEY": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"},
            r"\['SIGNING_KEY'\] does not fit HS256: .*asymmetric key.*Set a random secret",
        ),
        ({"VERIFYING_KEY": "other" * 20}, r"\['VERIFYING_KEY'\] is set but HS256 signs and verifies with SIGNING_KEY"),
        (
            {"ALGORITHM": "RS256"},
            r"\['VERIFYING_KEY'\] is not set but RS256 verifies with a public key. Set VERIFYING_KEY",
        ),
        ({"ACCESS_TOKEN_LIFETIME": 300}, r"\['ACCESS_TOKEN_LIFETIME'\] is 300. Set a positive datetime.timedelta"),
        ({"REFRESH_TOKEN_LIFETIME": timedelta(0)}, r"\['REFRESH_TOKEN_LIFETIME'\]"),
        ({"LEEWAY": -1}, r"\['LEEWAY'\] is -1"),
        ({"USER_ID_FIELD": "password"}, r"\['USER_ID_FIELD'\] is 'password', which is not in USER_ID_FIELD_ALLOWLIST"),
        ({"USER_ID_FIELD": "uuid"}, r"\['USER_ID_FIELD'\] is 'uuid', which auth.User has no field for"),
        ({"USER_ID_FIELD": "email"}, r"\['USER_ID_FIELD'\] is 'email', which is not unique on auth.User"),
        ({"USER_ID_CLAIM": "exp"}, r"\['USER_ID_CLAIM'\] is 'exp'. Set a claim name other than"),
        ({"AUTH_HEADER_TYPES": ()}, r"\['AUTH_HEADER_TYPES'\] is \(\)"),
        ({"AUTH_HEADER_TYPES": ("Bearer token",)}, r"\['AUTH_HEADER_TYPES'\]"),
        ({"BLACKLIST_ENABLED": "yes"}, r"\['BLACKLIST_ENABLED'\] is 'yes'. Set True or False"),
        ({"USER_AUTHENTICATION_RULE": "no.such.rule"}, r"\['USER_AUTHENTICATION_RULE'\] cannot be imported"),
        ({"USER_AUTHENTICATION_RULE": 42}, r"is 42, which is not callable"),
        ({"BLACKLIST_BACKEND": "no.such.Backend"}, r"\['BLACKLIST_BACKEND'\] cannot be imported"),
        ({"BLACKLIST_BACKEND": object()}, r"which has no blacklist\(\)"),
        ({"BLACKLIST_ALLOW_LOCMEM": False}, r"LocMemCache, which each worker process keeps for itself"),
        ({"BLACKLIST_CACHE_ALIAS": "nowhere"}, r"\['BLACKLIST_CACHE_ALIAS'\] is 'nowhere', which is not in CACHES"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_settings_fail_with_what_to_set(jwt_settings, keys, message):
    """ "Settings reference", "Key shape validation", "Algorithm rejection": each bad value names the
    key and what to set."""
    jwt_settings(**keys)
    with pytest.raises(ImproperlyConfigured, match=message):
        jwt_config()


def test_asymmetric_keys_are_checked_as_a_pair(jwt_settings, rsa_keys, ec_keys):
    """ "Asymmetric": the public key must verify what the private key signs; a public key cannot sign."""
    private, public = rsa_keys
    jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private, VERIFYING_KEY=ec_keys[1])
    with pytest.raises(ImproperlyConfigured, match=r"VERIFYING_KEY'\] does not fit RS256"):
        jwt_config()
    jwt_settings(ALGORITHM="RS256", SIGNING_KEY=public, VERIFYING_KEY=public)
    with pytest.raises(ImproperlyConfigured, match=r"SIGNING_KEY'\] cannot sign with RS256"):
        jwt_config()
    other_private, other_public = ec_keys
    jwt_settings(ALGORITHM="ES256", SIGNING_KEY=other_private, VERIFYING_KEY=ec_keys[1])
    assert jwt_config().ALGORITHM == "ES256"


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512", "RS256", "RS512", "PS256", "ES256", "EdDSA"])
async def test_each_algorithm_family_issues_and_verifies(client, jwt_settings, user, rsa_keys, ec_keys, algorithm):
    """ "Signing keys and algorithms": HMAC and the asymmetric families, end to end."""
    keys = {"RS": rsa_keys, "PS": rsa_keys, "ES": ec_keys, "Ed": pem_pair(ed25519.Ed25519PrivateKey.generate())}
    if algorithm.startswith("HS"):
        jwt_settings(ALGORITHM=algorithm, SIGNING_KEY=SIGNING_KEY + "x" * 64)
    else:
        private, public = keys[algorithm[:2]]
        jwt_settings(ALGORITHM=algorithm, SIGNING_KEY=private, VERIFYING_KEY=public)
    response = await client.post("/api/auth/token/", {"username": "khan", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    me = await client.get("/api/jwt/", **bearer(response.json()["access"]))
    assert me.status_code == 200


async def test_verifier_without_the_private_key(client, jwt_settings, user, rsa_keys):
    """ "Asymmetric": a service holding only VERIFYING_KEY verifies tokens but cannot issue them."""
    private, public = rsa_keys
    jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private, VERIFYING_KEY=public)
    token = AccessToken.for_user(user)
    jwt_settings(ALGORITHM="RS256", SIGNING_KEY=None, VERIFYING_KEY=public)
    assert (await client.get("/api/jwt/", **bearer(token))).status_code == 200
    with pytest.raises(TokenError, match="SIGNING_KEY'\\] is not set"):
        AccessToken.for_user(user)


def test_defaults_are_the_documented_ones():
    """ "Settings reference": the documented defaults."""
    jwt = DEFAULTS["JWT"]
    assert jwt["ALGORITHM"] == "HS256" and jwt["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=5)
    assert jwt["REFRESH_TOKEN_LIFETIME"] == timedelta(days=1) and jwt["BLACKLIST_ENABLED"] is True
    assert jwt["ROTATE_REFRESH_TOKENS"] is True and jwt["LEEWAY"] == 0
    assert jwt["BLACKLIST_BACKEND"] == "restflow.authentication.jwt.CacheBlacklistBackend"


async def test_lifetimes(jwt_settings, user):
    """Settings reference, ACCESS_TOKEN_LIFETIME and REFRESH_TOKEN_LIFETIME."""
    jwt_settings(ACCESS_TOKEN_LIFETIME=timedelta(minutes=15), REFRESH_TOKEN_LIFETIME=timedelta(days=7))
    access, refresh = AccessToken.for_user(user), RefreshToken.for_user(user)
    assert access.exp - access["iat"] == 900 and refresh.exp - refresh["iat"] == 7 * 86400


async def test_custom_user_id_claim_and_field(client, jwt_settings, user):
    """ "Custom user-id claim and field": the token carries {"uid": user.username}, the lookup uses it."""
    jwt_settings(USER_ID_CLAIM="uid", USER_ID_FIELD="username")
    token = AccessToken.for_user(user)
    assert token["uid"] == "khan" and "user_id" not in token.payload
    assert (await client.get("/api/jwt/", **bearer(token))).json()["id"] == user.id


def test_allowlist_can_be_extended(jwt_settings):
    """ "Custom user-id claim and field": a field outside the default allowlist works once allowed."""
    jwt_settings(USER_ID_FIELD="email")
    with pytest.raises(ImproperlyConfigured, match="not in USER_ID_FIELD_ALLOWLIST|not unique"):
        jwt_config()
    jwt_settings(USER_ID_FIELD="last_login", USER_ID_FIELD_ALLOWLIST=("id", "last_login"))
    with pytest.raises(ImproperlyConfigured, match="not unique"):
        jwt_config()


async def test_auth_header_types(client, jwt_settings, user):
    """ "AUTH_HEADER_TYPES": any listed prefix, any case; the first one in WWW-Authenticate."""
    jwt_settings(AUTH_HEADER_TYPES=("JWT", "Bearer"))
    token = str(AccessToken.for_user(user))
    for prefix in ("bearer", "BEARER", "JWT", "jwt"):
        response = await client.get("/api/jwt/", HTTP_AUTHORIZATION=f"{prefix} {token}")
        assert response.status_code == 200
    anonymous = await client.get("/api/jwt/", HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == 'JWT realm="api"'
    jwt_settings(AUTH_HEADER_TYPES="JWT")
    assert JWTAuthentication().authenticate_header(None) == 'JWT realm="api"'


async def test_user_authentication_rule(client, jwt_settings, user, django_user_model):
    """ "USER_AUTHENTICATION_RULE": a dotted path or a callable; False means no tokens."""
    for rule in ("tests.authentication.test_settings.require_verified_email", require_verified_email):
        jwt_settings(USER_AUTHENTICATION_RULE=rule)
        response = await client.post("/api/auth/token/", {"username": "khan", "password": PASSWORD}, format="json")
        assert response.status_code == 401
        assert response.json() == {"detail": "No active account found with the given credentials"}
    await django_user_model.objects.acreate_user("ok", "ok@verified.example.com", PASSWORD)
    response = await client.post("/api/auth/token/", {"username": "ok", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_blacklist_backend_by_path_class_or_instance(jwt_settings):
    """ "Custom backend": BLACKLIST_BACKEND as a dotted path, a class, or an instance."""
    backend = CacheBlacklistBackend()
    for value in ("restflow.authentication.jwt.CacheBlacklistBackend", CacheBlacklistBackend, backend):
        jwt_settings(BLACKLIST_BACKEND=value)
        assert isinstance(jwt_config().blacklist, CacheBlacklistBackend)
    assert jwt_config().blacklist is backend


def _django_setup(jwt_block):
    code = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=['django.contrib.auth', 'django.contrib.contenttypes', "
        f"'rest_framework', 'restflow.authentication'], RESTFLOW_SETTINGS={{'JWT': {jwt_block}}}); django.setup()"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_a_bad_block_stops_startup():
    """The app checks a configured JWT block when Django starts, not at the first request."""
    result = _django_setup("{'ALGORITHM': 'none', 'SIGNING_KEY': 'x' * 64}")
    assert result.returncode != 0
    assert "ImproperlyConfigured: RESTFLOW_SETTINGS['JWT']['ALGORITHM'] is 'none'" in result.stderr
    good = _django_setup("{'SIGNING_KEY': 'x' * 64, 'BLACKLIST_ALLOW_LOCMEM': True}")
    assert good.returncode == 0, good.stderr


def _python(code):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_without_the_extras():
    """index.md "SimpleJWT adapter" and simplejwt.md "Installation": without PyJWT the DRF classes
    and restflow's views still import, and the JWT names raise ImportError naming the extra; the
    adapter without simplejwt does the same."""
    result = _python(
        "import sys; sys.modules['jwt'] = None\n"
        "from django.conf import settings; import django\n"
        "settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != 'restflow.authentication']\n"
        "django.setup()\n"
        "import restflow.views\n"
        "from restflow.authentication import SessionAuthentication, TokenAuthentication\n"
        "try:\n    from restflow.authentication import JWTAuthentication\n"
        "except ImportError as exc:\n    print('ImportError:', exc)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "ImportError: restflow's JWT authentication needs PyJWT: pip install 'restflow-async[jwt]'" in result.stdout
    result = _python(
        "import sys; sys.modules['rest_framework_simplejwt'] = None\n"
        "import django; django.setup()\n"
        "try:\n    import restflow.authentication.simplejwt\n"
        "except ImportError as exc:\n    print('ImportError:', exc)\n"
    )
    assert "pip install 'restflow-async[simplejwt]'" in result.stdout, result.stderr
