"""The OpenAPI schema is valid, documents every endpoint, parameter and response with examples,
and the API keeps to it under generated input (Schemathesis, in-process)."""

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ENDPOINTS = {
    "/api/v1/maps/",
    "/api/v1/maps/{slug}/",
    "/api/v1/layers/",
    "/api/v1/layers/{map_slug}/{slug}/",
    "/api/v1/projects/",
    "/api/v1/projects/{slug}/",
    "/api/v1/projects.csv",
    "/api/v1/changes/",
}
PROJECT_PARAMETERS = {
    "map", "layer", "q", "tag", "stage", "country", "token", "portfolio", "ordering",
    "updated_since", "page", "page_size",
}  # fmt: skip


@pytest.fixture
def openapi(db):
    return yaml.safe_load(get_wsgi_client_get("/api/schema/"))


def get_wsgi_client_get(url):
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 200
    return response.content


def test_schema_is_valid_openapi_3(openapi):
    validate(openapi)

    assert openapi["openapi"].startswith("3.")


def test_schema_documents_every_endpoint_read_only(openapi):
    assert set(openapi["paths"]) == ENDPOINTS
    for path, operations in openapi["paths"].items():
        assert set(operations) - {"parameters"} == {"get"}, path


def test_schema_documents_the_project_list_parameters(openapi):
    parameters = openapi["paths"]["/api/v1/projects/"]["get"]["parameters"]

    assert {p["name"] for p in parameters} == PROJECT_PARAMETERS
    assert all(p.get("description") for p in parameters)
    layer = next(p for p in parameters if p["name"] == "layer")
    assert layer["schema"]["type"] == "array"


def test_schema_documents_responses_with_examples_and_errors(openapi):
    for path, operations in openapi["paths"].items():
        operation = operations["get"]
        ok = operation["responses"]["200"]["content"]
        assert all(media.get("examples") for media in ok.values()), path
        assert {"400", "429"} <= set(operation["responses"]), path
        assert all(p.get("description") for p in operation.get("parameters", [])), path


def test_schema_documents_the_partner_key(openapi):
    scheme = openapi["components"]["securitySchemes"]["PartnerKey"]

    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")


CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _in_process_schema():
    """The schema as the app serves it, loaded without a request (so without a database)."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(public=True))
    loaded.app = get_wsgi_application()
    return loaded


schema = _in_process_schema()


@pytest.fixture
def keep_test_connection():
    """Django closes the connection after each WSGI request outside a transaction; the test's
    data lives in one. Django's own test client unhooks the same two signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.usefixtures("real_maps", "keep_test_connection")
def test_api_keeps_to_its_schema(case):
    """No 5xx, and every status, header and body as the schema documents it.

    Not checked: that a value the schema allows is always accepted (`map=anything` is a 400
    naming `map`) or a blank one refused (`since=` means "no filter", as on the public pages).
    """
    # Schemathesis asks for gzip but its WSGI transport does not inflate the body it gets.
    case.call_and_validate(checks=CONFORMANCE, headers={"Accept-Encoding": "identity"})
