"""业委会选举换届: the steps, inputs and decision data of an owners' committee election."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

PROCESS_KIND = "owners-election"
PROCESS_LABEL = "业委会选举换届"


class ElectionKind(StrEnum):
    FIRST = "first"
    RE_ELECTION = "re_election"


ELECTION_KIND_LABELS = {ElectionKind.FIRST: "首次选举", ElectionKind.RE_ELECTION: "换届选举"}


# The body acting for an estate's owners as the committee registry records it: an owners' committee.
OWNERS_COMMITTEE_BODY = "owners_committee"


class Trigger(StrEnum):
    """Who started the case: a clerk, or the registry's re-election timer (潍坊 Art. 40)."""

    CLERK = "clerk"
    TERM_END = "term_end"


class Step(StrEnum):
    """The steps in order (山东 Arts. 20–31; 潍坊 Arts. 30–44 [P])."""

    REPORTED = "reported"
    # The dates the election must be held by (潍坊 Art. 40), tracked as tasks the vote closes.
    STATUTORY_DATE = "statutory_date"
    GROUP_DEADLINE = "group_deadline"
    # The first election's date (山东 Art. 22 para. 3), tracked the same way.
    ASSEMBLY_DEADLINE = "assembly_deadline"
    REELECTION_CONVENE = "reelection_convene"
    GROUP_FORMATION = "group_formation"
    GROUP_PUBLICATION = "group_publication"
    NOMINATION = "nomination"
    QUALIFICATION_REVIEW = "qualification_review"
    CANDIDATE_NOTICE = "candidate_notice"
    OBJECTION = "objection"
    VOTING = "voting"
    TALLY = "tally"
    PARTY_MEMBER_ACKNOWLEDGEMENT = "party_member_acknowledgement"
    RESULT_PUBLICATION = "result_publication"
    HANDOVER = "handover"
    FIRST_MEETING = "first_meeting"
    FILING = "filing"
    CERTIFICATE = "certificate"
    ACTING_FORMATION = "acting_formation"
    ACTING_COMMITTEE = "acting_committee"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.REPORTED: "启动",
    Step.STATUTORY_DATE: "任期届满九十日前完成换届选举",
    Step.GROUP_DEADLINE: "换届小组九十日内选举",
    Step.ASSEMBLY_DEADLINE: "筹备组九十日内召开首次业主大会",
    Step.REELECTION_CONVENE: "业委会启动换届",
    Step.GROUP_FORMATION: "组建筹备组（换届小组）",
    Step.GROUP_PUBLICATION: "筹备组名单公告",
    Step.NOMINATION: "候选人推荐",
    Step.QUALIFICATION_REVIEW: "候选人资格审查",
    Step.CANDIDATE_NOTICE: "候选人及会议公告",
    Step.OBJECTION: "异议复核答复",
    Step.VOTING: "投票表决",
    Step.TALLY: "计票",
    Step.PARTY_MEMBER_ACKNOWLEDGEMENT: "党员比例说明",
    Step.RESULT_PUBLICATION: "选举结果公告",
    Step.HANDOVER: "物业管理委员会移交",
    Step.FIRST_MEETING: "业委会首次会议",
    Step.FILING: "业委会备案",
    Step.CERTIFICATE: "核发备案证明",
    Step.ACTING_FORMATION: "组建物业管理委员会",
    Step.ACTING_COMMITTEE: "物业管理委员会代行",
    Step.CLOSED: "结案",
}


class ElectionStart(BaseModel):
    """What a clerk sends to start an election; a first election states the delivery facts (山东 Art. 20)."""

    estate_id: str = Field(min_length=1, max_length=64, examples=["yidu-jinxiu"])
    kind: ElectionKind = Field(examples=[ElectionKind.RE_ELECTION])
    description: str = Field(default="", max_length=4000, examples=["第二届业委会任期将满，启动换届"])
    delivered_area_percent: int | None = Field(default=None, ge=0, le=100, description="share of the exclusive area delivered")
    delivered_owners_percent: int | None = Field(default=None, ge=0, le=100, description="share of the owners who took delivery")
    months_since_first_delivery: int | None = Field(default=None, ge=0, le=1200)

    @model_validator(mode="after")
    def _first_election_states_delivery(self) -> ElectionStart:
        if self.kind == ElectionKind.FIRST and None in (
            self.delivered_area_percent, self.delivered_owners_percent, self.months_since_first_delivery,
        ):
            raise ValueError("a first election states delivered_area_percent, delivered_owners_percent and months_since_first_delivery")
        return self


class GroupRole(StrEnum):
    """Who sits on the preparatory group (潍坊 Art. 30 [P])."""

    STREET_REP = "street_rep"
    OWNER = "owner"
    PARTY_ORG = "party_org"
    RESIDENTS_COMMITTEE = "residents_committee"
    DEVELOPER = "developer"
    PROPERTY_COMPANY = "property_company"


