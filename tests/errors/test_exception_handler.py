"""restflow's exception-handler page (guide/exception-handler), section by section, through real routes.

Every test is named after the section it checks (``test_<section>__<what>``). The same failures
are raised from restflow's async views (async and plain handlers), a restflow viewset, DRF's
sync ``APIView`` and DRF's ``@api_view``; ``test_every_section_is_walked`` keeps the list whole.
"""

import json
import sys

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient

from restflow.exceptions import APIException, ErrorCode, exception_handler, format_error
from tests.support.errors_urls import TimeoutException

pytestmark = [pytest.mark.urls("tests.support.errors_urls")]

SECTIONS = [
    "wiring_the_handler",
    "error_envelope_shape",
    "errorcode_enum",
    "built_in_mapping",
    "apiexception",
    "validation_errors",
    "throttling_errors",
    "authentication_and_permission_errors",
    "404_and_missing_resources",
    "custom_application_errors",
    "customising_the_handler",
    "working_with_the_async_dispatch_loop",
    "settings_interaction",
]

VIEW_KINDS = ["async", "async-sync-handler", "viewset/fail", "drf", "drf-function"]


def project_exception_handler(exc, context):
    """The guide's "Customising the handler" example: one project code in front of restflow's."""
    if isinstance(exc, TimeoutException):
        return Response(
            format_error(
                "operation_timeout",
                "Operation timed out.",
                {"timeout_seconds": int(getattr(exc, "seconds", 0))},
            ),
            status=504,
        )
    return exception_handler(exc, context)


@pytest.fixture(autouse=True)
def _envelope_handler(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}


async def fail(client, kind, name, **extra):
    return await client.get(f"/{kind}/{name}/", **extra)


def envelope(response):
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


# Wiring the handler


def test_wiring_the_handler__drf_imports_the_dotted_path(settings):
    from rest_framework.settings import api_settings

    assert api_settings.EXCEPTION_HANDLER is exception_handler


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_wiring_the_handler__every_view_kind_answers_with_the_envelope(client, kind):
    response = await fail(client, kind, "permission_denied")
    assert response.status_code == 403
    assert envelope(response)["code"] == "permission_denied"


@pytest.mark.parametrize("path", ["/async/not_found/", "/drf/not_found/", "/viewset/fail/not_found/"])
def test_wiring_the_handler__a_sync_client_under_wsgi_gets_it_too(path):
    response = APIClient().get(path)
    assert response.status_code == 404
    assert envelope(response) == {"code": "not_found", "message": "No such order.", "details": {}}


# Error envelope shape


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_error_envelope_shape__three_fields_details_always_present(client, kind):
    error = envelope(await fail(client, kind, "parse_error"))
    assert error == {"code": "parse_error", "message": "Malformed request.", "details": {}}


def test_error_envelope_shape__format_error_takes_an_enum_or_a_string():
    assert format_error(ErrorCode.CONFLICT, "The record is locked.", {"locked_by": 3}) == {
        "error": {"code": "conflict", "message": "The record is locked.", "details": {"locked_by": 3}}
    }
    assert format_error("tenant_suspended", "Tenant is suspended.") == {
        "error": {"code": "tenant_suspended", "message": "Tenant is suspended.", "details": {}}
    }
    payload = format_error(ErrorCode.CONFLICT, "x")
    assert type(payload["error"]["code"]) is str
    json.dumps(payload)


# ErrorCode enum


def test_errorcode_enum__members_and_their_stable_values():
    expected = {
        "NOT_AUTHENTICATED": "not_authenticated",
        "AUTHENTICATION_FAILED": "authentication_failed",
        "PERMISSION_DENIED": "permission_denied",
        "VALIDATION_ERROR": "validation_error",
        "PARSE_ERROR": "parse_error",
        "NOT_FOUND": "not_found",
        "METHOD_NOT_ALLOWED": "method_not_allowed",
        "UNSUPPORTED_MEDIA_TYPE": "unsupported_media_type",
        "NOT_ACCEPTABLE": "not_acceptable",
        "THROTTLED": "throttled",
        "CONFLICT": "conflict",
        "INTERNAL_ERROR": "internal_error",
        "SERVICE_UNAVAILABLE": "service_unavailable",
    }
    assert {member.name: member.value for member in ErrorCode} == expected
    assert ErrorCode.CONFLICT == "conflict" and isinstance(ErrorCode.CONFLICT, str)


# Built-in mapping

