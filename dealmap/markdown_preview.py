"""The admin's Markdown preview: the same sanitised rendering the public pages use."""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from dealmap.markdown import render_markdown

MAX_PREVIEW_LENGTH = 100_000


@require_POST
def markdown_preview(request):
    """Staff only (wrapped by admin_view in urls.py): POST text -> {"html": sanitised HTML}."""
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW_LENGTH:
        return JsonResponse(
            {
                "error": f"Too long to preview: {len(text)} characters "
                f"(at most {MAX_PREVIEW_LENGTH})."
            },
            status=400,
        )
    return JsonResponse({"html": str(render_markdown(text))})
