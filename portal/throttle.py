"""Rate limits on login, registration and password reset (fixed windows in the cache).

Counters live in the default cache: Redis when REDIS_URL is set (shared by all web workers),
local memory otherwise. A blocked person is told in Chinese and English when to try again.
"""

from dataclasses import dataclass

from django.core.cache import cache


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


LOGIN_PER_ACCOUNT = Limit("login-account", 5, 15 * 60)  # failures per username and address
LOGIN_PER_ADDRESS = Limit("login-address", 30, 15 * 60)  # failures per address, any username
REGISTER_PER_ADDRESS = Limit("register", 10, 60 * 60)
RESET_PER_ADDRESS = Limit("reset-address", 5, 60 * 60)
RESET_PER_EMAIL = Limit("reset-email", 3, 60 * 60)


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
