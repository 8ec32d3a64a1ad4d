"""HTML of e-mail, made safe to show: basic formatting stays; scripts, styles, handlers and remote images go.

A remote image would tell the sender that (and when, and from where) the message was read, so each
one becomes a plain link to it that a person may follow. Inline ``cid:`` images are kept as
attachments, not shown in the text.
"""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import urlsplit

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _image_link(match: re.Match[str]) -> str:
    attributes = {name.lower(): unescape(value) for name, value in _ATTR.findall(match.group(1))}
    src = attributes.get("src", "")
    if not src.startswith(("http://", "https://")):
        return ""  # cid: or data: images: nothing to show here (they are attachments)
    label = attributes.get("alt") or urlsplit(src).path.rsplit("/", 1)[-1] or urlsplit(src).netloc
    return (
        f'<a href="{escape(src)}" class="remote-image" rel="noopener noreferrer nofollow" target="_blank">'
        f"[{escape(label)}]</a>"
    )


def sanitise_html(html: str) -> str:
    """Safe HTML for showing a message: allowed tags and attributes only, links made inert, no remote images."""
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _IMG.sub(_image_link, cleaned).strip()
