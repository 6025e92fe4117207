"""Accounts kept in the database, with passwords stored only as a slow salted hash (scrypt)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from werkzeug.security import check_password_hash, generate_password_hash

from reports.language import N_, say
from reports.tables import UserRow

from .roles import ROLES, CurrentUser

MIN_PASSWORD_LENGTH = 12
# Checked against when the account does not exist, so a wrong username costs the same time.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing", method="scrypt")


class AccountError(ValueError):
    pass


def _user(row: UserRow) -> CurrentUser:
    return CurrentUser(username=row.username, display_name=row.display_name or row.username,
                       role=row.role, team=row.team or None)


class UserStore:
    def __init__(self, engine: Engine):
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, username: str, role: str, password: str | None = None,
            display_name: str = "", team: str | None = None) -> CurrentUser:
        username = username.strip()
        if not username or len(username) > 200:
            raise AccountError(say(N_("A username is 1 to 200 characters.")))
        if role not in ROLES:
            raise AccountError(say(N_("The role must be one of: %(roles)s."),
                                   roles=", ".join(ROLES)))
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(say(N_("A password needs at least %(least)s characters."),
                                   least=MIN_PASSWORD_LENGTH))
        with self._sessions.begin() as session:
            if session.scalar(sa.select(UserRow.id).where(UserRow.username == username)):
                raise AccountError(say(N_("There is already an account called %(name)s."),
                                       name=repr(username)))
            row = UserRow(
                username=username, display_name=display_name.strip(), role=role, team=team,
                password_hash=generate_password_hash(password, method="scrypt")
                if password else None,
                created_at=datetime.now(UTC),
            )
            session.add(row)
            return _user(row)

    def find(self, username: str) -> CurrentUser | None:
        with self._sessions() as session:
            row = session.scalar(sa.select(UserRow).where(UserRow.username == username))
            return None if row is None else _user(row)

    def session_generation(self, username: str) -> int | None:
        """The generation a session made now belongs to; None for no such account."""
        with self._sessions() as session:
            return session.scalar(
                sa.select(UserRow.session_generation).where(UserRow.username == username))

    def find_session(self, username: str, generation: object) -> CurrentUser | None:
        """The account a session cookie names, if the cookie's generation is still current."""
        if not isinstance(generation, int) or isinstance(generation, bool):
            return None
        with self._sessions() as session:
            row = session.scalar(sa.select(UserRow).where(
                UserRow.username == username, UserRow.session_generation == generation))
            return None if row is None else _user(row)

    def end_sessions(self, username: str) -> None:
        """Sign the account out everywhere: every session made so far stops working."""
        with self._sessions.begin() as session:
            session.execute(
                sa.update(UserRow).where(UserRow.username == username)
                .values(session_generation=UserRow.session_generation + 1)
            )

    def check_password(self, username: str, password: str) -> CurrentUser | None:
        with self._sessions() as session:
            row = session.scalar(sa.select(UserRow).where(UserRow.username == username))
        if row is None or not row.password_hash:
            check_password_hash(_DUMMY_HASH, password)
            return None
        return _user(row) if check_password_hash(row.password_hash, password) else None
