"""The safe Markdown subset authors write in: paragraphs, lists, emphasis, links and code.

Raw HTML in the text is shown as text, never interpreted; the rendered HTML is then cleaned by
nh3 (Ammonia) with a short allow-list, so nothing but these elements, and links to http(s) or
mailto, reaches a page, a PDF or a Google Doc. ``drop_unsafe_links`` holds Markdown itself (the
Markdown export) to the same rule for links.
"""

from __future__ import annotations

import html
import re
import secrets
import string
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "code", "pre", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
    return parser


@dataclass(frozen=True)
class PlacedImage:
    """A figure the text may show: where the image is found and the size it is drawn at."""

    src: str
    width: int
    height: int
    internal: bool = False


class FigureSource(Protocol):
    """The images of the report being drawn (``reports.attachments.ShownFigures``)."""

    def image(self, attachment_id: int) -> PlacedImage | None: ...


# ``![caption](attachment:12)``: images are not parsed (no outside picture may load), so it
# arrives as a "!" and a link to attachment:12, which ``_place_figures`` turns into the figure.
_ATTACHMENT_LINK = re.compile(r"attachment:(\d{1,10})")


def _link_end(children: list[Token], start: int) -> int | None:
    depth = 0
    for index in range(start + 1, len(children)):
        kind = children[index].type
        if kind == "link_open":
            depth += 1
        elif kind == "link_close":
            if depth == 0:
                return index
            depth -= 1
    return None


def _place_figures(tokens: list[Token], figures: FigureSource, nonce: str
                   ) -> dict[str, str]:
    """Swap each ``![caption](attachment:N)`` for a placeholder only this render knows.

    Returns placeholder -> the HTML of the figure (or of its caption, when the report has no
    such image to show), put in after cleaning: the cleaner never has to allow images.
    """
    placed: dict[str, str] = {}
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children, kept = block.children, list[Token]()
        index = 0
        while index < len(children):
            token = children[index]
            before = kept[-1] if kept else None
            match = _ATTACHMENT_LINK.fullmatch(str(token.attrGet("href") or "")) \
                if token.type == "link_open" else None
            end = _link_end(children, index) if match else None
            if match and end is not None and before is not None and before.type == "text" \
                    and before.content.endswith("!"):
                before.content = before.content[:-1]
                caption = "".join(t.content for t in children[index + 1:end]
                                  if t.type in ("text", "code_inline"))
                image = figures.image(int(match.group(1)))
                key = f"{nonce}{len(placed)}x"
                if image is None:
                    placed[key] = html.escape(caption)
                else:
                    marked = ' data-internal="true"' if image.internal else ""
                    placed[key] = (
                        f'<img class="figure" src="{html.escape(image.src)}" '
                        f'alt="{html.escape(caption)}" width="{image.width}" '
                        f'height="{image.height}"{marked}>')
                placeholder = Token("text", "", 0)
                placeholder.content = key
                kept.append(placeholder)
                index = end + 1
                continue
            kept.append(token)
            index += 1
        block.children = kept
    return placed


def render_markdown(text: str | None, figures: FigureSource | None = None) -> Markup:
    """Markdown to HTML that is safe to put in any page or document.

    With ``figures``, ``![caption](attachment:N)`` shows that image of the report, if it is one
    of ``figures``; otherwise only its caption is shown.
    """
    if not text or not text.strip():
        return Markup("")
    placed: dict[str, str] = {}
    if figures is not None and "attachment:" in text:
        parser = _parser()
        tokens = parser.parse(text)
        placed = _place_figures(tokens, figures, f"hindsightfigure{secrets.token_hex(8)}n")
        html_text = parser.renderer.render(tokens, parser.options, {})
    else:
        html_text = _parser().render(text)
    cleaned = nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    for key, figure in placed.items():
        cleaned = cleaned.replace(key, figure, 1)
    return Markup(cleaned.strip())


