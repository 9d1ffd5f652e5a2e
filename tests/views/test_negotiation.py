"""Content negotiation remembered per Accept header: always DRF's answer."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from restflow import negotiation
from restflow.views import AsyncAPIView

factory = APIRequestFactory()


class View(AsyncAPIView):
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, renderers.StaticHTMLRenderer]


def view_for(django_request, format_kwarg=None, view_class=View):
    view = view_class()
    view.format_kwarg = format_kwarg
    view.args, view.kwargs = (), {}
    view.request = view.initialize_request(django_request)
    return view, view.request


def drf_answer(view, request, force=False):
    """What DRF's own negotiation gives for the same view and request."""
    renderers_ = view.get_renderers()
    try:
        renderer, media_type = DefaultContentNegotiation().select_renderer(request, renderers_, view.format_kwarg)
    except Exception as exc:
        if force:
            return (type(renderers_[0]), renderers_[0].media_type)
        return type(exc)
    return (type(renderer), media_type)


def restflow_answer(view, request, force=False):
    try:
        renderer, media_type = view.perform_content_negotiation(request, force)
    except Exception as exc:
        return type(exc)
    return (type(renderer), media_type)


media_types = st.sampled_from(
    ["application/json", "text/html", "*/*", "text/*", "application/*", "image/png", "application/json; indent=4",
     "text/html; q=0.5", "application/json; q=0", "nonsense", ""]
)
accepts = st.lists(media_types, max_size=4).map(", ".join)
formats = st.sampled_from([None, "json", "api", "html", "xml"])


@settings(max_examples=200, deadline=None)
@given(accepts, formats, st.booleans(), st.booleans())
def test_same_answer_as_drf_first_and_remembered(accept, format, as_query, force):
    """For any Accept header and format, the first and the remembered answers equal DRF's."""
    path = f"/?format={format}" if (format and as_query) else "/"
    for _ in range(2):  # the second time comes from the table
        view, request = view_for(factory.get(path, HTTP_ACCEPT=accept), None if as_query else format)
        assert restflow_answer(view, request, force) == drf_answer(view, request, force)


def test_failures_are_not_remembered():
    """A 406 stays a 406 and is never stored; the forced fallback is the first renderer."""
    negotiation._answers.clear()
    for _ in range(2):
        view, request = view_for(factory.get("/", HTTP_ACCEPT="image/png"))
        with pytest.raises(NotAcceptable):
            view.perform_content_negotiation(request)
        renderer, media_type = view.perform_content_negotiation(request, force=True)
        assert type(renderer) is renderers.JSONRenderer and media_type == "application/json"
    assert negotiation._answers == {}


def test_other_negotiators_and_long_headers_run_drf_code():
    """A custom negotiation class, or an Accept header past the table's limit, is not looked up."""
    negotiation._answers.clear()

    class Always(BaseContentNegotiation):
        def select_renderer(self, request, renderers_, format_suffix=None):
            return renderers_[-1], "text/custom"

    class Custom(View):
        content_negotiation_class = Always

    view, request = view_for(factory.get("/", HTTP_ACCEPT="application/json"), view_class=Custom)
    assert restflow_answer(view, request) == (renderers.StaticHTMLRenderer, "text/custom")
    long_accept = ", ".join(["application/json"] * 40)
    view, request = view_for(factory.get("/", HTTP_ACCEPT=long_accept))
    assert restflow_answer(view, request) == drf_answer(view, request)
    assert negotiation._answers == {}


def test_table_is_bounded():
    """The table never grows past its limit, whatever Accept headers arrive."""
    negotiation._answers.clear()
    for i in range(negotiation._MAX_ENTRIES + 10):
        view, request = view_for(factory.get("/", HTTP_ACCEPT=f"application/json; v={i}"))
        view.perform_content_negotiation(request)
    assert 0 < len(negotiation._answers) <= negotiation._MAX_ENTRIES


def test_html_accept_picks_the_browsable_api():
    """A browser's Accept header picks the browsable API, as with DRF."""
    view, request = view_for(factory.get("/", HTTP_ACCEPT="text/html"))
    assert isinstance(request, Request)
    assert issubclass(restflow_answer(view, request)[0], renderers.BrowsableAPIRenderer)
