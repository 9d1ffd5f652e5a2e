"""Views and URLs for tests/errors/test_exception_handler.py: the same failures raised from restflow's
async views, restflow viewsets, DRF's sync APIView and DRF's ``@api_view`` functions."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action, api_view, authentication_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from restflow.exceptions import APIException, ErrorCode
from restflow.views import AsyncAPIView, AsyncModelViewSet
from tests.support.testapp.models import Product


class ProductLockedException(APIException):
    code = ErrorCode.CONFLICT.value
    status_code = 409
    default_detail = "The product is locked for editing."


class TenantQuotaExceeded(APIException):
    code = "tenant_quota_exceeded"
    status_code = 402
    default_detail = "Quota exceeded for this tenant."


class TeapotError(exceptions.APIException):
    """A DRF exception the envelope has no row for."""

    status_code = 418
    default_detail = "I'm a teapot."


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    qty = serializers.IntegerField(min_value=1)


class OrderSerializer(serializers.Serializer):
    email = serializers.EmailField()
    age = serializers.IntegerField(min_value=1)
    lines = LineSerializer(many=True)
    shipping = LineSerializer()
    tags = serializers.ListField(child=serializers.IntegerField())


class TimeoutException(Exception):
    """An application error a project handler maps itself."""

    seconds = 5


def _validate(data, many=False):
    serializer = (LineSerializer(data=data, many=True) if many else OrderSerializer(data=data))
    serializer.is_valid(raise_exception=True)


def _raise(exc):
    raise exc


# Each failure by name; the views below raise the one named in the URL.
FAILURES = {
    "not_authenticated": lambda: _raise(exceptions.NotAuthenticated()),
    "authentication_failed": lambda: _raise(exceptions.AuthenticationFailed()),
    "permission_denied": lambda: _raise(exceptions.PermissionDenied()),
    "django_permission_denied": lambda: _raise(DjangoPermissionDenied()),
    "django_permission_denied_message": lambda: _raise(DjangoPermissionDenied("Staff only.")),
    "not_found": lambda: _raise(exceptions.NotFound("No such order.")),
    "http404": lambda: _raise(Http404("No Product matches the given query.")),
    "does_not_exist": lambda: _raise(Product.DoesNotExist("Product matching query does not exist.")),
    "method_not_allowed": lambda: _raise(exceptions.MethodNotAllowed("DELETE")),
    "not_acceptable": lambda: _raise(exceptions.NotAcceptable()),
    "unsupported_media_type": lambda: _raise(exceptions.UnsupportedMediaType("text/csv")),
    "parse_error": lambda: _raise(exceptions.ParseError()),
    "throttled": lambda: _raise(exceptions.Throttled(wait=30)),
    "throttled_no_wait": lambda: _raise(exceptions.Throttled()),
    "validation_fields": lambda: _validate({"email": "nope", "age": 0}),
    "validation_list": lambda: _raise(exceptions.ValidationError(["Account is locked."])),
    "validation_nested": lambda: _validate(
        {"email": "a@example.com", "age": 3, "lines": [{"sku": "A", "qty": 1}, {"sku": "", "qty": 0}],
         "shipping": {"qty": "x"}, "tags": [1, "two"]}
    ),
    "validation_many": lambda: _validate([{"sku": "A", "qty": 1}, {"qty": 0}], many=True),
    "django_validation": lambda: _raise(DjangoValidationError("Out of stock.")),
    "django_validation_fields": lambda: _raise(
        DjangoValidationError({"sku": ["Unknown SKU."], "qty": ["Too many."]})
    ),
    "restflow_subclass": lambda: _raise(ProductLockedException(details={"locked_by": 7})),
    "restflow_quota": lambda: _raise(TenantQuotaExceeded()),
    "restflow_direct": lambda: _raise(
        APIException("Insufficient balance.", code="insufficient_balance", status_code=402,
                     details={"required": 100, "available": 25})
    ),
    "restflow_enum_code": lambda: _raise(
        APIException("Custom error", code=ErrorCode.VALIDATION_ERROR, details={"field": ["bad value"]},
                     status_code=422)
    ),
    "restflow_dict_detail": lambda: _raise(
        ProductLockedException({"sku": ["locked"]})
    ),
    "drf_other": lambda: _raise(TeapotError()),
    "drf_other_dict": lambda: _raise(TeapotError({"pot": ["empty"]})),
    "timeout": lambda: _raise(TimeoutException()),
    "uncaught": lambda: 1 / 0,
}


class AsyncFailingView(AsyncAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = []

    async def get(self, request, name):
        FAILURES[name]()


class SyncHandlerFailingView(AsyncAPIView):
    """An async view whose handler is a plain function (run in a thread hop)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = []

    def get(self, request, name):
        FAILURES[name]()


class DRFFailingView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = []

    def get(self, request, name):
        FAILURES[name]()


@api_view(["GET"])
@authentication_classes([TokenAuthentication])
def drf_failing_function(request, name):
    FAILURES[name]()


class FailingViewSet(AsyncModelViewSet):
    queryset = Product.objects.all()
    authentication_classes = [TokenAuthentication]
    permission_classes = []

    @action(detail=False, methods=["get"], url_path=r"fail/(?P<name>\w+)")
    async def fail(self, request, name):
        FAILURES[name]()


class ThrottleThirty(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 29.2


class ThrottleUnknownWait(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return None


class AsyncThrottledView(AsyncAPIView):
    permission_classes = []
    throttle_classes = [ThrottleThirty]

    async def get(self, request):
        return Response({"ok": True})


class DRFThrottledView(APIView):
    permission_classes = []
    throttle_classes = [ThrottleThirty]

    def get(self, request):
        return Response({"ok": True})


class AsyncThrottledNoWaitView(AsyncThrottledView):
    throttle_classes = [ThrottleUnknownWait]


class AsyncTokenView(AsyncAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return Response({"ok": True})


class DRFTokenView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


class AsyncSessionView(AsyncTokenView):
    authentication_classes = [SessionAuthentication]


class AsyncMissingProductView(AsyncAPIView):
    """A real query for a row that is not there: Django's DoesNotExist from the async ORM."""

    permission_classes = []

    async def get(self, request):
        await Product.objects.aget(pk=0)


class AsyncProductView(AsyncAPIView):
    """PUT parses JSON (a ParseError on bad input), GET only; others are a 405."""

    permission_classes = []

    async def get(self, request):
        return Response({"ok": True})

    async def put(self, request):
        return Response(request.data)


router = DefaultRouter()
router.register("viewset", FailingViewSet, basename="failing")

urlpatterns = [
    path("async/<str:name>/", AsyncFailingView.as_view()),
    path("async-sync-handler/<str:name>/", SyncHandlerFailingView.as_view()),
    path("drf/<str:name>/", DRFFailingView.as_view()),
    path("drf-function/<str:name>/", drf_failing_function),
    path("throttled/async/", AsyncThrottledView.as_view()),
    path("throttled/drf/", DRFThrottledView.as_view()),
    path("throttled/no-wait/", AsyncThrottledNoWaitView.as_view()),
    path("token/async/", AsyncTokenView.as_view()),
    path("token/drf/", DRFTokenView.as_view()),
    path("session/async/", AsyncSessionView.as_view()),
    path("product/", AsyncProductView.as_view()),
    path("missing/", AsyncMissingProductView.as_view()),
    *router.urls,
]
