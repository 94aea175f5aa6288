"""Rate limits on registration and password reset (fixed windows in the cache), and the one rule
for the real client address, shared with the login throttle (django-axes, settings/security.py).

Counters live in the default cache: Redis when REDIS_URL is set (shared by all web workers),
local memory otherwise. A blocked person is told when to try again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from ipware import get_client_ip


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds

    def _key(self, key: str) -> str:
        return f"throttle:{self.scope}:{key}"

    def exceeded(self, key: str) -> bool:
        return (cache.get(self._key(key)) or 0) >= self.limit

    def hit(self, key: str) -> int:
        full = self._key(key)
        if cache.add(full, 1, self.window):
            return 1
        try:
            return cache.incr(full)
        except ValueError:  # expired between add and incr
            cache.set(full, 1, self.window)
            return 1

    def reset(self, key: str) -> None:
        cache.delete(self._key(key))


REGISTER_PER_ADDRESS = Limit("register", 10, 60 * 60)
RESET_PER_ADDRESS = Limit("reset-address", 5, 60 * 60)
RESET_PER_EMAIL = Limit("reset-email", 3, 60 * 60)
# The password-change page asks for the current password without authenticate(), so django-axes
# does not see it: wrong current passwords are counted per account and client address here.
PASSWORD_CHANGE_FAILURES = Limit("password-change", 5, 15 * 60)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind PORTAL_TRUSTED_PROXY_COUNT reverse proxies, the
    address the outermost of them appended to X-Forwarded-For (the COUNT-th from the right).
    Addresses further left are the client's own words and are never used. django-axes calls this
    too (AXES_CLIENT_IP_CALLABLE), so the login throttle and the limits below agree."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.PORTAL_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    # ipware counts only the proxies named inside the header: the last proxy's own address is
    # REMOTE_ADDR, so COUNT proxies leave COUNT - 1 of them in it. Not strict: hops a client wrote
    # before the trusted ones may be anything. A header too short (the request bypassed the
    # proxies) gives None, and then the peer's address is the truth.
    address, _routable = get_client_ip(
        request, proxy_count=count - 1, request_header_order=("HTTP_X_FORWARDED_FOR",), strict=False
    )
    return address or remote


def client_address(request) -> str:
    """client_ip as a cache-key part (never empty)."""
    return client_ip(request) or "unknown"
