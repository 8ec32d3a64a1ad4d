"""Template filters of the queue pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def minutes_seconds(seconds: float | None) -> str:
    """``754.0`` → ``"12:34"`` (minutes:seconds; hours:minutes:seconds from an hour on); "–" for none."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