MAPPING = [
    ("restflow_subclass", "conflict", 409),
    ("not_authenticated", "not_authenticated", 401),
    ("authentication_failed", "authentication_failed", 401),
    ("permission_denied", "permission_denied", 403),
    ("django_permission_denied", "permission_denied", 403),
    ("not_found", "not_found", 404),
    ("http404", "not_found", 404),
    ("does_not_exist", "not_found", 404),
    ("method_not_allowed", "method_not_allowed", 405),
    ("not_acceptable", "not_acceptable", 406),
    ("unsupported_media_type", "unsupported_media_type", 415),
    ("parse_error", "parse_error", 400),
    ("throttled", "throttled", 429),
    ("validation_fields", "validation_error", 400),
    ("django_validation", "validation_error", 400),
    ("drf_other", "internal_error", 418),
]


@pytest.mark.parametrize("kind", VIEW_KINDS)
@pytest.mark.parametrize(("name", "code", "status"), MAPPING)
async def test_built_in_mapping__each_row(client, kind, name, code, status):
    response = await fail(client, kind, name)
    assert response.status_code == status
    assert envelope(response)["code"] == code
    if status == 401:
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("kind", ["async", "drf"])
async def test_built_in_mapping__drf_status_codes_match_drfs_own_handler(client, settings, kind):
    """Where DRF answers too, the status is the one DRF's default handler gives."""
    ours = {name: (await fail(client, kind, name)).status_code for name, _, _ in MAPPING}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": "rest_framework.views.exception_handler"}
    for name in ours:
        if name in ("does_not_exist", "django_validation"):
            continue  # DRF leaves these to Django (a 500); the envelope answers 404 and 400
        assert (await fail(client, kind, name)).status_code == ours[name], name


@pytest.mark.parametrize("kind", ["async", "async-sync-handler", "drf", "drf-function"])
async def test_built_in_mapping__anything_else_is_djangos_500(kind):
    from restflow.test import AsyncAPIClient

    with pytest.raises(ZeroDivisionError):
        await AsyncAPIClient().get(f"/{kind}/uncaught/")
    response = await AsyncAPIClient(raise_request_exception=False).get(f"/{kind}/uncaught/")
    assert response.status_code == 500
    assert b'"error"' not in response.content


async def test_built_in_mapping__other_drf_exceptions_keep_their_message_and_structured_detail(client):
    assert envelope(await fail(client, "async", "drf_other")) == {
        "code": "internal_error", "message": "I'm a teapot.", "details": {}
    }
    assert envelope(await fail(client, "async", "drf_other_dict")) == {
        "code": "internal_error", "message": "I'm a teapot.", "details": {"pot": ["empty"]}
    }


# APIException


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_apiexception__subclass_code_status_default_detail_and_details(client, kind):
    response = await fail(client, kind, "restflow_subclass")
    assert response.status_code == 409
    assert envelope(response) == {
        "code": "conflict", "message": "The product is locked for editing.", "details": {"locked_by": 7}
    }


async def test_apiexception__init_keywords_override_the_class(client):
    response = await fail(client, "async", "restflow_direct")
    assert response.status_code == 402
    assert envelope(response) == {
        "code": "insufficient_balance",
        "message": "Insufficient balance.",
        "details": {"required": 100, "available": 25},
    }
    response = await fail(client, "drf", "restflow_enum_code")
    assert response.status_code == 422
    assert envelope(response) == {
        "code": "validation_error", "message": "Custom error", "details": {"field": ["bad value"]}
    }


def test_apiexception__is_drfs_apiexception_with_a_stable_code():
    from rest_framework import exceptions

    exc = APIException("Custom error", code=ErrorCode.CONFLICT, status_code=409)
    assert isinstance(exc, exceptions.APIException)
    assert exc.code == "conflict" and type(exc.code) is str
    assert exc.status_code == 409 and APIException.status_code == 500
    assert exc.get_codes() == "conflict"
    assert exc.details is None and APIException.code == "internal_error"
    assert str(APIException().detail) == str(exceptions.APIException.default_detail)


async def test_apiexception__a_dict_detail_is_treated_as_drf_does(client):
    """A structured detail (DRF allows one) goes to ``details``; the message is the default detail."""
    assert envelope(await fail(client, "async", "restflow_dict_detail")) == {
        "code": "conflict", "message": "The product is locked for editing.", "details": {"sku": ["locked"]}
    }


# Validation errors


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_validation_errors__field_keyed(client, kind):
    response = await fail(client, kind, "validation_fields")
    assert response.status_code == 400
    error = envelope(response)
    assert error["code"] == "validation_error"
    assert error["message"] == "Request validation failed."
    assert error["details"]["email"] == ["Enter a valid email address."]
    assert error["details"]["age"] == ["Ensure this value is greater than or equal to 1."]


