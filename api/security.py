"""What only the web app needs: CSRF tokens kept in the session cookie, and the login rate limit.

Users, passwords and API tokens are core (`smearwatch.users`).
"""

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from starlette.requests import Request


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time; as bytes, since compare_digest refuses str with non-ASCII characters (a forged header)."""
    if not isinstance(expected, str) or not isinstance(given, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_csrf_token()
    return token


class LoginLimiter:
    """At most `attempts` failed logins per client address and per username in `window` seconds."""

    def __init__(self, attempts: int = 5, window: float = 60.0):
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _keys(self, client: str, username: str) -> tuple[str, str]:
        return f"ip:{client}", f"user:{username.lower()}"

    def retry_after(self, client: str, username: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in self._keys(client, username):
                failures = self._failures[key]
                while failures and now - failures[0] > self.window:
                    failures.popleft()
                if len(failures) >= self.attempts:
                    wait = max(wait, self.window - (now - failures[0]))
        return int(wait) + 1 if wait else 0

    def failed(self, client: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in self._keys(client, username):
                self._failures[key].append(now)

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(client, username)[1], None)
