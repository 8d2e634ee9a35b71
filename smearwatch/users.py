"""Users: passwords (argon2), API tokens and login sessions (only their sha256 is stored), roles, the demo reviewer.

Plain functions over a Session: the API, the `smearwatch users` command and `smearwatch demo` call them alike.
"""

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from smearwatch.models import ApiToken, LoginSession, User, utcnow

ROLES = ("reviewer", "admin")
DEMO_USERNAME = "demo"
TOKEN_PREFIX = "sw_"

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of a bad username like a bad password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class UserError(ValueError):
    """A user that cannot be created or changed; shown as one line."""


@dataclass
class Credentials:
    username: str
    password: str
    token: str
    role: str

    def as_dict(self) -> dict:
        return {"username": self.username, "password": self.password, "token": self.token, "role": self.role}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > 100 or not all(c.isalnum() or c in "._-" for c in username):
        raise UserError(f"invalid username {username!r}: use 1-100 letters, digits, '.', '_' or '-'")
    return username


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def user_for_token(session: Session, *, token: str) -> User | None:
    user = session.exec(_TOKEN_USER, params={"hash": token_hash(token)}).first()  # one indexed lookup
    return user if user is not None and user.active else None


# Every request looks up its user: the statements are built once (building one costs more than running it).
_TOKEN_USER = select(User).join(ApiToken, ApiToken.user_id == User.id).where(ApiToken.token_hash == bindparam("hash"))
_LOGIN_USER = (select(User).join(LoginSession, LoginSession.user_id == User.id)
               .where(LoginSession.id == bindparam("hash"), col(LoginSession.ended_at).is_(None), col(User.active)))


def start_login_session(session: Session, *, user: User) -> str:
    """A new login of `user`: returns the random id the session cookie carries (its sha256 is stored)."""
    login_id = secrets.token_urlsafe(32)
    session.add(LoginSession(id=token_hash(login_id), user_id=user.id))
    session.commit()
    return login_id


def user_for_login_session(session: Session, *, login_id: str) -> User | None:
    """The user of a login session that has not ended, if still active: one query, by primary key."""
    return session.exec(_LOGIN_USER, params={"hash": token_hash(login_id)}).first()


def end_login_session(session: Session, *, login_id: str) -> None:
    """Log out: the session's cookie, or any copy of it, no longer works."""
    session.exec(update(LoginSession).where(LoginSession.id == token_hash(login_id),
                                            col(LoginSession.ended_at).is_(None)).values(ended_at=utcnow()))
    session.commit()


def end_user_sessions(session: Session, *, user: User) -> int:
    """End every login session of `user` (the caller commits); returns how many were open."""
    result = session.exec(update(LoginSession).where(LoginSession.user_id == user.id,
                                                     col(LoginSession.ended_at).is_(None)).values(ended_at=utcnow()))
    return result.rowcount


def disable_user(session: Session, *, user: User) -> None:
    """No more logins: passwords, API tokens and the open login sessions stop working at once."""
    user.active = False
    session.add(user)
    end_user_sessions(session, user=user)
    session.commit()


def issue_token(session: Session, *, user: User) -> str:
    token = generate_token()
    session.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
    return token


def create_user(session: Session, *, username: str, role: str, password: str | None = None) -> Credentials:
    """Create a user with a generated password and one API token; both are returned once, never stored."""
    username = validate_username(username)
    if role not in ROLES:
        raise UserError(f"invalid role {role!r}: choose one of {', '.join(ROLES)}")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise UserError(f"user {username!r} already exists")
    password = password or generate_password()
    user = User(username=username, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    token = issue_token(session, user=user)
    session.commit()
    return Credentials(username, password, token, role)


def ensure_demo_user(engine: Engine) -> tuple[str, str]:
    """Create or reset the demo reviewer with a fresh password; returns (username, password)."""
    password = generate_password()
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == DEMO_USERNAME)).first()
        if user is None:
            session.add(User(username=DEMO_USERNAME, password_hash=hash_password(password), role="reviewer"))
        else:
            user.password_hash = hash_password(password)
            user.active = True
            user.role = "reviewer"
            session.add(user)
            end_user_sessions(session, user=user)  # a new password: whoever was logged in logs in again
        session.commit()
    return DEMO_USERNAME, password


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.id)))
