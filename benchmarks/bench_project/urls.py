"""One URLconf for the contenders (ninja's only when django-ninja is installed)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import NINJA_INSTALLED, views

restflow_router = DefaultRouter()
restflow_router.register("products", views.RestflowProductViewSet, basename="restflow-product")
drf_router = DefaultRouter()
drf_router.register("products", views.DRFProductViewSet, basename="drf-product")

urlpatterns = [
    path("restflow/", include(restflow_router.urls)),
    path("drf/", include(drf_router.urls)),
    path("plain/products/", views.plain_products),
    path("plain/products/ping/", views.plain_ping),
    path("plain/products/<int:pk>/", views.plain_product),
]

if NINJA_INSTALLED:
    from .ninja_api import api

    urlpatterns.append(path("ninja/", api.urls))
