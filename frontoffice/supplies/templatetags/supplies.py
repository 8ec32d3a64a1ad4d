"""Template filters of the supplies pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    """A quantity without trailing zeros, in the reader's number format: 20, 2.5 (2,5 in Polish), -3."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    return number_format(number.normalize() if number != number.to_integral_value() else number.quantize(Decimal(1)))