async def test_validation_errors__top_level_list_goes_under_non_field_errors(client):
    assert envelope(await fail(client, "async", "validation_list")) == {
        "code": "validation_error",
        "message": "Request validation failed.",
        "details": {"non_field_errors": ["Account is locked."]},
    }


async def drf_default_body(client, settings, kind, name):
    """What DRF's own handler answers for the same failure (the oracle for the details)."""
    handler = settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": "rest_framework.views.exception_handler"}
    try:
        return json.loads((await fail(client, kind, name)).content)
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": handler}


@pytest.mark.parametrize("kind", ["async", "drf"])
async def test_validation_errors__nested_and_list_serializers_keep_their_nesting(client, settings, kind):
    details = envelope(await fail(client, kind, "validation_nested"))["details"]
    assert details == await drf_default_body(client, settings, kind, "validation_nested")
    assert details["shipping"] == {"sku": ["This field is required."], "qty": ["A valid integer is required."]}
    assert details["tags"] == {"1": ["A valid integer is required."]}
    lines = details["lines"]  # DRF keys a many=True field's errors by item (index) as it chooses
    second = lines[1] if isinstance(lines, list) else lines["1"]
    assert second == {"sku": ["This field may not be blank."], "qty": ["Ensure this value is greater than or equal to 1."]}


async def test_validation_errors__a_many_true_serializer_keeps_one_entry_per_item(client, settings):
    """A many=True serializer's errors as DRF gives them (keyed by item index; a bare list of
    per-item errors, from older DRF, would go under the non-field key), items kept."""
    details = envelope(await fail(client, "async", "validation_many"))["details"]
    drf = await drf_default_body(client, settings, "async", "validation_many")
    assert details == (drf if isinstance(drf, dict) else {"non_field_errors": drf})
    items = details if isinstance(drf, dict) else dict(enumerate(details["non_field_errors"]))
    assert items["1"] == {
        "sku": ["This field is required."], "qty": ["Ensure this value is greater than or equal to 1."]
    }


async def test_validation_errors__djangos_validation_error_goes_through_as_serializer_error(client):
    assert envelope(await fail(client, "async", "django_validation"))["details"] == {
        "non_field_errors": ["Out of stock."]
    }
    assert envelope(await fail(client, "drf", "django_validation_fields"))["details"] == {
        "sku": ["Unknown SKU."], "qty": ["Too many."]
    }


async def test_validation_errors__every_value_is_a_plain_string(client):
    response = await fail(client, "async", "validation_nested")
    data = response.data["error"]["details"]

    def leaves(value):
        if isinstance(value, dict):
            return [leaf for item in value.values() for leaf in leaves(item)]
        if isinstance(value, list):
            return [leaf for item in value for leaf in leaves(item)]
        return [value]

    assert leaves(data) and all(type(leaf) is str for leaf in leaves(data))


@override_settings(REST_FRAMEWORK={"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler", "NON_FIELD_ERRORS_KEY": "errors"})
async def test_validation_errors__drfs_non_field_errors_key_is_honoured(client):
    assert envelope(await fail(client, "async", "validation_list"))["details"] == {"errors": ["Account is locked."]}


