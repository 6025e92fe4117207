"""The safe Markdown subset authors write in: paragraphs, lists, emphasis, links and code.

Raw HTML in the text is shown as text, never interpreted; the rendered HTML is then cleaned by
nh3 (Ammonia) with a short allow-list, so nothing but these elements, and links to http(s) or
mailto, reaches a page, a PDF or a Google Doc.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "code", "pre", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
    return parser


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML that is safe to put in any page or document."""
    if not text or not text.strip():
        return Markup("")
    html = _parser().render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(cleaned.strip())
