"""Print a bearer token for every demo user: ``python -m api.tokens``."""

from __future__ import annotations

import sys

from api.auth import issue_token
from core.settings import get_settings
from db.seed import demo_users


def main() -> None:
    settings = get_settings()
    out = sys.stdout
    for actor in demo_users():
        roles = ",".join(r.value for r in actor.roles)
        where = actor.jurisdiction.level.value + (f":{actor.jurisdiction.id}" if actor.jurisdiction.id else "")
        out.write(f"# {actor.name} ({roles}, {where})\n")
        out.write(f"export TOKEN_{actor.subject.upper().replace('-', '_')}={issue_token(settings, actor)}\n")


if __name__ == "__main__":
    main()