async def test_validation_errors__a_malformed_body_is_a_parse_error(client):
    response = await client.put("/product/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert envelope(response)["code"] == "parse_error"


# Throttling errors


@pytest.mark.parametrize("path", ["/throttled/async/", "/throttled/drf/"])
async def test_throttling_errors__retry_after_seconds_and_header(client, path):
    response = await client.get(path)
    assert response.status_code == 429
    assert response["Retry-After"] == "30"  # DRF rounds the wait up, for its header and message alike
    assert envelope(response) == {
        "code": "throttled",
        "message": "Request was throttled. Expected available in 30 seconds.",
        "details": {"retry_after_seconds": 30},
    }


async def test_throttling_errors__unknown_wait_leaves_details_empty(client):
    response = await client.get("/throttled/no-wait/")
    assert response.status_code == 429
    assert "Retry-After" not in response
    assert envelope(response) == {"code": "throttled", "message": "Request was throttled.", "details": {}}


async def test_throttling_errors__raised_from_a_view(client):
    response = await fail(client, "drf-function", "throttled")
    assert response["Retry-After"] == "30"
    assert envelope(response)["details"] == {"retry_after_seconds": 30}


# Authentication and permission errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/token/async/", "/token/drf/"])
async def test_authentication_and_permission_errors__no_credentials_vs_bad_credentials(client, path):
    response = await client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert envelope(response) == {
        "code": "not_authenticated", "message": "Authentication credentials were not provided.", "details": {}
    }
    response = await client.get(path, headers={"Authorization": "Token nope"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert envelope(response) == {"code": "authentication_failed", "message": "Invalid token.", "details": {}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/token/async/", "/token/drf/"])
async def test_authentication_and_permission_errors__valid_credentials_pass(client, path):
    user = await sync_to_async(User.objects.create_user)("alice")
    token = await sync_to_async(Token.objects.create)(user=user)
    response = await client.get(path, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200


async def test_authentication_and_permission_errors__no_challenge_means_drfs_403(client):
    """Session authentication has no WWW-Authenticate challenge: DRF answers 403, the code says why."""
    response = await client.get("/session/async/")
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert envelope(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_authentication_and_permission_errors__djangos_permission_denied(client, kind):
    assert envelope(await fail(client, kind, "django_permission_denied")) == {
        "code": "permission_denied", "message": "You do not have permission to perform this action.", "details": {}
    }
    assert envelope(await fail(client, kind, "django_permission_denied_message"))["message"] == "Staff only."


# 404 and missing resources


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_404_and_missing_resources__http404_and_does_not_exist_use_the_literal(client, kind):
    for name in ("http404", "does_not_exist"):
        assert envelope(await fail(client, kind, name)) == {
            "code": "not_found", "message": "Resource not found.", "details": {}
        }


async def test_404_and_missing_resources__notfound_keeps_its_detail(client):
    assert envelope(await fail(client, "async", "not_found"))["message"] == "No such order."


@pytest.mark.django_db(transaction=True)
async def test_404_and_missing_resources__real_lookups(client):
    response = await client.get("/missing/")
    assert response.status_code == 404
    assert envelope(response)["message"] == "Resource not found."
    response = await client.get("/viewset/987654/")
    assert response.status_code == 404
    assert envelope(response) == {"code": "not_found", "message": "Resource not found.", "details": {}}


# Custom application errors


@pytest.mark.parametrize("kind", VIEW_KINDS)
async def test_custom_application_errors__subclass_and_direct_raise_share_the_shape(client, kind):
    response = await fail(client, kind, "restflow_quota")
    assert response.status_code == 402
    assert envelope(response) == {"code": "tenant_quota_exceeded", "message": "Quota exceeded for this tenant.", "details": {}}
    response = await fail(client, kind, "restflow_direct")
    assert response.status_code == 402
    assert envelope(response)["code"] == "insufficient_balance"


# Customising the handler


@pytest.mark.parametrize("kind", ["async", "drf"])
async def test_customising_the_handler__project_code_in_front(client, settings, kind):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": f"{__name__}.project_exception_handler",
    }
    response = await fail(client, kind, "timeout")
    assert response.status_code == 504
    assert envelope(response) == {"code": "operation_timeout", "message": "Operation timed out.", "details": {"timeout_seconds": 5}}
    response = await fail(client, kind, "not_found")
    assert envelope(response)["code"] == "not_found"


# Working with the async dispatch loop


async def test_working_with_the_async_dispatch_loop__ahandle_exception_calls_the_configured_handler(client, settings):
    calls = []

    def recording_handler(exc, context):
        calls.append((type(exc).__name__, type(context["view"]).__name__))
        return exception_handler(exc, context)

    sys.modules[__name__].recording_handler = recording_handler
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": f"{__name__}.recording_handler"}
    try:
        response = await fail(client, "async", "not_acceptable")
    finally:
        del sys.modules[__name__].recording_handler
    assert envelope(response)["code"] == "not_acceptable"
    assert calls == [("NotAcceptable", "AsyncFailingView")]


async def test_working_with_the_async_dispatch_loop__failures_in_the_pipeline_too(client):
    """Errors raised before the handler (negotiation, method) go through the same hook."""
    response = await client.get("/product/", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert envelope(response)["code"] == "not_acceptable"
    response = await client.delete("/product/")
    assert response.status_code == 405
    assert envelope(response) == {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.', "details": {}}


# Settings interaction


async def test_settings_interaction__restflow_settings_do_not_change_the_envelope(client, settings):
    before = envelope(await fail(client, "async", "throttled"))
    settings.RESTFLOW_SETTINGS = {"JWT": {"ALGORITHM": "HS512"}, "CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "asyncio"}}
    assert envelope(await fail(client, "async", "throttled")) == before


async def test_settings_interaction__without_the_setting_drf_answers_as_before(client, settings):
    settings.REST_FRAMEWORK = {k: v for k, v in settings.REST_FRAMEWORK.items() if k != "EXCEPTION_HANDLER"}
    response = await fail(client, "async", "not_found")
    assert json.loads(response.content) == {"detail": "No such order."}


def test_every_section_is_walked():
    names = [name for name in globals() if name.startswith("test_")]
    missing = [section for section in SECTIONS if not any(name.startswith(f"test_{section}__") for name in names)]
    assert missing == []