# Link targets that run code or open local files, which no export may carry as a link.
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
# Where a link's target starts: "](" for an inline link or image (some renderers allow spaces
# before the "("), "]:" for a definition. Group 1 is the "(" or ":".
_TARGET_START = re.compile(r"\][ \t]{0,3}([(:])")
# A target as a lax renderer might take it (tabs in it too): up to a space, a line end or a
# ")" that closes the link, with one level of parentheses inside.
_PROBE = re.compile(r"[^ ()\n]*(?:\([^ ()\n]*\)[^ ()\n]*)*")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# What a browser drops from a URL (tabs, line breaks, controls) and what no one would see:
# no-break and other spaces, zero-width and other format characters.
_DROPPED_IN_URLS = re.compile(
    "[\x00-\x1f\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f"
    "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\ufff0-\ufffb\U000e0000-\U000e0fff]"
)
_ASCII_PUNCTUATION = frozenset(string.punctuation)
_LONGEST_TARGET = 4_096  # a target this long is dropped unread (tickets are at most 2,000)
_LONGEST_LINK_TEXT = 1_000  # looked back to find where a link's text starts
_LONGEST_ESCAPE = 64  # backslashes counted before a bracket


def unsafe_link_target(target: str) -> bool:
    """Whether a link target names one of ``UNSAFE_SCHEMES``, however it is disguised.

    Read as a browser would after every trick: entities decoded (``&#106;``), escapes and
    percent-encoding undone, tabs and invisible characters dropped (``java\\tscript:``), case
    ignored (``JaVaScRiPt:``).
    """
    url = target
    for _ in range(3):  # CommonMark decodes entities once; more rounds only refuse more
        url = html.unescape(url)
    url = _DROPPED_IN_URLS.sub("", unquote(url.replace("\\", ""))).lstrip(" <").lower()
    scheme = _SCHEME.match(url)
    return scheme is not None and scheme.group(1) in UNSAFE_SCHEMES


def _is_escaped(text: str, position: int) -> bool:
    """Whether the character at ``position`` follows an odd number of backslashes.

    Past ``_LONGEST_ESCAPE`` backslashes it counts as not escaped: looked at, to be safe.
    """
    count = 0
    while count < _LONGEST_ESCAPE and text[position - count - 1:position - count] == "\\":
        count += 1
    return count % 2 == 1 and count < _LONGEST_ESCAPE


def _skip_space(text: str, position: int) -> int:
    """Past spaces and tabs, with at most one line break among them."""
    end = len(text)
    while position < end and text[position] in " \t":
        position += 1
    if position < end and text[position] == "\n":
        position += 1
        while position < end and text[position] in " \t":
            position += 1
    return position


def _target_end(text: str, start: int) -> int:
    """Where the target starting at ``start`` ends (CommonMark's rules, up to a length)."""
    end = min(len(text), start + _LONGEST_TARGET)
    position = start
    if position < end and text[position] == "<":
        position += 1
        while position < end and text[position] not in "<>\n":
            position += 1 + (text[position] == "\\")
        return min(position + 1, end)
    depth = 0
    while position < end:
        char = text[position]
        if char == "\\" and position + 1 < end and text[position + 1] in _ASCII_PUNCTUATION:
            position += 2
            continue
        if char <= " " or char == "\x7f" or (char == ")" and depth == 0):
            break
        depth += {"(": 1, ")": -1}.get(char, 0)
        position += 1
    return min(position, end)


def _inline_link_end(text: str, target_end: int) -> int | None:
    """Just past the ``)`` closing an inline link whose target ends at ``target_end``."""
    position = _skip_space(text, target_end)
    closing = {'"': '"', "'": "'", "(": ")"}.get(text[position:position + 1])
    if closing and position > target_end:  # a title, which needs space before it
        position += 1
        limit = min(len(text), position + _LONGEST_TARGET)
        while position < limit and text[position] != closing:
            if text.startswith("\n\n", position):
                return None
            position += 1 + (text[position] == "\\")
        position = _skip_space(text, position + 1)
    return position + 1 if text[position:position + 1] == ")" else None