class GroupMember(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: GroupRole
    household_id: str | None = Field(default=None, max_length=64, description="an owner member's unit")
    leader: bool = False


class GroupData(BaseModel):
    """组建筹备组: the members and the committee size (seats) the group fixes."""

    members: list[GroupMember] = Field(min_length=1, max_length=41)
    seats: int = Field(ge=1, le=99, description="committee size: 5–11, odd")
    # At most the case's ElectionRules.term_years_max (checked in the workflow); the case's
    # term_years_default when absent.
    term_years: int | None = Field(default=None, ge=1, description="the committee's term in years, within the statutory maximum (潍坊 Art. 38); the maximum when absent")


class ActingRole(StrEnum):
    """Who sits on the 物业管理委员会 (潍坊 Art. 43 [P]): the residents' committee, owners, occupants."""

    RESIDENTS_COMMITTEE = "residents_committee"
    OWNER = "owner"
    OCCUPANT = "occupant"


class ActingMember(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: ActingRole
    household_id: str | None = Field(default=None, max_length=64, description="an owners' representative's unit")
    chair: bool = Field(default=False, description="主任: the residents' committee's representative")
    vice_chair: bool = Field(default=False, description="副主任: an owners' representative the residents' committee names")


class ActingBodyData(BaseModel):
    """组建物业管理委员会 (潍坊 Arts. 42–43): its members and where their list is published."""

    members: list[ActingMember] = Field(min_length=1, max_length=41)
    notice: str = Field(min_length=2, max_length=2000, examples=["小区公告栏公示成员名单"])


class PublicationData(BaseModel):
    """A notice published in the estate: where and how."""

    notice: str = Field(min_length=2, max_length=2000, examples=["小区公告栏及业主群书面公告"])


class NominationChannel(StrEnum):
    """潍坊 Art. 35 [P]: Party organisation, residents' committee, self, or jointly by owners."""

    PARTY_ORG = "party_org"
    RESIDENTS_COMMITTEE = "residents_committee"
    SELF = "self"
    JOINT = "joint"


CHANNEL_LABELS = {
    NominationChannel.PARTY_ORG: "社区党组织推荐",
    NominationChannel.RESIDENTS_COMMITTEE: "居民委员会推荐",
    NominationChannel.SELF: "业主自荐",
    NominationChannel.JOINT: "业主联名推荐",
}


class NominationData(BaseModel):
    """A nomination: the candidate's unit and name as in the registry."""

    household_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    party_member: bool = False
    channel: NominationChannel
    co_nominators: list[str] = Field(default_factory=list, max_length=100, description="units of joint nominators")
    statement: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _joint_has_co_nominators(self) -> NominationData:
        if self.channel == NominationChannel.JOINT and not self.co_nominators:
            raise ValueError("a joint nomination lists the co-nominators' units")
        return self


class CandidateStatus(StrEnum):
    NOMINATED = "nominated"
    QUALIFIED = "qualified"
    REJECTED = "rejected"


CANDIDATE_STATUS_LABELS = {
    CandidateStatus.NOMINATED: "待审查", CandidateStatus.QUALIFIED: "资格审查通过", CandidateStatus.REJECTED: "资格审查未通过",
}


class Candidate(BaseModel):
    """A nominee through review; a rejection carries the reason the candidate reads."""

    id: str
    order: int
    household_id: str
    name: str
    party_member: bool
    channel: NominationChannel
    co_nominators: list[str] = Field(default_factory=list)
    statement: str = ""
    nominated_by: str
    nominated_by_name: str
    status: CandidateStatus = CandidateStatus.NOMINATED
    reason: str | None = None
    findings: list[str] = Field(default_factory=list)


class Rejection(BaseModel):
    candidate_id: str = Field(min_length=1, max_length=16)
    reason: str = Field(min_length=2, max_length=1000)


class ReviewData(BaseModel):
    """资格审查: the candidates the street office rejects, each with a reason; the rest qualify."""

    rejections: list[Rejection] = Field(default_factory=list, max_length=100)
    party_member_justification: str | None = Field(default=None, max_length=2000)


class JustificationData(BaseModel):
    """The street office's written justification for fewer Party members than the policy asks."""

    justification: str = Field(min_length=5, max_length=2000)


class ObjectionKind(StrEnum):
    IDENTITY = "identity"
    VOTE_WEIGHT = "vote_weight"
    CANDIDATE = "candidate"
    OTHER = "other"


OBJECTION_LABELS = {
    ObjectionKind.IDENTITY: "业主身份异议", ObjectionKind.VOTE_WEIGHT: "投票权数异议",
    ObjectionKind.CANDIDATE: "候选人异议", ObjectionKind.OTHER: "其他异议",
}


class ObjectionData(BaseModel):
    """An owner's objection during the notice (山东 Art. 22: identity and vote weight are re-checked)."""

    kind: ObjectionKind
    household_id: str | None = Field(default=None, max_length=64)
    text: str = Field(min_length=2, max_length=4000)


class MeetingData(BaseModel):
    """首次会议: the chair and vice-chairs chosen among the members (山东 Art. 30)."""

    held_on: date
    chair: str = Field(min_length=1, max_length=100)
    vice_chairs: list[str] = Field(default_factory=list, max_length=5)


class FilingData(BaseModel):
    """备案: the documents filed with the housing bureau and the street (山东 Art. 31)."""

    documents: list[str] = Field(min_length=1, max_length=20, examples=[["业主大会决议", "议事规则", "管理规约", "成员名单"]])


class CertificateData(BaseModel):
    """备案证明 issued by the housing bureau."""

    certificate_no: str = Field(min_length=1, max_length=100)


# Decision codes of this process beyond the shared ones, with their labels for the timeline.
DECISION_LABELS = {"nominate": "推荐候选人", "object": "提出异议", "held": "按期完成", "held_late": "逾期完成"}
