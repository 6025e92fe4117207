"""Files attached to a report: figures for its text, and the evidence kept with it.

Every file is checked before it is stored, whatever way it arrives (the page, the API, a
restore): its name is reduced to a plain file name (never a path), its kind is decided by its
extension and then proved by its content. Images (PNG, JPEG, WebP, GIF) are decoded and encoded
again with Pillow, so what is stored is pixels and nothing else: no EXIF (camera, GPS location),
no comments, no second file hidden behind the first, and never larger than ``MAX_IMAGE_SIDE``.
A file that does not decode is not an image, whatever its name says. SVG is refused: it is a
document that can hold scripts, not a picture.

The bytes are kept in the database, beside the report (docs/attachments.md says why), with their
SHA-256. The text of a report places a figure with ``![caption](attachment:<id>)``; ``Figures``
says, while a page or an export is drawn, which images that report may show and where each is
found (a link on the page, ``hindsight-attachment:<id>`` in an export).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .language import N_, number, shown_language
from .language import say as _
from .markdown import PlacedImage
from .model import CLIENT_COPY, Report
from .tables import AttachmentRow, ReportRow
from .workflow import PUBLISHED_MESSAGE

DEFAULT_MAX_FILE_MB = 10
DEFAULT_MAX_REPORT_MB = 50
MAX_NAME = 150  # characters of a file's name
MAX_CAPTION = 500
MAX_IMAGE_SIDE = 4_000  # pixels; larger images are scaled down when stored
MAX_IMAGE_PIXELS = 60_000_000  # refused before decoding: a "decompression bomb"
# How large a figure is drawn in a page or a document, at most (CSS pixels).
SHOWN_WIDTH = 640
SHOWN_HEIGHT = 800
EXPORT_SCHEME = "hindsight-attachment:"

# Pillow's format name -> (MIME type, the extension a stored image ends with)
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
IMAGE_EXTENSIONS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
# Other files that may be kept with a report, by extension.
OTHER_TYPES = {
    "txt": "text/plain",
    "log": "text/plain",
    "eml": "message/rfc822",
    "csv": "text/csv",
    "pdf": "application/pdf",
}
ACCEPTED = (*IMAGE_EXTENSIONS, *OTHER_TYPES)
ACCEPTED_WORDS = N_("images (PNG, JPEG, WebP, GIF), text and log files, e-mails (.eml), CSV and "
                    "PDF")
_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


class AttachmentError(ValueError):
    """A file that cannot be stored, or a change that cannot be made; says why in plain words.

    ``status`` is the HTTP status the API answers with (400, 409 published, 413 too large).
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    report_bytes: int

    @classmethod
    def in_megabytes(cls, file_mb: float, report_mb: float) -> Limits:
        return cls(int(file_mb * 1024 * 1024), int(report_mb * 1024 * 1024))


def megabytes(size: int) -> str:
    """A size as people read it: "850 KB", "12.5 MB" (in French "850 ko", "12,5 Mo")."""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=max(1, round(size / 1024)))
    amount = f"{size / 1024 / 1024:.1f}".removesuffix(".0")
    if shown_language() != "en":  # the language's decimal mark: "12,5"
        amount = number(float(amount), shown_language())
    return _("%(size)s MB", size=amount)


@dataclass(frozen=True)
class Attachment:
    """One stored file, without its bytes."""

    id: int
    report_id: int
    name: str
    mimetype: str
    size: int
    sha256: str
    caption: str
    internal: bool
    width: int | None
    height: int | None
    created_at: datetime
    created_by: str | None

    @property
    def is_image(self) -> bool:
        return self.mimetype.startswith("image/")

    def summary(self) -> dict[str, object]:
        """The API's answer for this file."""
        return {"id": self.id, "name": self.name, "type": self.mimetype, "size": self.size,
                "caption": self.caption, "internal": self.internal}

    def shown_size(self) -> tuple[int, int]:
        """The size a figure is drawn at: its own, or scaled down to fit a page."""
        width, height = self.width or SHOWN_WIDTH, self.height or SHOWN_HEIGHT
        scale = min(1.0, SHOWN_WIDTH / width, SHOWN_HEIGHT / height)
        return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True)
class Prepared:
    """A file made safe to store: its plain name, its type and its (re-encoded) bytes."""

    name: str
    mimetype: str
    data: bytes
    width: int | None = None
    height: int | None = None


