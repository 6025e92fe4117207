"""How a revision's document is kept in the history: compressed with Zstandard, at level 1.

Every autosave keeps a revision, so its compression is paid on every autosave. With a real
report's text (words that do not repeat), zlib at its fastest level was the largest single
part of an autosave: 0.54 ms for a 200-event report, where Zstandard at level 1 takes 0.16 ms
and keeps it in fewer bytes (16.7 KB against 17.5 KB), and reads it back four times as fast
(bench/bench_autosave.py, 4 Dec). Revisions kept before then are zlib streams and stay
readable: a Zstandard frame starts with its own four bytes, which a zlib stream never does.
"""

from __future__ import annotations

import threading
import zlib

import zstandard

LEVEL = 1
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # the first four bytes of every Zstandard frame (RFC 8878)

# A compressor or decompressor may not be used by two threads at once (python-zstandard's
# documentation): each thread has its own.
_per_thread = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    made: zstandard.ZstdCompressor | None = getattr(_per_thread, "compressor", None)
    if made is None:
        # The frame records the text's length, so reading it needs no size limit guessed.
        made = _per_thread.compressor = zstandard.ZstdCompressor(level=LEVEL,
                                                                 write_content_size=True)
    return made


def _decompressor() -> zstandard.ZstdDecompressor:
    made: zstandard.ZstdDecompressor | None = getattr(_per_thread, "decompressor", None)
    if made is None:
        made = _per_thread.decompressor = zstandard.ZstdDecompressor()
    return made


def pack(text: str) -> bytes:
    """A revision's document (its JSON text), as the history keeps it."""
    return _compressor().compress(text.encode("utf-8"))


def unpack(kept: bytes) -> str:
    """The JSON text of a revision's document, kept by ``pack`` or by an earlier version
    (zlib)."""
    data = bytes(kept)  # PostgreSQL's driver hands back a memoryview
    if data.startswith(ZSTD_MAGIC):
        return _decompressor().decompress(data).decode("utf-8")
    return zlib.decompress(data).decode("utf-8")
