"""Cleaning one imported value: text, URLs, booleans, numbers, dates, choices, slugs."""

import datetime
import decimal

from django.utils import timezone
from django.utils.text import slugify

from projects.models import Tag

TRUE_WORDS = {"1", "true", "yes", "y", "x"}
FALSE_WORDS = {"", "0", "false", "no", "n"}


class RowError(Exception):
    """A value that cannot be imported; the message is the reason shown for its row."""


def model_max_length(model, name):
    return model._meta.get_field(name).max_length


def clean_text(model, name, value, *, label=None, required=False):
    """Short text is trimmed; long (Markdown) text is kept byte for byte."""
    limit = model_max_length(model, name)
    text = "" if value is None else str(value)
    if limit:
        text = text.strip()
    if required and not text.strip():
        raise RowError(f"{label or name} is required")
    if limit and len(text) > limit:
        raise RowError(f"{label or name} is longer than {limit} characters")
    return text


def clean_url(model, name, value, *, label=None, required=False):
    """The database only stores http(s) addresses; say so before it refuses them."""
    url = clean_text(model, name, value, label=label, required=required)
    if url and not url.startswith(("http://", "https://")):
        raise RowError(f"{label or name} must start with http:// or https:// (got {url!r})")
    if url and any(ch.isspace() for ch in url):
        raise RowError(f"{label or name} contains spaces ({url!r})")
    return url


def clean_bool(value, *, label):
    if isinstance(value, bool):
        return value
    word = "" if value is None else str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(f"{label} must be yes or no (got {value!r})")


def clean_int(value, *, label, low=None, high=None, required=False):
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise RowError(f"{label} is required")
        return None
    try:
        number = int(float(text)) if text.endswith(".0") else int(text)
    except ValueError:
        raise RowError(f"{label} must be a whole number (got {text!r})") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise RowError(f"{label} must be between {low} and {high} (got {number})")
    return number


def clean_date(value, *, label, required=False, not_future=False):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        day = value
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                raise RowError(f"{label} is required")
            return None
        try:
            day = datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise RowError(f"{label} must be a date as YYYY-MM-DD (got {text!r})") from None
    if not_future and day > timezone.localdate():
        raise RowError(f"{label} {day.isoformat()} is in the future")
    return day


def clean_decimal(value, *, label, max_digits=20, places=2):
    text = "" if value is None else str(value).strip().replace(",", "").replace("_", "")
    if not text:
        raise RowError(f"{label} is required")
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise RowError(f"{label} must be a number (got {value!r})") from None
    if not number.is_finite():
        raise RowError(f"{label} must be a number (got {value!r})")
    number = number.quantize(decimal.Decimal(1).scaleb(-places))
    if len(number.as_tuple().digits) > max_digits:
        raise RowError(f"{label} is too large")
    return number


def clean_choice(choices, value, *, label):
    """Accept a choice by its stored value or by its label, in any case."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    for stored, shown in choices:
        if text.lower() in {stored.lower(), str(shown).lower()}:
            return stored
    allowed = ", ".join(str(shown) for stored, shown in choices if stored)
    raise RowError(f"{label} {text!r} is not one of: {allowed}")


def unique_slug(name, taken, *, max_length=80):
    """A slug from the name, suffixed -2, -3… until it is not in `taken` (which it joins)."""
    base = slugify(name)[:max_length].strip("-") or "project"
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
    taken.add(slug)
    return slug


def tag_slug(name):
    return slugify(name)[: model_max_length(Tag, "slug")].strip("-")


# --- planning -----------------------------------------------------------------------------
