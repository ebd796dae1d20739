"""Ballot lines checked before any is stored: one vote per unit, valid choices, at most 3 proxies."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.rules import ELECTION, ElectionRules


class Channel(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


CHANNEL_LABELS = {Channel.PAPER: "书面表决票", Channel.ELECTRONIC: "电子投票"}


class BallotLine(BaseModel):
    """One unit's ballot: the candidates chosen, and the owner who signed as proxy, if any."""

    household_id: str = Field(min_length=1, max_length=64)
    choices: list[str] = Field(default_factory=list, max_length=11)
    proxy_owner_key: str | None = Field(
        default=None, max_length=64, description="the owner who signed under a written authorisation (委托书)",
    )


class LineError(BaseModel):
    """Why one line of a batch was refused; ``conflict`` lines clash with a ballot already recorded."""

    line: int
    household_id: str
    code: str
    msg: str
    conflict: bool = False


def check_ballot_lines(
    lines: list[BallotLine], *, roll: Mapping[str, str], owner_keys: set[str], candidates: set[str], seats: int,
    recorded: set[str], proxies: Mapping[str, set[str]], rules: ElectionRules = ELECTION,
) -> list[LineError]:
    """Every problem of every line.

    ``roll`` maps the lines' units to their owner keys, ``owner_keys`` holds the proxies that are
    owners on the roll, ``recorded`` the units already voted, ``proxies`` each proxy's principals so far.
    """
    errors: list[LineError] = []
    seen: set[str] = set()
    signed = {k: set(v) for k, v in proxies.items()}
    for i, line in enumerate(lines):
        h = line.household_id

        def err(code: str, msg: str, conflict: bool = False, i: int = i, h: str = h) -> None:
            errors.append(LineError(line=i, household_id=h, code=code, msg=msg, conflict=conflict))

        if h not in roll:
            err("not_on_roll", "the unit is not on this election's roll")
            continue
        if h in recorded:
            err("already_voted", "a ballot for this unit is already recorded", conflict=True)
        elif h in seen:
            err("twice_in_batch", "the unit appears twice in this batch", conflict=True)
        seen.add(h)
        unknown = [c for c in line.choices if c not in candidates]
        if unknown:
            err("unknown_candidate", f"not on the ballot: {', '.join(unknown)}")
        if len(set(line.choices)) != len(line.choices):
            err("repeated_choice", "a candidate is chosen twice")
        if len(set(line.choices)) > seats:
            err("too_many_choices", f"at most {seats} candidates may be chosen")
        proxy = line.proxy_owner_key
        if proxy is not None:
            principal = roll[h]
            if proxy not in owner_keys:
                err("proxy_not_owner", "a proxy must be an owner of the estate (潍坊 Art. 32)")
            elif proxy == principal:
                err("proxy_is_owner", "the owner signs for their own unit without a proxy")
            else:
                principals = signed.setdefault(proxy, set())
                principals.add(principal)
                if len(principals) > rules.max_proxies_per_owner:
                    err("proxy_limit", f"an owner may act for at most {rules.max_proxies_per_owner} others (潍坊 Art. 32)")
    return errors


def ballot_receipt(election_id: str, household_id: str, choices: list[str], cast_at: datetime) -> str:
    """The receipt an owner gets and can check later: a hash of what was recorded for their unit."""
    text = "|".join([election_id, household_id, ",".join(sorted(choices)), cast_at.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:32]
