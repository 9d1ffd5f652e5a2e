"""Signed JSON Web Tokens: encoding, decoding, and the access and refresh token classes.

A token is checked against the configured algorithm only (never the one its header names), its
signature, ``exp``/``nbf``/``iat`` (with ``LEEWAY``), ``iss``/``aud`` when configured, the claims
every token must carry, and its ``token_type``. Any failure is a ``TokenError``.
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

import jwt as pyjwt
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from restflow.authentication._config import RESERVED_CLAIMS, jwt_config

ACCESS_TOKEN_TYPE = "access"
REFRESH_TOKEN_TYPE = "refresh"
# Claims a decoded token must carry, whatever else it holds.
REQUIRED_CLAIMS = ("token_type", "exp", "iat", "jti")
# The longest ``jti`` a token may carry: the blacklist table's column (BlacklistedToken.jti) holds 128.
MAX_JTI_LENGTH = 128
# The latest ``exp`` a token may carry: 9999-12-31T23:59:59Z, the last second a datetime can hold
# (a blacklist keeps a revoked token until it expires).
LATEST_EXP = 253_402_300_799
_REVOKE_SALT = "restflow.authentication.revoke_token"


class TokenError(Exception):
    """A token that cannot be encoded, decoded or verified (bad signature, expired, wrong type...)."""


def now():
    """The current time in UTC (the project's TIME_ZONE plays no part in token times)."""
    return datetime.now(tz=UTC)


def encode_token(payload):
    """``payload`` signed with the configured key and algorithm, as a string."""
    config = jwt_config()
    if config.signing_key is None:
        raise TokenError(
            _("RESTFLOW_SETTINGS['JWT']['SIGNING_KEY'] is not set: this service can verify tokens but not issue them.")
        )
    return pyjwt.encode(payload, config.signing_key, algorithm=config.ALGORITHM)


def decode_token(raw):
    """The verified claims of ``raw``; ``TokenError`` when it is not a valid token."""
    config = jwt_config()
    try:
        payload = pyjwt.decode(
            raw,
            config.verifying_key,
            algorithms=[config.ALGORITHM],
            issuer=config.ISSUER,
            audience=config.AUDIENCE,
            leeway=config.leeway,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except pyjwt.ExpiredSignatureError as exc:
        raise TokenError(_("Token has expired.")) from exc
    except pyjwt.ImmatureSignatureError as exc:
        raise TokenError(_("Token is not yet valid.")) from exc
    except pyjwt.InvalidTokenError as exc:
        raise TokenError(_("Token is invalid: {reason}").format(reason=exc)) from exc
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # hostile JSON in the token
        raise TokenError(_("Token is invalid.")) from exc
    jti = payload["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise TokenError(_("Token has an invalid 'jti' claim."))
    if payload["exp"] > LATEST_EXP:
        raise TokenError(_("Token has an invalid 'exp' claim."))
    return payload


def password_fingerprint(user, secret=None):
    """A keyed hash of the user's password hash: it changes when the password does."""
    return salted_hmac(_REVOKE_SALT, user.password, secret=secret, algorithm="sha256").hexdigest()


def password_unchanged(user, fingerprint):
    """True when ``fingerprint`` was made from the user's current password (any SECRET_KEY in use)."""
    if not isinstance(fingerprint, str):
        return False
    return any(
        constant_time_compare(fingerprint, password_fingerprint(user, secret))
        for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    )


def build_jwt_payload(user, *, token_type, lifetime):
    """The claims of a new token of ``token_type`` for ``user``, valid for ``lifetime``."""
    config = jwt_config()
    user_id = getattr(user, config.USER_ID_FIELD)
    payload = _timed_claims(token_type, lifetime)
    payload[config.USER_ID_CLAIM] = user_id if isinstance(user_id, (int, str)) else str(user_id)
    if config.CHECK_REVOKE_TOKEN:
        payload[config.REVOKE_TOKEN_CLAIM] = password_fingerprint(user)
    return payload


def _timed_claims(token_type, lifetime):
    config = jwt_config()
    issued = now()
    claims = {
        "token_type": token_type,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    if config.ISSUER is not None:
        claims["iss"] = config.ISSUER
    if config.AUDIENCE is not None:
        claims["aud"] = config.AUDIENCE
    return claims


@dataclass(frozen=True)
class Token:
    """A signed token: its claims (``payload``) and the signed string (``str(token)``)."""

    token_type: ClassVar[str] = ""
    lifetime_setting: ClassVar[str] = ""

    payload: dict = field(default_factory=dict)
    raw: str = ""

    def __str__(self):
        return self.raw

    def __getitem__(self, claim):
        return self.payload[claim]

    def get(self, claim, default=None):
        """The value of ``claim``, or ``default``."""
        return self.payload.get(claim, default)

    @property
    def jti(self):
        """The token's unique id (the blacklist's key)."""
        return self.payload["jti"]

    @property
    def exp(self):
        """The expiry time, in seconds since the epoch."""
        return int(self.payload["exp"])

    @classmethod
    def lifetime(cls):
        return getattr(jwt_config(), cls.lifetime_setting)

    @classmethod
    def for_user(cls, user):
        """A new signed token for ``user``."""
        payload = build_jwt_payload(user, token_type=cls.token_type, lifetime=cls.lifetime())
        return cls(payload=payload, raw=encode_token(payload))

    @classmethod
    def from_claims(cls, claims):
        """A new signed token carrying ``claims`` (minus the timed ones, which are made afresh)."""
        payload = {name: value for name, value in claims.items() if name not in RESERVED_CLAIMS}
        payload.update(_timed_claims(cls.token_type, cls.lifetime()))
        return cls(payload=payload, raw=encode_token(payload))

    @classmethod
    def verify(cls, raw):
        """The token ``raw`` verified (signature, times, issuer, audience, type); ``TokenError`` otherwise."""
        payload = decode_token(raw)
        if payload.get("token_type") != cls.token_type:
            raise TokenError(_("Wrong token type, expected {expected!r}.").format(expected=cls.token_type))
        return cls(payload=payload, raw=raw)

    def blacklist(self):
        """Blacklist this token until it expires (sync code)."""
        jwt_config().blacklist.blacklist(self.jti, expires_at=self.exp)

    async def ablacklist(self):
        """Blacklist this token until it expires."""
        await jwt_config().blacklist.ablacklist(self.jti, expires_at=self.exp)


@dataclass(frozen=True)
class AccessToken(Token):
    """The short-lived token a client sends on every request (``Authorization: Bearer <token>``)."""

    token_type: ClassVar[str] = ACCESS_TOKEN_TYPE
    lifetime_setting: ClassVar[str] = "ACCESS_TOKEN_LIFETIME"


@dataclass(frozen=True)
class RefreshToken(Token):
    """The long-lived token a client trades for new access tokens without logging in again."""

    token_type: ClassVar[str] = REFRESH_TOKEN_TYPE
    lifetime_setting: ClassVar[str] = "REFRESH_TOKEN_LIFETIME"

    @property
    def access_token(self):
        """A new access token with this token's claims (user id, revoke claim, custom claims)."""
        return AccessToken.from_claims(self.payload)

    def rotate(self):
        """A new refresh token with this token's claims, a new id and a full lifetime."""
        return RefreshToken.from_claims(self.payload)