def _opener(text: str, close: int, floor: int) -> tuple[int, int] | None:
    """The link text's ``[`` matching the ``]`` at ``close``: (start of the link, text start).

    An image starts at its ``!``; the exports write images as ``!\\[``, which counts too.
    """
    floor = max(floor, close - _LONGEST_LINK_TEXT)
    floor = max(floor, text.rfind("\n\n", floor, close) + 1)  # a link is in one paragraph
    depth = 0
    for position in range(close - 1, floor - 1, -1):
        char = text[position]
        if char not in "[]":
            continue
        if _is_escaped(text, position):
            if char == "[" and depth == 0 and text[position - 2:position] == "!\\":
                return position - 2, position + 1
            continue
        if char == "]":
            depth += 1
        elif depth:
            depth -= 1
        else:
            return (position - 1 if text[position - 1:position] == "!" else position), position + 1
    return None


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


class _CodeBlocks:
    """Where the code blocks of a text are: their text is shown as it is, never as links."""

    def __init__(self, text: str) -> None:
        line_starts = [0, *(found.end() for found in re.finditer("\n", text)), len(text) + 1]
        last = len(line_starts) - 1
        blocks = sorted(
            (line_starts[token.map[0]], line_starts[min(token.map[1], last)])
            for token in _block_parser().parse(text)
            if token.type in ("fence", "code_block") and token.map
        )
        self.starts = [start for start, _ in blocks]
        self.ends = [end for _, end in blocks]

    def __contains__(self, position: int) -> bool:
        index = bisect_right(self.starts, position) - 1  # code blocks never overlap
        return index >= 0 and position < self.ends[index]


def drop_unsafe_links(markdown: str) -> str:
    """Markdown in which no link or image leads to an unsafe target (``unsafe_link_target``).

    Such a link becomes its text, without the target; a definition (``[x]: target``) loses the
    target and is no longer a definition. Code blocks are left as they are. The HTML and the
    PDF never link to such targets (``render_markdown`` cleans them away): this does the same
    for a Markdown document, which whatever shows it may render with live links. Raw HTML and
    autolinks (``<javascript:…>``) are not looked at: the Markdown export escapes every ``<``.
    """
    pieces: list[str] = []
    kept_until = 0
    code: _CodeBlocks | None = None
    for match in _TARGET_START.finditer(markdown):
        close = match.start()
        if close < kept_until or _is_escaped(markdown, close):
            continue
        target = _skip_space(markdown, match.end())
        probe = _PROBE.match(markdown, target, target + _LONGEST_TARGET)
        assert probe is not None  # the pattern matches the empty string
        if probe.end() - target < _LONGEST_TARGET and not unsafe_link_target(probe.group()):
            continue
        target_end = max(_target_end(markdown, target), probe.end())
        if code is None:
            code = _CodeBlocks(markdown)
        if close in code:
            continue
        opener = _opener(markdown, close, kept_until)
        if match.group(1) == ":":  # a definition: its "[" escaped, its target dropped
            bracket = None if opener is None else opener[1] - 1
            if bracket is None or _is_escaped(markdown, bracket):
                pieces.append(markdown[kept_until:match.end()])
            else:
                pieces.append(f"{markdown[kept_until:bracket]}\\{markdown[bracket:match.end()]}")
            kept_until = target_end
            continue
        if opener is None:
            pieces.append(markdown[kept_until:close + 1])
        else:
            pieces.append(markdown[kept_until:opener[0]] + markdown[opener[1]:close])
        kept_until = _inline_link_end(markdown, target_end) or target_end
    if not pieces:
        return markdown
    pieces.append(markdown[kept_until:])
    return "".join(pieces)