# -- names and content ---------------------------------------------------------------------------


def plain_name(filename: str | None) -> str:
    """A file's name as a plain name, never a path: ``../../etc/passwd`` becomes ``passwd``.

    Folders, control characters, characters Windows refuses and leading dots go; what is left
    is cut to ``MAX_NAME`` characters, keeping its extension.
    """
    text = unicodedata.normalize("NFC", filename or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _UNSAFE_NAME_CHARACTERS.sub("", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Zl", "Zp"))
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_NAME:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 8:
            text = stem[: MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            text = text[:MAX_NAME].rstrip(" .")
    return text or "file"


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _with_extension(name: str, extension: str) -> str:
    """The name ending in ``extension``, for an image stored in another format than named."""
    if extension_of(name) in IMAGE_EXTENSIONS:
        name = name.rpartition(".")[0]
    return f"{name[: MAX_NAME - len(extension) - 1]}.{extension}"


def _image(name: str, data: bytes) -> Prepared:
    """Decode an image and encode it again: pixels only, metadata gone, size bounded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    refusal = AttachmentError(_(
        "“%(name)s” is not a PNG, JPEG, WebP or GIF image that can be read, so it cannot be "
        "added as an image. If it is another kind of file, give it the right extension.",
        name=name))
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in IMAGE_FORMATS:
                raise refusal
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                shown = shown_language()
                raise AttachmentError(_(
                    "“%(name)s” is %(width)s × %(height)s pixels, too large to read. Save it "
                    "smaller (at most %(side)s pixels a side is plenty) and add it again.",
                    name=name, width=number(width, shown), height=number(height, shown),
                    side=number(MAX_IMAGE_SIDE, shown)))
            fmt = opened.format
            opened.seek(0)  # the first frame of an animation
            opened.load()
            image = ImageOps.exif_transpose(opened)  # turned the way the camera meant
    except AttachmentError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as error:
        raise refusal from error
    image.info = {}  # nothing of the original's metadata travels with the pixels
    if max(image.size) > MAX_IMAGE_SIDE:
        image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    modes = {"JPEG": ("RGB", "L"), "WEBP": ("RGB", "RGBA")}.get(
        fmt, ("1", "L", "LA", "P", "RGB", "RGBA"))
    if image.mode not in modes:
        image = image.convert("RGB" if fmt == "JPEG" else "RGBA")
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    image.save(out, format=fmt, **options)
    mimetype, extension = IMAGE_FORMATS[fmt]
    return Prepared(_with_extension(name, extension), mimetype, out.getvalue(),
                    image.size[0], image.size[1])


def prepare(filename: str | None, data: bytes) -> Prepared:
    """Check a file and make it safe to store; ``AttachmentError`` says why one cannot be."""
    name = plain_name(filename)
    extension = extension_of(name)
    if not data:
        raise AttachmentError(_("“%(name)s” is empty.", name=name))
    if extension == "svg":
        raise AttachmentError(_(
            "“%(name)s” is an SVG drawing, which can carry scripts, so it is not accepted. "
            "Save it as a PNG and add that instead.", name=name))
    if extension in IMAGE_EXTENSIONS:
        return _image(name, data)
    if extension not in OTHER_TYPES:
        raise AttachmentError(_(
            "“%(name)s” is not a kind of file a report keeps. You can add %(kinds)s.",
            name=name, kinds=_(ACCEPTED_WORDS)))
    mimetype = OTHER_TYPES[extension]
    if mimetype == "application/pdf":
        if not data.startswith(b"%PDF-"):
            raise AttachmentError(_("“%(name)s” does not look like a PDF.", name=name))
    elif b"\x00" in data[:65536]:
        raise AttachmentError(_(
            "“%(name)s” is not a text file (it holds binary data), so it cannot be added as "
            ".%(extension)s.", name=name, extension=extension))
    return Prepared(name, mimetype, data)


# -- the store -----------------------------------------------------------------------------------

_COLUMNS = (AttachmentRow.id, AttachmentRow.report_id, AttachmentRow.name,
            AttachmentRow.mimetype, AttachmentRow.size, AttachmentRow.sha256,
            AttachmentRow.caption, AttachmentRow.internal, AttachmentRow.width,
            AttachmentRow.height, AttachmentRow.created_at, AttachmentRow.created_by)


def _attachment(row: Any) -> Attachment:
    created = row.created_at
    if created.tzinfo is None:  # SQLite gives the moment back without its zone
        created = created.replace(tzinfo=UTC)
    return Attachment(row.id, row.report_id, row.name, row.mimetype, row.size, row.sha256,
                      row.caption, bool(row.internal), row.width, row.height, created,
                      row.created_by)


def clean_caption(caption: str | None) -> str:
    text = " ".join((caption or "").split())
    if len(text) > MAX_CAPTION:
        raise AttachmentError(_("The caption is too long: at most %(most)s characters.",
                                most=MAX_CAPTION))
    return text


def check_changeable(report: Report) -> None:
    """A published report's files change only after it is reopened, as its text does."""
    if report.status == "published":
        raise AttachmentError(_(PUBLISHED_MESSAGE), status=409)


class AttachmentStore:
    def __init__(self, engine: Engine, limits: Limits | None = None):
        self.engine = engine
        self.limits = limits or Limits.in_megabytes(DEFAULT_MAX_FILE_MB, DEFAULT_MAX_REPORT_MB)

    def too_large(self, name: str, size: int) -> AttachmentError | None:
        if size > self.limits.file_bytes:
            return AttachmentError(_(
                "“%(name)s” is %(size)s; a file can be at most %(most)s. Make it smaller (for a "
                "log, keep the part about the incident) and add it again.", name=name,
                size=megabytes(size), most=megabytes(self.limits.file_bytes)), status=413)
        return None

    def add(self, report_id: int, filename: str | None, data: bytes, *, caption: str = "",
            internal: bool = False, author: str | None = None) -> Attachment:
        """Check and store one file; ``AttachmentError`` when it is refused (nothing stored)."""
        problem = self.too_large(plain_name(filename), len(data))
        if problem:
            raise problem
        prepared = prepare(filename, data)
        caption = clean_caption(caption)
        with Session(self.engine) as session, session.begin():
            # Hold the report's row, so two uploads at once cannot both pass the report's limit
            # (on SQLite the no-op UPDATE takes the write lock before anything is read).
            session.execute(sa.update(ReportRow).where(ReportRow.id == report_id)
                            .values(version=ReportRow.version))
            held = session.execute(sa.select(ReportRow.id).where(ReportRow.id == report_id)
                                   .with_for_update()).first()
            if held is None:
                raise AttachmentError(_("There is no such report."), status=404)
            used = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(AttachmentRow.size), 0))
                                  .where(AttachmentRow.report_id == report_id)) or 0
            if used + len(prepared.data) > self.limits.report_bytes:
                raise AttachmentError(_(
                    "This report's files would come to %(size)s; a report can hold at most "
                    "%(most)s. Remove a file you no longer need first.",
                    size=megabytes(used + len(prepared.data)),
                    most=megabytes(self.limits.report_bytes)), status=413)
            row = AttachmentRow(
                report_id=report_id, name=prepared.name, mimetype=prepared.mimetype,
                size=len(prepared.data), sha256=hashlib.sha256(prepared.data).hexdigest(),
                caption=caption, internal=internal, width=prepared.width,
                height=prepared.height, created_at=datetime.now(UTC), created_by=author,
                data=prepared.data,
            )
            session.add(row)
            session.flush()
            new_id = row.id
        found = self.get(report_id, new_id)
        assert found is not None
        return found

    def files(self, report_id: int, *, internal: bool = True) -> list[Attachment]:
        """A report's files, oldest first; ``internal=False`` leaves the internal ones out."""
        query = sa.select(*_COLUMNS).where(AttachmentRow.report_id == report_id)
        if not internal:
            query = query.where(AttachmentRow.internal.is_(False))
        with self.engine.connect() as connection:
            return [_attachment(row) for row in
                    connection.execute(query.order_by(AttachmentRow.id))]

    def get(self, report_id: int, attachment_id: int) -> Attachment | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(*_COLUMNS).where(
                AttachmentRow.id == attachment_id,
                AttachmentRow.report_id == report_id)).first()
        return None if row is None else _attachment(row)

    def data(self, report_id: int, attachment_id: int) -> bytes | None:
        with self.engine.connect() as connection:
            return connection.scalar(sa.select(AttachmentRow.data).where(
                AttachmentRow.id == attachment_id, AttachmentRow.report_id == report_id))

    def with_data(self, report_id: int, *, internal: bool) -> list[tuple[Attachment, bytes]]:
        """The files that are (``internal``) or are not internal only, each with its bytes."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(*_COLUMNS, AttachmentRow.data)
                .where(AttachmentRow.report_id == report_id,
                       AttachmentRow.internal.is_(internal))
                .order_by(AttachmentRow.id))
            return [(_attachment(row), row.data) for row in rows]

    def total_size(self, report_id: int) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(AttachmentRow.size), 0))
                .where(AttachmentRow.report_id == report_id)) or 0

    def update(self, report_id: int, attachment_id: int, *, caption: str | None = None,
               internal: bool | None = None) -> Attachment | None:
        values: dict[str, object] = {}
        if caption is not None:
            values["caption"] = clean_caption(caption)
        if internal is not None:
            values["internal"] = internal
        if values:
            with self.engine.begin() as connection:
                connection.execute(sa.update(AttachmentRow).where(
                    AttachmentRow.id == attachment_id, AttachmentRow.report_id == report_id,
                ).values(**values))
        return self.get(report_id, attachment_id)

    def remove(self, report_id: int, attachment_id: int) -> bool:
        with self.engine.begin() as connection:
            done = connection.execute(sa.delete(AttachmentRow).where(
                AttachmentRow.id == attachment_id, AttachmentRow.report_id == report_id))
        return bool(done.rowcount)


# -- figures in the text -------------------------------------------------------------------------


class ShownFigures:
    """The images one copy of a report may show: what ``reports.markdown`` asks while drawing."""

    def __init__(self, figures: Figures, copy: str):
        self.figures = figures
        self.copy = copy

    def image(self, attachment_id: int) -> PlacedImage | None:
        found = self.figures.image(attachment_id)
        if found is None or (found.internal and self.copy == CLIENT_COPY):
            return None
        width, height = found.shown_size()
        return PlacedImage(self.figures.link(found), width, height, internal=found.internal)


class Figures:
    """A report's images while a page or an export is drawn, and where each is found.

    The list is read once, when first asked for; the bytes only when an export embeds them.
    """

    def __init__(self, listing: Callable[[], Sequence[Attachment]],
                 load: Callable[[int], bytes | None], link: Callable[[Attachment], str]):
        self._listing = listing
        self._load = load
        self.link = link
        self._data: dict[int, bytes | None] = {}

    @cached_property
    def images(self) -> dict[int, Attachment]:
        return {a.id: a for a in self._listing() if a.is_image}

    def image(self, attachment_id: int) -> Attachment | None:
        return self.images.get(attachment_id)

    def data(self, attachment_id: int) -> bytes | None:
        """The bytes of one of these images; None for anything else."""
        if attachment_id not in self.images:
            return None
        if attachment_id not in self._data:
            self._data[attachment_id] = self._load(attachment_id)
        return self._data[attachment_id]

    def shown_in(self, copy: str) -> ShownFigures:
        return ShownFigures(self, copy)


def export_link(attachment: Attachment) -> str:
    return f"{EXPORT_SCHEME}{attachment.id}"


def export_figures(engine: Engine, report_id: int) -> Figures:
    """A report's images for an export: addressed ``hindsight-attachment:<id>``."""
    store = AttachmentStore(engine)
    return Figures(lambda: store.files(report_id),
                   lambda attachment_id: store.data(report_id, attachment_id), export_link)


_CURRENT: ContextVar[Figures | None] = ContextVar("hindsight_figures", default=None)


def current_figures() -> Figures | None:
    """The images of the report being drawn now, or None (then no figure is shown)."""
    return _CURRENT.get()


@contextmanager
def showing(figures: Figures | None) -> Iterator[None]:
    """Draw with ``figures`` until the block ends (an export inside a page's request wins)."""
    token = _CURRENT.set(figures)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def set_current(figures: Figures | None) -> Token[Figures | None]:
    """For a request's whole length (views/attachments.py); give the token to ``reset_current``."""
    return _CURRENT.set(figures)


def reset_current(token: Token[Figures | None]) -> None:
    _CURRENT.reset(token)
