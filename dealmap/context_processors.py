from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "FIRM_NAME": settings.FIRM_NAME}
