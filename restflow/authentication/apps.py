"""The Django app: the blacklist table, and the JWT settings checked at startup."""

from django.apps import AppConfig, apps
from django.conf import settings

from restflow.authentication._config import jwt_config


class AuthenticationConfig(AppConfig):
    """``"restflow.authentication"`` in INSTALLED_APPS: the ``BlacklistedToken`` model, the JWT
    settings checked when Django starts (a configured ``RESTFLOW_SETTINGS["JWT"]`` block that is
    wrong stops startup with a message saying what to set), and the JWT security scheme in
    drf-spectacular's schema when drf-spectacular is installed."""

    name = "restflow.authentication"
    label = "restflow_authentication"
    verbose_name = "restflow authentication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        if (getattr(settings, "RESTFLOW_SETTINGS", None) or {}).get("JWT"):
            jwt_config()
        if apps.is_installed("drf_spectacular"):
            from restflow.authentication import openapi  # noqa: F401 (the extension registers itself)
