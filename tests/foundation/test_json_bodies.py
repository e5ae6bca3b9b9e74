"""Whatever JSON a client sends to the REST API, a bad body is a 400, never a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.views import APIView

from pokerrt.parsers import JSONParser

pytestmark = pytest.mark.django_db

DEEP_BODIES = {
    "array": "[" * 1000 + "]" * 1000,
    "object": '{"a":' * 1000 + "1" + "}" * 1000,
    "array in a field": '{"username": ' + "[" * 5000 + "]" * 5000 + ', "password": "x"}',
}


@pytest.mark.parametrize("url", ["/api/auth/token/", "/api/auth/register/"])
@pytest.mark.parametrize("shape", DEEP_BODIES)
def test_json_nested_too_deeply_is_a_400_with_a_clear_error(api_client, url, shape):
    response = api_client.generic("POST", url, DEEP_BODIES[shape], content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_FRAME"
    assert "nested too deeply" in response.json()["message"]


def test_json_nested_a_little_is_judged_by_the_serializer(api_client):
    body = '{"username": ' + "[" * 50 + "]" * 50 + ', "password": "river-of-chips-9"}'
    response = api_client.generic("POST", "/api/auth/register/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION"
    assert "username" in response.json()["details"]


def drf_views(patterns=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from drf_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView):
                yield view


def test_every_api_view_parses_json_with_the_project_parser():
    views = set(drf_views())
    assert views, "no DRF view found in the URLconf"
    for view in views:
        json_parsers = [p for p in view.parser_classes if issubclass(p, DRFJSONParser)]
        assert json_parsers == [JSONParser], f"{view.__name__} parses JSON with {json_parsers}"
