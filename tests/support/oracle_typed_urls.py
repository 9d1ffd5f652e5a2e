"""The oracle's URLs plus a typed side: the blog with serializers declared by annotation, under /typed/."""

from django.urls import include, path

from tests.support.oracle_urls import side_urls, urlpatterns as oracle_urlpatterns
from tests.support.oracleapp import views_typed

urlpatterns = [*oracle_urlpatterns, path("typed/", include((side_urls(views_typed), "typed"), namespace="typed"))]
