from django.apps import AppConfig


class FaultSiteConfig(AppConfig):
    name = "tests.faults.site"
    label = "faultsite"
    default_auto_field = "django.db.models.AutoField"
