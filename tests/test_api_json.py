"""The API's JSON is DRF's JSONRenderer's, byte for byte, whichever encoder writes it."""

import datetime
import decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from dealmap.api import FastJSONRenderer

PLAIN = {
    "text": 'quotes " backslash \\ controls \x00\x1f\x7f\t\n breaks \u2028\u2029 é ✓ \U0001f600',
    "numbers": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1],
    "flags": [True, False, None],
    "nested": {"empty": {}, "list": [[], [{"a": "b"}]]},
}


@pytest.mark.parametrize(
    "data",
    [
        PLAIN,
        # What orjson would write its own way goes to DRF's encoder.
        {"at": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)},
        {"value": decimal.Decimal("1.50"), "day": datetime.date(2026, 1, 2)},
        {"error": [ErrorDetail("A whole number from 1 upwards.", code="invalid")]},
        {"big": 2**64, "small": -(2**63) - 1},
        {1: "an integer key"},
        {"lazy": gettext_lazy("Not found.")},
        None,
    ],
)
def test_fast_json_renderer_writes_drfs_bytes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    indented = "application/json; indent=2"
    assert FastJSONRenderer().render(data, indented) == JSONRenderer().render(data, indented)
