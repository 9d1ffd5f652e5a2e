"""The default response-cache key follows the host, the active language and the response's Vary.

Through real routing, with Django's LocaleMiddleware choosing the language from Accept-Language.
"""

import pytest
from django.test import override_settings
from django.urls import path
from django.utils.translation import get_language
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from restflow.caching import cache_response
from restflow.views import AsyncAPIView

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
]

WORDS = {"en": "hello", "fr": "bonjour", "de": "hallo"}
runs = []


class Greeting(AsyncAPIView):
    permission_classes = [AllowAny]

    @cache_response(ttl=60, set_cache_headers=True)
    async def get(self, request):
        runs.append(1)
        return Response({"greeting": WORDS[get_language()[:2]], "self": request.build_absolute_uri()})


class Tenanted(AsyncAPIView):
    permission_classes = [AllowAny]

    @cache_response(ttl=60, set_cache_headers=True)
    async def get(self, request):
        response = Response({"tenant": request.headers.get("X-Tenant")})
        response["Vary"] = "X-Tenant"
        return response


urlpatterns = [path("greeting/", Greeting.as_view()), path("tenanted/", Tenanted.as_view())]


@pytest.fixture(autouse=True)
def _i18n(settings):
    runs.clear()
    settings.USE_I18N = True
    settings.LANGUAGES = [("en", "English"), ("fr", "French"), ("de", "German")]
    settings.MIDDLEWARE = ["django.middleware.locale.LocaleMiddleware"]
    settings.ALLOWED_HOSTS = ["shop.example", "other.example"]


async def test_each_language_gets_its_own_entry(client):
    german = await client.get("/greeting/", headers={"Accept-Language": "de"}, HTTP_HOST="shop.example")
    french = await client.get("/greeting/", headers={"Accept-Language": "fr"}, HTTP_HOST="shop.example")
    again = await client.get("/greeting/", headers={"Accept-Language": "fr"}, HTTP_HOST="shop.example")
    assert german.json()["greeting"] == "hallo"
    assert french.json()["greeting"] == again.json()["greeting"] == "bonjour"
    assert french["Content-Language"] == "fr" and again["X-Cache-status"] == "HIT" and len(runs) == 2


async def test_each_host_gets_its_own_entry(client):
    shop = await client.get("/greeting/", HTTP_HOST="shop.example")
    other = await client.get("/greeting/", HTTP_HOST="other.example")
    assert shop.json()["self"] == "http://shop.example/greeting/"
    assert other.json()["self"] == "http://other.example/greeting/" and other["X-Cache-status"] == "MISS"


async def test_headers_the_response_varies_on_are_part_of_the_key(client):
    first = await client.get("/tenanted/", headers={"X-Tenant": "a"}, HTTP_HOST="shop.example")
    second = await client.get("/tenanted/", headers={"X-Tenant": "b"}, HTTP_HOST="shop.example")
    third = await client.get("/tenanted/", headers={"X-Tenant": "a"}, HTTP_HOST="shop.example")
    assert [r.json()["tenant"] for r in (first, second, third)] == ["a", "b", "a"]
    assert third["X-Cache-status"] == "HIT"
