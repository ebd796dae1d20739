"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from db.models.archive import ArchivedHistory, ArchiveObject
from db.models.base import Base
from db.models.cases import AuditEntry, AuditHead, CaseRecord, CaseSequence, InboxEntry, StartRequest
from db.models.credit import CreditAssessmentLine, CreditCheckResult, CreditRecord
from db.models.election import Ballot, CommitteeRegistry, CommitteeTerm, Election, ElectionVoter, OwnerRecord
from db.models.fund import FundAccount, FundNoticeShare, FundPayment, LedgerEntry
from db.models.holiday_calendar import HolidayCalendarYear
from db.models.idempotency import UsedKey
from db.models.rate_limit import RateBucket
from db.models.reference import Building, Community, Company, Estate, Household, OwnerIdentity, Street, Unit, User
from db.models.registry_import import RegistryImport
from db.models.report_baseline import ReportBaseline
from db.models.tender import Expert, ExpertRelationship, TenderBid
from db.models.ticket import Department, RoutingRule, Ticket, TicketContact
from db.models.ticket_report import TicketMonthlyReport

__all__ = [
    "ArchiveObject",
    "ArchivedHistory",
    "AuditEntry",
    "AuditHead",
    "Ballot",
    "Base",
    "Building",
    "CaseRecord",
    "CaseSequence",
    "CommitteeRegistry",
    "CommitteeTerm",
    "Community",
    "Company",
    "CreditAssessmentLine",
    "CreditCheckResult",
    "CreditRecord",
    "Department",
    "Election",
    "ElectionVoter",
    "Estate",
    "Expert",
    "ExpertRelationship",
    "FundAccount",
    "FundNoticeShare",
    "FundPayment",
    "HolidayCalendarYear",
    "Household",
    "InboxEntry",
    "LedgerEntry",
    "OwnerIdentity",
    "OwnerRecord",
    "RateBucket",
    "RegistryImport",
    "ReportBaseline",
    "RoutingRule",
    "StartRequest",
    "Street",
    "TenderBid",
    "Ticket",
    "TicketContact",
    "TicketMonthlyReport",
    "Unit",
    "UsedKey",
    "User",
]
