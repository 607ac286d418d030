"""Users, sessions and the CSRF token of the sandbox (protocol §2).

Users mirror Azkaban's solo server (``azkaban`` admin, ``metrics``) plus ``reader``, whose role
``reader`` grants READ the way a role of ``azkaban-users.xml`` does: it may read every project, and
do nothing else, so that permission errors are easy to produce. A role is global, so ``reader``
appears in no project's permission list and ``fetchuserprojects`` (user permissions only) lists
nothing for it, as on a real server. Sessions are an in-memory map with a sliding idle time-out,
like Azkaban's Guava cache (expire-after-access).

Proxy users: ``addProxyUser`` succeeds only for a name in the acting user's ``proxy`` list
(``XmlUserManager.validateProxyUser``; no role, not even admin, bypasses it). The solo server's
``azkaban-users.xml`` gives nobody a ``proxy`` attribute, so there every ``addProxyUser`` is
refused. To let the call be tried here, the sandbox's ``azkaban`` has the explicit list
``proxy="metrics,reader"``; ``metrics`` and ``reader`` have none. Any other name, ``azkaban``
itself included, gets ``User azkaban has no permission to add <name> as proxy user.``
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# role name -> the permission types it grants (Azkaban's XmlUserManager roles)
ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset({"ADMIN"}),
    "metrics": frozenset({"METRICS"}),
    "reader": frozenset({"READ"}),
}


@dataclass(frozen=True)
class User:
    """An account: name, password, groups, roles (global permissions) and the users it may
    add as a project's proxy users (the ``proxy`` attribute of ``azkaban-users.xml``)."""

    name: str
    password: str
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    proxies: tuple[str, ...] = ()

    def may_proxy(self, name: str) -> bool:
        """``XmlUserManager.validateProxyUser``: only the user's own proxy list counts."""
        return name in self.proxies

    def role_permissions(self) -> frozenset[str]:
        perms: set[str] = set()
        for role in self.roles:
            perms |= ROLES.get(role, frozenset())
        return frozenset(perms)

    def __str__(self) -> str:
        """Azkaban's ``User.toString()`` (seen in one SLA error message)."""
        return f"{self.name}: [{','.join(self.groups)},]" if self.groups else f"{self.name}: []"


DEFAULT_USERS: tuple[User, ...] = (
    User("azkaban", "azkaban", groups=("azkaban",), roles=("admin",),
         proxies=("metrics", "reader")),
    User("metrics", "metrics", roles=("metrics",)),
    User("reader", "reader", roles=("reader",)),
    # a plain user with no role: what the docs' `grant demo alice read execute` names
    User("alice", "alice"),
)


class LoginError(Exception):
    """The XmlUserManager's refusal; the message is Azkaban's text."""


class UserStore:
    """Looks users up and checks passwords with XmlUserManager's messages."""

    def __init__(self, users: Iterable[User] | None = None) -> None:
        self._users = {u.name: u for u in (users if users is not None else DEFAULT_USERS)}

    def authenticate(self, name: str | None, password: str | None) -> User:
        if not name:
            raise LoginError("Username is empty.")
        if not password:
            raise LoginError("Password is empty.")
        user = self._users.get(name)
        if user is None or not hmac.compare_digest(user.password, password):
            raise LoginError("Username/Password not found.")
        return user

    def get(self, name: str) -> User | None:
        return self._users.get(name)

    def exists(self, name: str) -> bool:
        return name in self._users

    def group_exists(self, group: str) -> bool:
        return any(group in u.groups for u in self._users.values())

    def __iter__(self):
        return iter(self._users.values())


@dataclass
class Session:
    session_id: str
    user: User
    ip: str
    last_access: float = field(default=0.0)


class SessionStore:
    """Session id → session, expiring ``ttl`` seconds after the last access."""

    def __init__(self, ttl: float = 36000.0, clock: Callable[[], float] = time.monotonic,
                 max_sessions: int = 10000) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max = max_sessions
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, user: User, ip: str) -> Session:
        """A new session (not stored: one-shot credentials use it for one request only)."""
        return Session(str(uuid.uuid4()), user, ip, self._clock())

    def add(self, session: Session) -> None:
        with self._lock:
            if len(self._sessions) >= self._max:  # size-bounded like the Guava cache
                oldest = min(self._sessions.values(), key=lambda s: s.last_access)
                del self._sessions[oldest.session_id]
            self._sessions[session.session_id] = session

    def get(self, session_id: str | None) -> Session | None:
        """The live session (its idle clock restarts), or None if unknown or expired."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_access > self.ttl:
                del self._sessions[session_id]
                return None
            session.last_access = now
            return session

    def remove(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        return len(self._sessions)


class CsrfTokens:
    """Base64(HMAC-SHA256(secret, session id)) with an 8-byte secret drawn at start-up."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else os.urandom(8)

    def token(self, session_id: str) -> str:
        digest = hmac.new(self._secret, session_id.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    def valid(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(session_id), token or "")
