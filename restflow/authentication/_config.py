"""``RESTFLOW_SETTINGS["JWT"]`` read once, checked, and turned into what the JWT code uses.

Every key is checked when the block is first used (and at startup by the app's ``ready()``): an
algorithm outside the allowed families (``none`` above all), a key of the wrong shape or too
short for its algorithm, an asymmetric algorithm without a ``VERIFYING_KEY`` (or with one that
does not match the ``SIGNING_KEY``), an unknown or non-unique ``USER_ID_FIELD``, a blacklist
backend that cannot work. Each raises ``ImproperlyConfigured`` saying what to set. The result is
cached until Django reports a change of ``RESTFLOW_SETTINGS``.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.utils.module_loading import import_string

from restflow.settings import SETTING_NAME, restflow_settings

try:
    import jwt as pyjwt
except ImportError as exc:  # the optional extra
    raise ImportError("restflow's JWT authentication needs PyJWT: pip install 'restflow-async[jwt]'") from exc

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES256K",
    "ES384",
    "ES512",
    "EdDSA",
)
ALLOWED_ALGORITHMS = HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS
# Claims the token classes write themselves: USER_ID_CLAIM and REVOKE_TOKEN_CLAIM may not reuse them.
RESERVED_CLAIMS = ("token_type", "exp", "iat", "nbf", "jti", "iss", "aud")
_BOOLEANS = (
    "BLACKLIST_ENABLED",
    "BLACKLIST_ALLOW_LOCMEM",
    "ROTATE_REFRESH_TOKENS",
    "CHECK_USER_IS_ACTIVE",
    "CHECK_REVOKE_TOKEN",
)


def _name(key):
    return f"{SETTING_NAME}['JWT'][{key!r}]"


def _fail(key, problem, fix):
    raise ImproperlyConfigured(f"{_name(key)} {problem}. {fix}")


class JWTConfig:
    """The checked JWT settings: the raw values as attributes (``ALGORITHM``...), plus
    ``signing_key``/``verifying_key`` (parsed key objects), ``header_types`` (lower case),
    ``leeway`` (seconds), ``rule`` (the user authentication rule) and ``blacklist`` (the backend)."""

    def __init__(self, section):
        for key in section.keys():
            setattr(self, key, getattr(section, key))
        for key in _BOOLEANS:
            if not isinstance(getattr(self, key), bool):
                _fail(key, f"is {getattr(self, key)!r}", "Set True or False")
        self._check_algorithm_and_keys()
        self._check_lifetimes()
        self._check_claims()
        self._check_user_id_field()
        self._check_header_types()
        self.rule = self._callable("USER_AUTHENTICATION_RULE")
        self.blacklist = self._blacklist_backend()

    def _check_algorithm_and_keys(self):
        algorithm = self.ALGORITHM
        if str(algorithm).lower() == "none":
            _fail(
                "ALGORITHM",
                f"is {algorithm!r}, which turns signature checks off",
                f"Set one of {', '.join(ALLOWED_ALGORITHMS)}",
            )
        if algorithm not in ALLOWED_ALGORITHMS:
            _fail(
                "ALGORITHM", f"is {algorithm!r}, which is not supported", f"Set one of {', '.join(ALLOWED_ALGORITHMS)}"
            )
        codec = pyjwt.get_algorithm_by_name(algorithm)
        symmetric = algorithm in HMAC_ALGORITHMS
        if symmetric:
            if self.SIGNING_KEY is None:
                _fail("SIGNING_KEY", "is not set", "Set a random secret, e.g. secrets.token_urlsafe(64)")
            if self.VERIFYING_KEY not in (None, self.SIGNING_KEY):
                _fail(
                    "VERIFYING_KEY",
                    f"is set but {algorithm} signs and verifies with SIGNING_KEY",
                    "Leave VERIFYING_KEY unset for HMAC algorithms",
                )
        elif self.VERIFYING_KEY is None:
            _fail(
                "VERIFYING_KEY",
                f"is not set but {algorithm} verifies with a public key",
                "Set VERIFYING_KEY to the PEM-encoded public key matching SIGNING_KEY",
            )
        self.signing_key = None if self.SIGNING_KEY is None else self._key(codec, "SIGNING_KEY", self.SIGNING_KEY)
        self.verifying_key = self.signing_key if symmetric else self._key(codec, "VERIFYING_KEY", self.VERIFYING_KEY)
        if self.signing_key is not None:
            try:
                matches = codec.verify(b"probe", self.verifying_key, codec.sign(b"probe", self.signing_key))
            except Exception as exc:  # a public key given as SIGNING_KEY cannot sign
                _fail(
                    "SIGNING_KEY",
                    f"cannot sign with {algorithm} ({exc})",
                    "Set the private key (PEM) as SIGNING_KEY and the public key as VERIFYING_KEY",
                )
            if not matches:
                _fail(
                    "VERIFYING_KEY",
                    "does not verify what SIGNING_KEY signs",
                    "Set the public key of the SIGNING_KEY pair",
                )

    def _key(self, codec, key, value):
        """The key parsed for the algorithm; its shape and length checked."""
        try:
            prepared = codec.prepare_key(value)
        except (pyjwt.InvalidKeyError, ValueError, TypeError) as exc:
            kind = (
                "a random secret (e.g. secrets.token_urlsafe(64))"
                if self.ALGORITHM in HMAC_ALGORITHMS
                else ("a PEM-encoded key of the algorithm's family")
            )
            _fail(key, f"does not fit {self.ALGORITHM}: {exc}", f"Set {kind}")
        short = codec.check_key_length(prepared)
        if short:
            _fail(
                key, f"is too short for {self.ALGORITHM}: {short}", "Use a longer key, e.g. secrets.token_urlsafe(64)"
            )
        return prepared

    def _check_lifetimes(self):
        for key in ("ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME"):
            value = getattr(self, key)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                _fail(key, f"is {value!r}", "Set a positive datetime.timedelta")
        leeway = self.LEEWAY
        if isinstance(leeway, timedelta):
            leeway = leeway.total_seconds()
        if isinstance(leeway, bool) or not isinstance(leeway, (int, float)) or leeway < 0:
            _fail("LEEWAY", f"is {self.LEEWAY!r}", "Set a number of seconds (0 or more) or a timedelta")
        self.leeway = leeway

    def _check_claims(self):
        for key in ("USER_ID_CLAIM", "REVOKE_TOKEN_CLAIM"):
            value = getattr(self, key)
            if not isinstance(value, str) or not value or value in RESERVED_CLAIMS:
                _fail(key, f"is {value!r}", f"Set a claim name other than {', '.join(RESERVED_CLAIMS)}")
        if self.CHECK_REVOKE_TOKEN and self.REVOKE_TOKEN_CLAIM == self.USER_ID_CLAIM:
            _fail("REVOKE_TOKEN_CLAIM", "is the same claim as USER_ID_CLAIM", "Give the two claims different names")
        for key in ("ISSUER", "AUDIENCE"):
            if getattr(self, key) is not None and not isinstance(getattr(self, key), str):
                _fail(key, f"is {getattr(self, key)!r}", "Set a string, or None to leave the claim out")

    def _check_user_id_field(self):
        field_name, allowed = self.USER_ID_FIELD, tuple(self.USER_ID_FIELD_ALLOWLIST)
        if field_name not in allowed:
            _fail(
                "USER_ID_FIELD",
                f"is {field_name!r}, which is not in USER_ID_FIELD_ALLOWLIST {allowed!r}",
                "Use a stable public identifier, or add the field to USER_ID_FIELD_ALLOWLIST",
            )
        user_model = get_user_model()
        if field_name == "pk":
            return
        try:
            field = user_model._meta.get_field(field_name)
        except FieldDoesNotExist:
            _fail(
                "USER_ID_FIELD",
                f"is {field_name!r}, which {user_model._meta.label} has no field for",
                "Set the name of a unique field of the user model",
            )
        if not (field.unique or _single_field_constraint(user_model, field_name)):
            _fail(
                "USER_ID_FIELD",
                f"is {field_name!r}, which is not unique on {user_model._meta.label}",
                "Set a unique field (a token must name one user)",
            )

    def _check_header_types(self):
        types = self.AUTH_HEADER_TYPES
        if isinstance(types, str):
            types = (types,)
        if not types or not all(isinstance(t, str) and t and not t.split()[1:] and t.strip() == t for t in types):
            _fail("AUTH_HEADER_TYPES", f"is {self.AUTH_HEADER_TYPES!r}", 'Set a tuple of words, e.g. ("Bearer",)')
        self.header_types = tuple(types)
        self.header_types_lower = frozenset(t.lower() for t in types)

    def _callable(self, key):
        value = getattr(self, key)
        if isinstance(value, str):
            try:
                value = import_string(value)
            except ImportError as exc:
                _fail(key, f"cannot be imported ({exc})", "Set a dotted path to a callable, or the callable")
        if not callable(value):
            _fail(key, f"is {value!r}, which is not callable", "Set a dotted path to a callable, or the callable")
        return value

    def _blacklist_backend(self):
        from_settings = self.BLACKLIST_BACKEND
        if isinstance(from_settings, str):
            try:
                from_settings = import_string(from_settings)
            except ImportError as exc:
                _fail("BLACKLIST_BACKEND", f"cannot be imported ({exc})", "Set a dotted path, a class or an instance")
        backend = from_settings() if isinstance(from_settings, type) else from_settings
        for method in ("blacklist", "is_blacklisted", "ablacklist", "ais_blacklisted"):
            if not callable(getattr(backend, method, None)):
                _fail(
                    "BLACKLIST_BACKEND",
                    f"is {self.BLACKLIST_BACKEND!r}, which has no {method}()",
                    "Set a BlacklistBackend subclass (dotted path, class or instance)",
                )
        if self.BLACKLIST_ENABLED and callable(getattr(backend, "check", None)):
            backend.check(self)
        return backend


def _single_field_constraint(model, field_name):
    return any(
        isinstance(c, models.UniqueConstraint) and tuple(c.fields) == (field_name,) and c.condition is None
        for c in model._meta.constraints
    )


_cache: dict[str, JWTConfig] = {}


def jwt_config():
    """The checked JWT settings (built on first use; ImproperlyConfigured when they are wrong)."""
    config = _cache.get("config")
    if config is None:
        config = _cache["config"] = JWTConfig(restflow_settings.JWT)
    return config


def _forget(*, setting, **kwargs):
    if setting in (SETTING_NAME, "CACHES", "AUTH_USER_MODEL", "INSTALLED_APPS"):
        _cache.clear()


setting_changed.connect(_forget)
