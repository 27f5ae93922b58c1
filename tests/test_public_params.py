"""A bad query parameter shows the form's error on the page (400), never a 500."""

import re

import pytest

from tests.demo import build_demo


@pytest.fixture
def demo(db):
    return build_demo(with_hidden=False)


def _errors(response):
    block = re.search(r'<div class="form-errors".*?</div>', response.content.decode(), re.S)
    return re.findall(r'<a href="#f-(\w+)">', block.group(0)) if block else []


BAD = [
    ({"layer": "nope"}, ["layer"]),
    ({"stage": "unicorn"}, ["stage"]),
    ({"country": "USA"}, ["country"]),
    ({"token": "maybe"}, ["token"]),
    ({"portfolio": "2"}, ["portfolio"]),
    ({"tag": "no-such-tag"}, ["tag"]),
    ({"ordering": "password"}, ["ordering"]),
    ({"q": "x" * 201}, ["q"]),
    ({"updated_since": "yesterday"}, ["updated_since"]),
    ({"stage": "unicorn", "token": "maybe"}, ["stage", "token"]),
]


@pytest.mark.parametrize("url", ["/", "/maps/decentralized-ai/", "/projects/"])
@pytest.mark.parametrize(("params", "fields"), BAD)
def test_bad_parameter_shows_the_form_error(client, demo, url, params, fields):
    response = client.get(url, params)

    assert response.status_code == 400
    assert _errors(response) == fields
    assert "Fix the filters to see projects." in response.content.decode()


def test_bad_parameter_error_names_the_value(client, demo):
    body = client.get("/projects/", {"stage": "unicorn"}).content.decode()

    assert "Select a valid choice. unicorn is not one of the available choices." in body


def test_layer_of_another_map_is_an_error_on_a_map_page(client, demo):
    from tests.factories import make_layer, make_map

    make_layer(map=make_map(slug="other"), slug="elsewhere")

    assert _errors(client.get("/", {"layer": "elsewhere"})) == ["layer"]
    assert _errors(client.get("/projects/", {"layer": "elsewhere"})) == []


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999"])
def test_odd_page_numbers_fall_back_to_a_real_page(client, demo, page):
    response = client.get("/projects/", {"page": page})

    assert response.status_code == 200
    assert "of 10 projects." in response.content.decode()


def test_htmx_bad_parameter_swaps_in_the_message(client, demo):
    response = client.get("/", {"stage": "unicorn"}, headers={"HX-Request": "true"})

    assert response.status_code == 400
    assert _errors(response) == ["stage"]
    assert 'hx-swap-oob="true"' in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_public_pages_refuse_writes(client, demo, method):
    assert getattr(client, method)("/projects/").status_code == 405
