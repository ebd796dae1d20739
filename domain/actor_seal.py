"""The API's seal on the actor it authenticated: an HMAC the worker checks before it accepts an update.

Without it, anyone who can reach Temporal's port could send ``decide`` with a made-up
housing-bureau actor and the history would record it as genuine. The seal covers every field of
the actor and an expiry, so a seal read from a history is useless minutes later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

from domain.access import Actor


def _mac(actor: Actor, expires: int, key: str) -> str:
    body = json.dumps(
        {"actor": actor.model_dump(mode="json", exclude={"seal"}), "expires": expires}, sort_keys=True, ensure_ascii=False,
    )
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def sealed(actor: Actor, key: str, now: datetime, ttl: timedelta) -> Actor:
    """The actor with a seal valid until ``now + ttl``."""
    expires = int((now + ttl).timestamp())
    return actor.model_copy(update={"seal": f"{expires}.{_mac(actor, expires, key)}"})


def seal_problem(actor: Actor, key: str, now: datetime | None) -> str | None:
    """Why the actor's seal is not acceptable at ``now`` (None: whatever its expiry); None when it is."""
    if not actor.seal:
        return "the actor carries no seal"
    expires_text, _, mac = actor.seal.partition(".")
    if not expires_text.isdigit() or not hmac.compare_digest(mac, _mac(actor, int(expires_text), key)):
        return "the actor's seal is not valid"
    if now is not None and int(expires_text) < now.timestamp():
        return "the actor's seal has expired"
    return None
