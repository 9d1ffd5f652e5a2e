"""Faults 2, 3 and 9 through a real server under both handlers: the response cache and methods,
the cache key and language/host, and bodies Django refuses."""

import json

import pytest

from tests.faults.conftest import HANDLERS

pytestmark = pytest.mark.server


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_2_posts_to_a_cached_view_all_run_and_are_never_served_to_gets(sites, handler):
    site = sites(handler)
    start = site.client.get("/board/").json()["posts"]
    posts = [site.client.post("/board/", json={"text": f"p{n}"}) for n in range(3)]
    assert [answer.json() for answer in posts] == [{"method": "POST", "posts": start + n} for n in (1, 2, 3)]
    assert all("X-Cache-status" not in answer.headers for answer in posts)
    read = site.client.get("/board/", params={"after": "posts"}).json()
    assert read == {"method": "GET", "posts": start + 3}


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_3_a_language_or_host_never_gets_anothers_cached_answer(sites, handler):
    site = sites(handler)
    german = site.client.get("/greeting/", headers={"Accept-Language": "de"}).json()
    french = site.client.get("/greeting/", headers={"Accept-Language": "fr"}).json()
    other_host = site.client.get("/greeting/", headers={"Accept-Language": "de", "Host": "other.example"}).json()
    assert (german["greeting"], french["greeting"]) == ("hallo", "bonjour")
    assert other_host["self"] == "http://other.example/greeting/"


@pytest.mark.parametrize("handler", HANDLERS)
def test_fault_9_refused_bodies_get_json_errors(sites, handler):
    site = sites(handler)
    big = site.client.post("/echo/", content=json.dumps({"text": "x" * 3_000_000}),
                           headers={"Content-Type": "application/json"})
    form = site.client.post("/echo/", content="&".join(f"f{n}=1" for n in range(1200)),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (big.status_code, big.headers["Content-Type"]) == (413, "application/json")
    assert (form.status_code, form.headers["Content-Type"]) == (400, "application/json")
    assert "detail" in big.json() and "detail" in form.json()
