"""A cached product list (invalidated on any product change) and two throttled endpoints."""

import os

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from restflow.caching import InvalidationRule, cache_response
from restflow.throttling import AnonRateThrottle, ExactAnonRateThrottle
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer


class ProductViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    action_configs = {
        "list": ActionConfig(cache=cache_response(
            ttl=300, set_cache_headers=True, invalidates_on=[InvalidationRule(model=Product, trigger_on_create=True)],
        )),
    }


class Pid(AsyncAPIView):
    async def get(self, request):
        return Response({"pid": os.getpid()})


class Exact(Pid):
    throttle_classes = [ExactAnonRateThrottle]


class Compatible(Pid):
    throttle_classes = [AnonRateThrottle]


router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
urlpatterns = [
    path("", include(router.urls)),
    path("pid/", Pid.as_view()),
    path("exact/", Exact.as_view()),
    path("compatible/", Compatible.as_view()),
]
