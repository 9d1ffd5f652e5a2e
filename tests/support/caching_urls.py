"""Routes for test_caching: cached viewset actions, async and sync views, and a function view."""

import asyncio

from django.urls import include, path
from rest_framework import renderers
from rest_framework.decorators import action, api_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from restflow.caching import InvalidationRule, cache_response, cache_result, set_response_cache_header
from restflow.responses import Response as RestflowResponse
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet, ModelViewSet
from tests.support.testapp.models import Product
from tests.support.testapp.serializers import ProductSerializer

calls = {"list": 0, "slow": 0, "sync": 0, "fbv": 0, "whoami": 0, "payload": 0, "me": 0}

list_cache = cache_response(
    ttl=60, set_cache_headers=True, invalidates_on=[InvalidationRule(model=Product, trigger_on_create=True)]
)


class ProductViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]
    action_configs = {"list": ActionConfig(cache=list_cache)}

    async def list(self, request, *args, **kwargs):
        calls["list"] += 1
        return await super().list(request, *args, **kwargs)

    @cache_response(
        ttl=60, set_cache_headers=True, invalidates_on=[InvalidationRule(model=Product, field_mapping={"pk": "pk"})]
    )
    async def retrieve(self, request, *args, **kwargs):
        return await super().retrieve(request, *args, **kwargs)

    @action(detail=False, methods=["get"])
    @cache_response(ttl=60, set_cache_headers=True)
    async def slow(self, request):
        calls["slow"] += 1
        await asyncio.sleep(0.05)
        return Response({"computed": calls["slow"]})


class OtherProductViewSet(ProductViewSet):
    """Inherits the cached list: its entries must stay apart from ProductViewSet's."""

    queryset = Product.objects.filter(in_stock=False)


class SyncProductViewSet(ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [AllowAny]
    action_configs = {"list": ActionConfig(cache=cache_response(ttl=60, set_cache_headers=True))}


class TextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return f"whoami: {data['user']}".encode()


class WhoAmI(AsyncAPIView):
    """The answer depends on who asks and on the negotiated format."""

    permission_classes = [AllowAny]
    renderer_classes = [renderers.JSONRenderer, TextRenderer]

    @cache_response(ttl=60, set_cache_headers=True)
    async def get(self, request):
        calls["whoami"] += 1
        user = request.user.username if request.user.is_authenticated else None
        return Response({"user": user})


class SyncTimeline(APIView):
    permission_classes = [AllowAny]

    @cache_response(ttl=60, set_cache_headers=True, cache_if=lambda response: response.status_code < 400)
    def get(self, request):
        calls["sync"] += 1
        if request.query_params.get("fail"):
            return Response({"error": "asked to fail"}, status=400)
        return Response({"items": [1, 2, 3], "q": request.query_params.get("q")})


@api_view(["GET"])
@cache_response(ttl=60)
def timeline(request):
    calls["fbv"] += 1
    return Response({"calls": calls["fbv"]})


@cache_result(ttl=300)
def user_payload(user_id):
    calls["payload"] += 1
    return {"user": user_id}


@api_view(["GET"])
def user_view(request, user_id):
    value, metadata = user_payload.get_with_metadata(user_id)
    return set_response_cache_header(Response(value), metadata)


class UserMeView(AsyncAPIView):
    """The async view of the cache_response guide, answering restflow's Response."""

    permission_classes = [AllowAny]

    @cache_response(ttl=60)
    async def get(self, request):
        calls["me"] += 1
        return RestflowResponse({"me": calls["me"]})


router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
router.register("other-products", OtherProductViewSet, basename="other-product")
router.register("sync-products", SyncProductViewSet, basename="sync-product")

urlpatterns = [
    path("", include(router.urls)),
    path("whoami/", WhoAmI.as_view()),
    path("timeline/", SyncTimeline.as_view()),
    path("fbv/", timeline),
    path("users/<int:user_id>/payload/", user_view),
    path("me/", UserMeView.as_view()),
]
