"""The Google Drive connection Hindsight keeps in its database.

Two things live here, one row per Google identity:

- ``"person"``: the person's Google account connected on the settings page: their address and
  name, and the OAuth refresh token, **encrypted at rest** (Fernet: AES-128-CBC with an
  HMAC-SHA256, the key derived from the app's secret key with HKDF-SHA256). A copy of the
  database alone does not give the token away; changing the secret key makes it unreadable,
  and the settings page then asks to connect again.
- ``"delegated:<address>"``: for a service account acting for that person, only the folder
  Hindsight made in their My Drive.

Either row can remember the folder Hindsight made for that account ("Make the reports folder
for me"), which exports then use. Disconnecting forgets the token but keeps the account and its
folder, so connecting the same account again finds its folder; another account starts afresh.
Every change bumps ``version``, so each app process sees a change made by another
(``fingerprint``). Backups leave these rows out on purpose: a restored Hindsight connects again.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from .tables import DriveConnectionRow

PERSON = "person"
TOKEN_PURPOSE = b"hindsight drive connection: refresh token"


def sealer(secret_key: str, purpose: bytes) -> Fernet:
    """Authenticated encryption with a key derived from ``secret_key`` for one ``purpose``."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hindsight", info=purpose
               ).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def delegated_identity(subject: str) -> str:
    return f"delegated:{subject.strip().lower()}"


@dataclass(frozen=True)
class Connection:
    """One identity's row, the token decrypted (never shown, never logged)."""

    identity: str
    account: str
    account_name: str
    folder_id: str
    folder_name: str
    folder_link: str
    changed_by: str
    changed_at: datetime
    refresh_token: str = field(default="", repr=False)
    has_secret: bool = False  # a token is stored, readable or not
    version: int = 1

    @property
    def connected(self) -> bool:
        return bool(self.refresh_token)

    @property
    def unreadable(self) -> bool:
        """A token is stored but the secret key no longer opens it."""
        return self.has_secret and not self.refresh_token


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class DriveConnections:
    """Read and change the stored connections; each call is its own short transaction."""

    def __init__(self, engine: Engine, secret_key: str):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._sealer = sealer(secret_key, TOKEN_PURPOSE)

    def _connection(self, row: DriveConnectionRow) -> Connection:
        token = ""
        if row.secret:
            try:
                token = self._sealer.decrypt(row.secret.encode("ascii")).decode("utf-8")
            except (InvalidToken, UnicodeError, ValueError):
                token = ""
        return Connection(
            identity=row.identity, account=row.account, account_name=row.account_name,
            folder_id=row.folder_id or "", folder_name=row.folder_name or "",
            folder_link=row.folder_link or "", changed_by=row.changed_by,
            changed_at=_utc(row.changed_at), refresh_token=token, has_secret=bool(row.secret),
            version=row.version,
        )

    def get(self, identity: str) -> Connection | None:
        with self._sessions() as session:
            row = session.scalar(sa.select(DriveConnectionRow)
                                 .where(DriveConnectionRow.identity == identity))
            return self._connection(row) if row is not None else None

    def person(self) -> Connection | None:
        return self.get(PERSON)

    def fingerprint(self) -> tuple[tuple[str, int], ...]:
        """Changes whenever any connection changes, in any process."""
        with self._sessions() as session:
            rows = session.execute(sa.select(DriveConnectionRow.identity,
                                              DriveConnectionRow.version)
                                   .order_by(DriveConnectionRow.identity))
            return tuple((identity, version) for identity, version in rows)

    def _row(self, session: sa.orm.Session, identity: str) -> DriveConnectionRow:
        row = session.scalar(sa.select(DriveConnectionRow)
                             .where(DriveConnectionRow.identity == identity).with_for_update())
        if row is None:
            row = DriveConnectionRow(identity=identity, account="", account_name="",
                                     changed_by="", changed_at=datetime.now(UTC), version=0)
            session.add(row)
        return row

    @staticmethod
    def _touch(row: DriveConnectionRow, by: str) -> None:
        row.changed_by = by[:200]
        row.changed_at = datetime.now(UTC)
        row.version = (row.version or 0) + 1

    def connect_person(self, account: str, name: str, refresh_token: str, by: str
                       ) -> Connection:
        """Keep a person's connection; another account than before forgets the old folder."""
        with self._sessions.begin() as session:
            row = self._row(session, PERSON)
            if row.account.lower() != account.lower():
                row.folder_id = row.folder_name = row.folder_link = None
            row.account, row.account_name = account[:320], name[:200]
            row.secret = self._sealer.encrypt(refresh_token.encode("utf-8")).decode("ascii")
            self._touch(row, by)
            session.flush()
            return self._connection(row)

    def disconnect_person(self, by: str) -> Connection | None:
        """Forget the person's token; the connection as it was (to revoke it), or None."""
        with self._sessions.begin() as session:
            row = session.scalar(sa.select(DriveConnectionRow)
                                 .where(DriveConnectionRow.identity == PERSON).with_for_update())
            if row is None or not row.secret:
                return None
            before = self._connection(row)
            row.secret = None
            self._touch(row, by)
            return before

    def set_folder(self, identity: str, account: str, folder_id: str, name: str, link: str,
                   by: str) -> Connection:
        """Remember the folder Hindsight made for ``identity``'s account."""
        with self._sessions.begin() as session:
            row = self._row(session, identity)
            if not row.account:
                row.account = account[:320]
            row.folder_id, row.folder_name, row.folder_link = folder_id, name[:300], link[:1000]
            self._touch(row, by)
            session.flush()
            return self._connection(row)
