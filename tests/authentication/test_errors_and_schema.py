"""The error envelope's shape for authentication failures (when the envelope is on), and the JWT
security scheme in drf-spectacular's schema (guide/spectacular)."""

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator

from restflow.authentication import AccessToken
from tests.authentication.conftest import bearer
from tests.support.authentication_urls import JWTOnlyView, ProfileView

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.authentication_urls")]


@pytest.fixture
def envelope(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}


async def test_envelope_shapes_keep_www_authenticate(client, jwt_settings, user, envelope):
    """jwt.md "Error handling and 401 responses", with the error envelope on: its shapes, and WWW-Authenticate kept."""
    missing = await client.get("/api/jwt/")
    assert missing.status_code == 401 and missing["WWW-Authenticate"] == 'Bearer realm="api"'
    assert missing.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "details": {},
        }
    }
    access = AccessToken.for_user(user)
    await access.ablacklist()
    revoked = await client.get("/api/jwt/", **bearer(access))
    assert revoked.status_code == 401 and revoked["WWW-Authenticate"] == 'Bearer realm="api"'
    assert revoked.json() == {
        "error": {"code": "authentication_failed", "message": "Token is blacklisted.", "details": {}}
    }
    login = await client.post("/api/auth/token/", {"username": "khan", "password": "wrong"}, format="json")
    assert login.status_code == 401 and login["WWW-Authenticate"] == 'Bearer realm="api"'
    assert login.json()["error"]["code"] == "authentication_failed"
    invalid = await client.post("/api/auth/token/", {"username": "khan"}, format="json")
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "validation_error"


def _schema():
    patterns = [path("profile/", ProfileView.as_view()), path("jwt/", JWTOnlyView.as_view())]
    return SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)


def test_spectacular_security_scheme(jwt_settings):
    """JWTAuthentication in the schema: an HTTP bearer scheme, on each operation it guards."""
    schema = _schema()
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {"jwtAuth": []} in schema["paths"]["/jwt/"]["get"]["security"]
    assert {"jwtAuth": []} in schema["paths"]["/profile/"]["get"]["security"]


def test_spectacular_scheme_follows_auth_header_types(jwt_settings):
    """ "AUTH_HEADER_TYPES": a first prefix other than Bearer is described as an Authorization API key."""
    jwt_settings(AUTH_HEADER_TYPES=("JWT",))
    scheme = _schema()["components"]["securitySchemes"]["jwtAuth"]
    assert scheme["type"] == "apiKey" and scheme["name"] == "Authorization" and '"JWT"' in scheme["description"]
