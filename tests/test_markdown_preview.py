"""Markdown is sanitised everywhere it is shown, the admin's preview included."""

import pytest
from django.test import Client
from django.urls import reverse

from dealmap.markdown import render_markdown
from tests.editorial import make_staff
from tests.factories import make_project

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<iframe src="https://evil.example"></iframe>',
    '<img src=x onerror="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload="alert(1)"><circle r="4"/></svg>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name="q"></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<body onload="alert(1)">',
    "![x](javascript:alert(1))",
    "<<script>script>alert(1)<</script>/script>",
]
FORBIDDEN = ["<script", "<iframe", "onerror", "onclick", "onload", "javascript:", "<svg",
             "style=", "<object", "<embed", "<form", "data:text/html", "<img"]  # fmt: skip


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_strips_xss_payload(payload):
    html = str(render_markdown(f"**bold** and [a link](https://example.com)\n\n{payload}"))

    lowered = html.lower()
    assert [bad for bad in FORBIDDEN if bad in lowered] == []
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">a link</a>' in html


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(make_staff("Editor"))
    return client


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_admin_preview_returns_sanitised_html(staff_client, payload):
    response = staff_client.post(reverse("admin-markdown-preview"), {"text": f"# Hi\n\n{payload}"})

    html = response.json()["html"].lower()
    assert [bad for bad in FORBIDDEN if bad in html] == []
    assert html == str(render_markdown(f"# Hi\n\n{payload}")).lower()


def test_admin_preview_renders_like_the_public_pages(staff_client):
    text = "Our view: **strong buy**.\n\n- one\n- two"

    response = staff_client.post(reverse("admin-markdown-preview"), {"text": text})

    assert response.json() == {
        "html": "<p>Our view: <strong>strong buy</strong>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    }


@pytest.mark.django_db
def test_admin_preview_is_for_staff_only():
    anonymous = Client().post(reverse("admin-markdown-preview"), {"text": "hello"})

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")


def test_admin_preview_refuses_oversized_text_with_a_reason(staff_client):
    response = staff_client.post(reverse("admin-markdown-preview"), {"text": "x" * 100_001})

    assert response.status_code == 400
    assert response.json() == {"error": "Too long to preview: 100001 characters (at most 100000)."}


def test_change_page_markdown_fields_carry_the_preview_switch(staff_client):
    project = make_project(status="draft")

    page = staff_client.get(reverse("admin:projects_project_change", args=[project.pk]))

    html = page.content.decode()
    assert html.count('data-markdown-preview="/admin/markdown-preview/"') == 2
    assert '<script src="/static/admin/dealmap/markdown-preview.js"' in html
    assert f'href="/projects/{project.slug}/preview/"' in html
