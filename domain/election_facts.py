"""The facts an election case shows (业委会选举换届), typed: what the workflow keeps and the API reads.

The JSON of ``ElectionFacts`` is the case's ``facts``: the keys the API, the README and the tests
use. The typed parts whose keys sit flat in it (the period ends, the notes, the aftermath) are
models of their own, so the workflow and its aftermath helper each keep one typed part.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.election import (
    CANDIDATE_STATUS_LABELS,
    CHANNEL_LABELS,
    ActingMember,
    Candidate,
    ElectionKind,
    FilingData,
    GroupData,
    MeetingData,
    Trigger,
)
from domain.objections import Objection
from domain.rules import ElectionRules
from domain.tally import Outcome, TallyResult


class LabelledCandidate(Candidate):
    """A nominee as the case shows it: with the Chinese labels of its status and channel."""

    status_label: str
    channel_label: str

    @classmethod
    def of(cls, candidate: Candidate) -> LabelledCandidate:
        return cls(
            **dict(candidate), status_label=CANDIDATE_STATUS_LABELS[candidate.status],
            channel_label=CHANNEL_LABELS[candidate.channel],
        )


class ElectionGroup(GroupData):
    """The preparatory group (筹备组) or, at a re-election, the 换届小组."""

    label: str


class Attempt(BaseModel):
    """One voting attempt: its ballot box and, after the close, its counted result."""

    attempt: int
    election_id: str
    voters: int
    voting_opened_at: datetime
    voting_end: datetime
    outcome: Outcome | None = None
    outcome_label: str | None = None
    tally: TallyResult | None = None


class ActingBody(BaseModel):
    """The residents' committee chairing the 物业管理委员会 after two failed attempts (潍坊 Arts. 41–43)."""

    chair: str
    since: datetime
    # Its members and the published list, as the street formed it (潍坊 Arts. 42–43); empty for cases before.
    members: list[ActingMember] = Field(default_factory=list)
    notice: str | None = None


class ElectionPeriods(BaseModel):
    """When the election's steps happened or end (calendar-day periods end at 24:00 city time)."""

    group_formed_at: datetime | None = None
    # A re-election is held within this period of the 换届小组's formation (潍坊 Art. 40), a first
    # election within 90 days of the 筹备组's (山东 Art. 22), to 24:00 of its last day, moved off a
    # rest day (民法典 Arts. 201, 203); whether the vote closed by then.
    election_due_at: datetime | None = None
    election_due_met: bool | None = None
    # A re-election's vote closes by 90 days before the term ends (潍坊 Art. 40), and whether it did.
    statutory_vote_by: datetime | None = None
    statutory_vote_by_met: bool | None = None
    nomination_end: datetime | None = None
    notice_end: datetime | None = None
    # The notice ran its days; voting waits for the objections still open at this moment.
    notice_passed_at: datetime | None = None
    voting_end: datetime | None = None


class ElectionNotes(BaseModel):
    """What the organisers recorded on the way: the street's takeover, notices, justifications, the acting body."""

    street_formed_group: bool = False
    group_notice: str | None = None
    party_member_review_justification: str | None = None
    acting_body: ActingBody | None = None


class ElectedMember(BaseModel):
    """A member of the new committee (also the registry's member line)."""

    candidate_id: str
    name: str
    household_id: str
    party_member: bool


class Filing(FilingData):
    """备案: the documents filed and when."""

    filed_at: datetime


class AftermathFacts(BaseModel):
    """After a valid election: the members, the term, the re-election timer, meeting, filing, certificate."""

    elected: list[ElectedMember] = Field(default_factory=list)
    # When the committee was elected (the valid result counted): the first meeting (山东 Art. 30),
    # the filing (Art. 31) and the acting body's handover (潍坊 Art. 44) count from this day.
    elected_at: datetime | None = None
    party_member_justification: str | None = None
    term_start: datetime | None = None
    term_end: datetime | None = None
    reelection_timer: str | None = None  # the CommitteeTerm workflow's id
    first_meeting: MeetingData | None = None
    filing: Filing | None = None
    certificate_no: str | None = None
    handover_at: datetime | None = None


class ElectionFacts(ElectionPeriods, ElectionNotes, AftermathFacts):
    """The facts of an election case, as the read model stores them and the API shows them."""

    kind: Literal["owners-election"] = "owners-election"
    estate_id: str
    election_kind: ElectionKind
    election_kind_label: str
    trigger: Trigger
    description: str
    attempt: int
    failed_attempts: int
    rules: ElectionRules
    expiring_term_end: datetime | None = None
    # The estate, once its context is loaded; the area in m² with two decimals, as text.
    estate_name: str | None = None
    households: int | None = None
    area_m2: str | None = None
    owners: int | None = None
    group: ElectionGroup | None = None
    seats: int | None = None
    candidates: list[LabelledCandidate] = Field(default_factory=list)
    objections: list[Objection] = Field(default_factory=list)
    attempts: list[Attempt] = Field(default_factory=list)
