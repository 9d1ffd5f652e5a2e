"""Bodies Django refuses to read (over DATA_UPLOAD_MAX_MEMORY_SIZE, too many form fields) get a JSON
error in DRF's shape on restflow's views, not Django's HTML 400 page (issue: fault 9)."""

import json

import pytest
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from restflow.views import AsyncAPIView, AsyncViewSet

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class Echo(AsyncAPIView):
    permission_classes = [AllowAny]

    async def post(self, request):
        return Response({"fields": len(request.data)})


class Notes(AsyncViewSet):
    permission_classes = [AllowAny]

    async def create(self, request):
        return Response({"fields": len(request.data)}, status=201)


router = DefaultRouter()
router.register("notes", Notes, basename="notes")
urlpatterns = [path("echo/", Echo.as_view()), path("", include(router.urls))]


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10


@pytest.mark.parametrize("url", ["/echo/", "/notes/"])
async def test_fault_9_an_oversized_body_is_a_json_413(client, url):
    answer = await client.post(url, data=json.dumps({"text": "x" * 2000}), content_type="application/json")
    assert answer.status_code == 413 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Request body too large: it exceeds the server's DATA_UPLOAD_MAX_MEMORY_SIZE."}


@pytest.mark.parametrize("url", ["/echo/", "/notes/"])
async def test_fault_9_too_many_form_fields_is_a_json_400(client, url):
    form = "&".join(f"f{n}=1" for n in range(11))
    answer = await client.post(url, data=form, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Too many fields: the form has more than the server's DATA_UPLOAD_MAX_NUMBER_FIELDS."}


async def test_bodies_within_the_limits_are_parsed(client):
    answer = await client.post("/echo/", data=json.dumps({"a": 1, "b": 2}), content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"fields": 2}
