"""Fixtures of the authentication tests: a JWT settings block, users, keys, and token helpers."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SIGNING_KEY = "restflow-test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
BASE_JWT = {"SIGNING_KEY": SIGNING_KEY, "BLACKLIST_ALLOW_LOCMEM": True}
PASSWORD = "s3cret-pass"


def pem_pair(private_key):
    """(private PEM, public PEM) strings of a cryptography private key."""
    private = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="session")
def rsa_keys():
    return pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def ec_keys():
    return pem_pair(ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def jwt_settings(settings):
    """``jwt_settings(**keys)`` sets RESTFLOW_SETTINGS["JWT"] to the base block plus ``keys``."""

    def apply(**keys):
        settings.RESTFLOW_SETTINGS = {"JWT": {**BASE_JWT, **keys}}

    apply()
    return apply


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("khan", "khan@example.com", PASSWORD)


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def split(token):
    """(header, payload, signature) of a compact JWT, the first two decoded."""
    header, payload, signature = str(token).split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )
