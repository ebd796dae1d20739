"""The election's typed facts and candidate list: stored facts still read, nomination and review rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.access import Actor, Level, Role, Scope
from domain.election import NominationData, Rejection, ReviewData
from domain.election_candidates import CandidateList
from domain.election_facts import ElectionFacts
from domain.rules import ELECTION
from domain.tasks import DecisionRefused, RefusalKind
from tests.factories import make_actor
from tests.factories_election import STORED_FACTS as STORED

ESTATE = Scope(street_id="yidu", community_id="yidu-c1", estate_id="e1")


def test_facts_stored_before_typing_still_read_with_their_keys_and_times() -> None:
    facts = ElectionFacts.model_validate(STORED)
    assert facts.kind == "owners-election" and facts.notice_end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert facts.objections[0].outcome is None and facts.attempts[0].tally is None and not facts.street_formed_group
    out = facts.model_dump(mode="json")
    assert set(STORED) <= set(out)
    assert out["notice_end"] == "2026-12-31T16:00:00Z" and out["group"]["label"] == "换届小组"
    assert out["candidates"][1]["status_label"] == "资格审查未通过"


def nomination(household: str, channel: str = "party_org", **extra: object) -> NominationData:
    return NominationData.model_validate({"household_id": household, "name": f"业主{household}", "channel": channel, **extra})


def refused(nominees: CandidateList, data: NominationData, actor: Actor | None = None) -> RefusalKind:
    actor = actor or make_actor(Role.COMMUNITY, Level.COMMUNITY, "yidu-c1")
    with pytest.raises(DecisionRefused) as exc:
        nominees.check_nomination(data, actor, ESTATE, ELECTION)
    return exc.value.kind


def test_nominations_follow_the_channels_the_window_the_limit_and_one_per_unit() -> None:
    community = make_actor(Role.COMMUNITY, Level.COMMUNITY, "yidu-c1")
    owner = make_actor(Role.OWNER, Level.ESTATE, "e1", subject="e1-101")
    nominees = CandidateList()
    assert refused(nominees, nomination("e1-101")) == RefusalKind.CONFLICT  # the window is closed
    nominees.open = True
    assert refused(nominees, nomination("e1-101", "self"), community) == RefusalKind.FORBIDDEN  # 潍坊 Art. 35
    assert refused(nominees, nomination("e1-101"), owner) == RefusalKind.FORBIDDEN
    elsewhere = make_actor(Role.COMMUNITY, Level.COMMUNITY, "yidu-c2")
    assert refused(nominees, nomination("e1-101"), elsewhere) == RefusalKind.FORBIDDEN
    nominees.check_nomination(nomination("e1-101"), community, ESTATE, ELECTION)
    candidate, role = nominees.nominate(nomination("e1-101"), community)
    assert (candidate.id, candidate.order, role) == ("c1", 1, Role.COMMUNITY)
    assert refused(nominees, nomination("e1-101", "self"), owner) == RefusalKind.CONFLICT  # the unit stands already
    full = CandidateList(open=True)
    for i in range(ELECTION.max_candidates):
        full.nominate(nomination(f"e1-{i}"), community)
    assert refused(full, nomination("e1-x")) == RefusalKind.CONFLICT


def test_the_review_rejects_with_reasons_and_qualifies_the_rest_a_rejected_unit_may_be_nominated_again() -> None:
    community = make_actor(Role.COMMUNITY, Level.COMMUNITY, "yidu-c1")
    nominees = CandidateList(open=True)
    for h in ("e1-101", "e1-102", "e1-103"):
        nominees.nominate(nomination(h, party_member=True), community)
    nominees.apply_review(ReviewData(rejections=[Rejection(candidate_id="c2", reason="欠缴物业费")]))
    assert [c.id for c in nominees.standing()] == ["c1", "c3"] and nominees.by_id()["c2"].reason == "欠缴物业费"
    assert [e.id for e in nominees.ballot()] == ["c1", "c3"] and not nominees.pending()
    nominees.check_nomination(nomination("e1-102"), community, ESTATE, ELECTION)
    assert [c.status_label for c in nominees.labelled()] == ["资格审查通过", "资格审查未通过", "资格审查通过"]
