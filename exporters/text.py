"""Text hygiene for exports: drop characters no document should carry, escape Markdown.

Authors' text arrives as typed (or as imported). Before it reaches a file it loses control
characters and unpaired surrogates, which break PDF, XML and UTF-8 writers alike; in the Markdown
export it is kept as the author's Markdown but can never open raw HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

# C0 controls except tab, line feed and carriage return; DEL and C1; surrogates; non-characters.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_SPACES = re.compile(r"\s+")
# Bidirectional embeddings, overrides and isolates: in a one-line field they can only be used to
# make text read differently from what it is (a title shown backwards).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Punctuation that could make Markdown of one line of plain text placed after other text.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_HEADING_START = re.compile(r"^( {0,3})(#)", re.MULTILINE)


def clean(text: str | None) -> str:
    """Text without control characters (tabs and line breaks stay); line breaks as ``\\n``."""
    if not text:
        return ""
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str | None) -> str:
    """Clean text on one line, runs of white space made one space, no bidi controls."""
    return _SPACES.sub(" ", _BIDI_CONTROLS.sub("", clean(text))).strip()


def markdown_inline(text: str | None) -> str:
    """Plain text (a title, a name) as Markdown showing exactly that text, mid-line."""
    return _INLINE_SPECIAL.sub(r"\\\1", one_line(text)).replace("<", "&lt;")


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _code_lines(text: str) -> tuple[set[int], str]:
    """Line numbers inside code blocks (shown as is), and the fence left open at the end, if any.

    An unclosed fence would swallow the rest of the exported document, so the caller closes it.
    """
    lines: set[int] = set()
    unclosed = ""
    all_lines = text.split("\n")
    for token in _block_parser().parse(text):
        if token.type in ("fence", "code_block") and token.map:
            start, end = token.map
            lines.update(range(start, end))
            if token.type == "fence" and token.level == 0 and end >= len(all_lines):
                last = all_lines[-1].strip()
                fence = token.markup
                closed = end - start >= 2 and last.startswith(fence) and not last.strip(fence[0])
                if not closed:
                    unclosed = fence
    return lines, unclosed


def _inert(line: str) -> str:
    """No raw HTML (``<`` escaped) and no image (``![`` would load a picture from anywhere)."""
    return line.replace("<", "&lt;").replace("![", "!\\[")


def markdown_block(text: str | None) -> str:
    """The author's Markdown, kept, but outside code no ``<`` (so no HTML) and no images.

    Headings are not part of the safe subset (the page and the PDF show ``# x`` as text), so a
    leading ``#`` is escaped too: the Markdown export then reads the same as the PDF.
    """
    cleaned = clean(text).strip("\n")
    if not cleaned.strip():
        return ""
    code, unclosed = _code_lines(cleaned)
    out = []
    for number, line in enumerate(cleaned.split("\n")):
        if number in code:
            out.append(line)
        else:
            out.append(_HEADING_START.sub(r"\1\\\2", _inert(line)))
    if unclosed:
        out.append(unclosed)
    return "\n".join(out)


def markdown_cell(text: str | None) -> str:
    """The author's Markdown squeezed into one table cell: one line, ``|`` escaped."""
    flat = " ".join(line.strip() for line in clean(text).split("\n") if line.strip())
    escaped = _inert(flat).replace("|", "\\|")
    return _HEADING_START.sub(r"\1\\\2", escaped)
