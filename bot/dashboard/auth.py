"""Signing in to the dashboard: one shared token (ADMIN_TOKEN), a signed session cookie, and a
CSRF token per session.

Nothing is stored: a session is its expiry and the name the person gave, signed with a key
derived from the token, so any replica checks it and changing the token signs everyone out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "faqbot_admin"
SESSION_SECONDS = 12 * 3600
# Sign-in attempts per minute from one address, counted in Redis by every replica together.
LOGIN_ATTEMPTS_PER_MINUTE = 5
MAX_NAME_CHARS = 60


@dataclass(frozen=True)
class Session:
    name: str  # who signed in, as customers see it on replies ("Support" when not given)
    cookie: str
    csrf: str  # carried by every form of this session


class Sessions:
    def __init__(self, token: str, clock: Callable[[], float] = time.time) -> None:
        self._token = token.encode()
        self._key = hashlib.sha256(b"faqbot admin session\0" + self._token).digest()
        self._clock = clock

    def token_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self._token)

    def issue(self, name: str) -> str:
        """A cookie value for a new session of `name`."""
        expiry = int(self._clock()) + SESSION_SECONDS
        label = base64.urlsafe_b64encode(name.encode()).decode()
        payload = f"{expiry}.{label}"
        return f"{payload}.{self._sign('session', payload)}"

    def verify(self, cookie: str | None) -> Session | None:
        """The session a cookie carries; None when it is missing, forged or expired."""
        if not cookie or cookie.count(".") != 2:
            return None
        payload, _, signature = cookie.rpartition(".")
        # Compared as bytes: any text a browser sends is refused, never a server error.
        if not hmac.compare_digest(signature.encode(), self._sign("session", payload).encode()):
            return None
        expiry, _, label = payload.partition(".")
        try:
            if int(expiry) < self._clock():
                return None
            name = base64.urlsafe_b64decode(label.encode()).decode()
        except (ValueError, binascii.Error):
            return None
        return Session(name, cookie, self._sign("csrf", cookie))

    def csrf_matches(self, session: Session, given: str) -> bool:
        return hmac.compare_digest(given.encode(), session.csrf.encode())

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()
