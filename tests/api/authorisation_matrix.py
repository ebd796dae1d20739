"""The authorisation matrix: every route of the API × every kind of caller, and the answer each must get.

``test_authorisation_matrix`` walks it against one estate's cases of every process and fails when a
route of the app has no row here, so a new route must declare who may call it before it ships.

Callers (columns) are one per role, in their own place and in the places around it: the estate's
own street, community and estate; another street; another estate of the same street; the
companies serving the estate, a company bidding for it and one unrelated; a department handling a
ticket and one that does not; an expert drawn for the tender and one who was not; the joint meeting
(it holds a task in the escalated ticket).

The cases (``{case_id}``): ``fund`` (at 现场联合核实), ``election`` (at 组建筹备组), ``tender`` (at 评标: the
bids are opened), ``ticket`` (a service-quality complaint led by the estate's company), ``whistled`` (a
ticket the community whistled to the police, escalated to the joint meeting) and ``unknown`` (an id that
does not exist). Each is started by someone who is not a caller here, so a withdrawal never succeeds.

Answers are HTTP statuses; a list route's row says whether the list ``LISTS`` or ``OMITS`` the case.
Write routes are sent a request their admitted callers see refused for its content (an unknown task,
a step that is over, an invalid field), so the walk changes nothing: who gets past the door answers
409 or 422, who does not 401, 403 or 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LISTS, OMITS = "lists", "omits"
Answer = int | str

CALLERS: dict[str, str] = {
    # the estate's street (益都), community and estate
    "clerk": "street clerk of the estate's street",
    "street": "street office of the estate's street",
    "community": "residents' committee of the estate's community",
    "street_auditor": "auditor of the estate's street",
    "committee": "the estate's owners' committee",
    "owner_rep": "an owners' representative of the estate",
    "owner": "owner of record of a unit of the estate",
    # another street (王府)
    "other_clerk": "clerk of another street",
    "other_street": "street office of another street",
    "other_community": "residents' committee of another street",
    "other_street_auditor": "auditor of another street",
    # another estate of the same street and community
    "other_estate_committee": "owners' committee of another estate",
    "other_estate_owner_rep": "owners' representative of another estate",
    "other_estate_owner": "owner of record of a unit of another estate",
    # the city
    "bureau": "housing bureau (the fund authority)",
    "supervisor": "the housing bureau's supervisor",
    "auditor": "city auditor",
    "admin": "administrator",
    "dispatcher": "12345 hotline centre",
    "joint": "the joint meeting (holds a task in the whistled ticket)",
    "drawn_expert": "an expert drawn for the tender's committee",
    "expert": "an expert not drawn",
    # companies and departments
    "company": "the estate's property company (incumbent in the tender; led the complaint)",
    "agency": "the estate's pricing agency",
    "bidder": "another property company, bidding in the tender",
    "unrelated_company": "a property company with nothing to do with the estate",
    "dept_police": "the department whistled in the escalated ticket",
    "dept_other": "a department with no ticket here",
}


def cells(otherwise: Answer, answers: Mapping[Answer, Iterable[str]] | None = None) -> dict[str, Answer]:
    """Every caller's answer: ``answers`` names who gets what, everyone else gets ``otherwise``."""
    out: dict[str, Answer] = dict.fromkeys(CALLERS, otherwise)
    seen: set[str] = set()
    for answer, callers in (answers or {}).items():
        for caller in callers:
            assert caller in CALLERS, f"no caller {caller!r}"
            assert caller not in seen, f"{caller} is given two answers"
            seen.add(caller)
            out[caller] = answer
    return out


@dataclass(frozen=True)
class Row:
    """One request to one route, and every caller's answer to it."""

    method: str
    path: str
    expect: dict[str, Answer]
    case: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    anonymous: int = 401


EVERYONE = tuple(CALLERS)
# Who reads each case (the read policies): the estate's officials and auditors, its owners' side …
OFFICIALS = ("clerk", "street", "community", "street_auditor", "bureau", "supervisor", "auditor", "admin")
ESTATE = ("committee", "owner_rep", "owner")
FUND_READERS = (*OFFICIALS, *ESTATE, "company", "agency")
ELECTION_READERS = (*OFFICIALS, *ESTATE)
# … a tender: every property company reads its public part; of the experts only the drawn one.
TENDER_READERS = (*OFFICIALS, *ESTATE, "company", "bidder", "unrelated_company", "drawn_expert")
# … tickets: those who work them, never owners; the supervisor and the pricing agency have no ticket work.
TICKET_WORKERS = ("dispatcher", "clerk", "street", "community", "street_auditor", "bureau", "auditor", "admin")
TICKET_READERS = (*TICKET_WORKERS, "company")
WHISTLED_READERS = (*TICKET_WORKERS, "dept_police", "joint")
READERS = {"fund": FUND_READERS, "election": ELECTION_READERS, "tender": TENDER_READERS,
           "ticket": TICKET_READERS, "whistled": WHISTLED_READERS, "unknown": ()}

AUDITORS = ("auditor", "street_auditor")  # the auditors who may read the estate's cases
ALL_AUDITORS = (*AUDITORS, "other_street_auditor")
# The audit endpoints are for auditors and the administrator.
AUDIT_CALLERS = (*AUDITORS, "admin")
ALL_AUDIT_CALLERS = (*AUDIT_CALLERS, "other_street_auditor")
LEDGER_ROLES = ("dispatcher", "clerk", "other_clerk", "street", "other_street", "community", "other_community", "company",
                "bidder", "unrelated_company", "dept_police", "dept_other", "joint", "bureau", "admin", *ALL_AUDITORS)
CITY_STREET_COMPANY = ("clerk", "street", "street_auditor", "other_clerk", "other_street", "other_street_auditor", "bureau",
                       "supervisor", "auditor", "admin", "dispatcher", "joint", "drawn_expert", "expert", "company", "agency",
                       "bidder", "unrelated_company")
# Who sees the estate and its households: its places, the city, the companies serving it.
ESTATE_VIEWERS = ("clerk", "street", "community", "street_auditor", *ESTATE, "bureau", "supervisor", "auditor", "admin",
                  "dispatcher", "joint", "drawn_expert", "expert", "company", "agency")
LEDGER_READERS = ("bureau", "auditor", "street_auditor", "committee", "owner")
# The registry (estates, owners, balances, companies, experts) is imported by the city's administrator and the bureau.
REGISTRY_ADMINS = ("admin", "bureau")
# Owner records (ID number and phone masked) for the keepers, the street offices and auditors.
OWNER_RECORD_READERS = ("admin", "bureau", "clerk", "street", "other_clerk", "other_street", *ALL_AUDITORS)


def case_rows(case: str, readers: Iterable[str]) -> list[Row]:
    """The generic case routes for one case: readers pass the door, everyone else is told there is no such case."""
    readers = tuple(readers)
    return [
        Row("GET", "/cases/{case_id}", cells(404, {200: readers}), case),
        Row("GET", "/cases/{case_id}/timeline", cells(404, {200: readers}), case),
        # An unknown task: a reader's decision reaches the workflow, which has no such task (409).
        Row("POST", "/cases/{case_id}/tasks/{task_id}/decisions", cells(404, {409: readers}), case, {"task_id": "t999"},
            body={"decision": "approve", "comment": "矩阵"}),
        Row("POST", "/cases/{case_id}/tasks/{task_id}/assignee", cells(404, {409: readers}), case, {"task_id": "t999"},
            body={"assignee": "someone", "reason": "矩阵"}),
        # Only the initiator withdraws, and no caller here started the case.
        Row("POST", "/cases/{case_id}/withdraw", cells(404, {403: readers}), case, body={"reason": "矩阵"}),
        Row("GET", "/cases", cells(OMITS, {LISTS: readers}), case, query={"estate_id": "{estate}", "limit": "500"}),
        *[Row(method, path, cells(403, {200: _in(AUDIT_CALLERS, readers), 404: _out(ALL_AUDIT_CALLERS, readers)}), case)
          for method, path in (("GET", "/audit/cases/{case_id}/timeline"), ("GET", "/audit/cases/{case_id}/audit-log/verify"))],
        Row("GET", "/audit/cases", cells(403, {LISTS: _in(AUDIT_CALLERS, readers), OMITS: _out(ALL_AUDIT_CALLERS, readers)}),
            case, query={"estate_id": "{estate}", "limit": "500"}),
    ]


def _in(group: Iterable[str], readers: Iterable[str]) -> tuple[str, ...]:
    readers = set(readers)
    return tuple(c for c in group if c in readers)


def _out(group: Iterable[str], readers: Iterable[str]) -> tuple[str, ...]:
    readers = set(readers)
    return tuple(c for c in group if c not in readers)


REPORTERS = ("clerk", "street", "community", "committee", "owner_rep", "company")  # who may report an emergency here
INTAKE = ("dispatcher", "clerk", "street", "community")
BIDDERS = ("company", "bidder", "unrelated_company")

ROWS: list[Row] = [
    # ------------------------------------------------------------------ open to every caller
    Row("GET", "/health", cells(200), anonymous=200),
    Row("GET", "/me", cells(200)),
    Row("GET", "/streets", cells(200)),
    Row("GET", "/processes", cells(200)),
    Row("GET", "/processes/{kind}", cells(200), params={"kind": "fund-emergency"}),
    Row("GET", "/processes/{kind}/steps/{step}/decisions/{decision}/schema", cells(200),
        params={"kind": "fund-emergency", "step": "price_review", "decision": "approve"}),
    Row("GET", "/routing", cells(200)),
    Row("GET", "/departments", cells(200)),
    Row("GET", "/inbox", cells(200)),
    # The estates a form offers: each caller's own (who sees which: tests/api/test_workbench_routes.py).
    Row("GET", "/estates", cells(200)),
    Row("GET", "/me/units", cells(200)),
    # The workbench's demo user picker: a development run on loopback only, never here.
    Row("GET", "/dev/users", cells(404), anonymous=404),
    Row("POST", "/dev/users/{subject}/token", cells(404), params={"subject": "auditor-city"}, anonymous=404),
    # ------------------------------------------------------------------ each case through the generic routes
    *[row for case, readers in READERS.items() for row in case_rows(case, readers)],
    # The inbox lists a case to who may decide one of its open tasks, and never a case they cannot read.
    Row("GET", "/inbox", cells(OMITS, {LISTS: ("owner_rep", "committee", "company")}), "fund", query={"limit": "500"}),
    Row("GET", "/inbox", cells(OMITS, {LISTS: ("street",)}), "election", query={"limit": "500"}),
    Row("GET", "/inbox", cells(OMITS, {LISTS: ("committee", "drawn_expert")}), "tender", query={"limit": "500"}),
    Row("GET", "/inbox", cells(OMITS, {LISTS: ("company",)}), "ticket", query={"limit": "500"}),
    Row("GET", "/inbox", cells(OMITS, {LISTS: ("community", "street", "dept_police", "joint")}), "whistled", query={"limit": "500"}),
    # The raw history and its replay (the heavy audit routes) for a case of each kind of policy.
    *[Row(method, path, cells(403, {200: _in(AUDIT_CALLERS, READERS[case]), 404: _out(ALL_AUDIT_CALLERS, READERS[case])}), case)
      for method, path in (("GET", "/audit/cases/{case_id}/history"), ("POST", "/audit/cases/{case_id}/replay"),
                           ("GET", "/audit/cases/{case_id}/consistency"))
      for case in ("tender", "whistled", "unknown")],
    # ------------------------------------------------------------------ 维修资金应急使用
    # Reporting: the reporters of the estate's place; a request for a building of another estate is refused for its content.
    Row("POST", "/cases/fund-emergency", cells(403, {422: REPORTERS}),
        body={"estate_id": "{estate}", "category": "elevator_failure", "scope": "building", "scope_id": "no-such-building",
              "description": "矩阵探测：电梯停运"}),
    # Objections only during the public notice: a reader is told the notice is not running.
    Row("POST", "/cases/fund-emergency/{case_id}/objections", cells(404, {409: FUND_READERS}), "fund", body={"text": "矩阵"}),
    Row("GET", "/cases/fund-emergency/{case_id}/notice", cells(404, {409: FUND_READERS}), "fund"),
    Row("GET", "/cases/fund-emergency/{case_id}/notice", cells(404), "unknown"),
    # ------------------------------------------------------------------ the fund's households and ledgers
    Row("GET", "/estates/{estate_id}", cells(403, {200: ESTATE_VIEWERS}), params={"estate_id": "{estate}"}),
    Row("GET", "/estates/{estate_id}", cells(404), params={"estate_id": "no-such-estate"}),
    Row("GET", "/estates/{estate_id}/households", cells(403, {200: ESTATE_VIEWERS}), params={"estate_id": "{estate}"}),
    Row("GET", "/households/{household_id}/fund", cells(403, {200: LEDGER_READERS}), params={"household_id": "{household}"}),
    Row("GET", "/households/{household_id}/fund", cells(404), params={"household_id": "no-such-household"}),
    # Only the fund authority deposits; its request with a quoted amount is refused for the amount.
    Row("POST", "/households/{household_id}/fund/deposits", cells(403, {422: ("bureau",)}), params={"household_id": "{household}"},
        body={"amount_fen": "100", "reason": "矩阵"}),
    # The estate's committee gives the top-up notice (潍坊 Art. 66); its notice dated tomorrow is refused for the date.
    Row("POST", "/households/{household_id}/fund/top-up-notice", cells(403, {422: ("committee",)}), params={"household_id": "{household}"},
        body={"noticed_on": "2999-01-01", "reference": "矩阵"}),
    Row("POST", "/households/{household_id}/fund/top-up-notice", cells(404), params={"household_id": "no-such-household"},
        body={"noticed_on": "2999-01-01", "reference": "矩阵"}),
    # ------------------------------------------------------------------ 业委会选举换届
    Row("POST", "/cases/owners-election", cells(403, {409: ("clerk", "street")}), body={"estate_id": "{estate}", "kind": "re_election"}),
    Row("GET", "/cases/owners-election/{case_id}", cells(404, {200: ELECTION_READERS}), "election"),
    Row("GET", "/cases/owners-election/{case_id}", cells(404), "fund"),
    Row("POST", "/cases/owners-election/{case_id}/nominations", cells(404, {409: ELECTION_READERS}), "election",
        body={"household_id": "{household}", "name": "矩阵", "channel": "party_org"}),
    Row("POST", "/cases/owners-election/{case_id}/objections", cells(404, {409: ELECTION_READERS}), "election",
        body={"kind": "candidate", "household_id": "{household}", "text": "矩阵"}),
    Row("POST", "/cases/owners-election/{case_id}/ballots/paper", cells(403, {409: ("clerk", "street"), 404: ("other_clerk", "other_street")}),
        "election", body={"ballots": [{"household_id": "{household}", "choices": ["c1"]}]}),
    Row("POST", "/cases/owners-election/{case_id}/ballots/electronic", cells(403, {409: ("owner",), 404: ("other_estate_owner",)}),
        "election", body={"choices": ["c1"]}),
    # No voting yet: a reader hears there is no ballot to check, as does anyone else.
    Row("GET", "/cases/owners-election/{case_id}/ballots/{household_id}", cells(404), "election", {"household_id": "{household}"}),
    Row("GET", "/cases/owners-election/{case_id}/tally", cells(404, {200: ELECTION_READERS}), "election"),
    Row("GET", "/cases/owners-election/{case_id}/tally/{attempt}/recount", cells(403, {404: ("bureau", *ALL_AUDITORS)}),
        "election", {"attempt": "1"}),
    Row("GET", "/owners-committees/{estate_id}", cells(403, {200: ("clerk", "street", "community", "street_auditor", *ESTATE, "bureau",
                                                                 "supervisor", "auditor", "admin", "dispatcher", "joint",
                                                                 "drawn_expert", "expert")}),
        params={"estate_id": "{estate}"}),
    # The street office's registrars of the estate's street; a committee of people who own nothing there is refused.
    Row("PUT", "/owners-committees/{estate_id}", cells(403, {422: ("clerk", "street")}), params={"estate_id": "{estate}"},
        body={"members": [{"name": f"矩阵{i}", "household_id": f"nowhere-{i}"} for i in range(5)],
              "term_start": "2024-01-01T00:00:00+08:00", "term_end": "2029-01-01T00:00:00+08:00",
              "reason": "矩阵", "document_ref": "矩阵"}),
    # ------------------------------------------------------------------ 招标
    # The estate's clerks publish; a deadline less than 20 days away is refused.
    Row("POST", "/cases/tender", cells(403, {422: ("clerk",)}),
        body={"estate_id": "{estate}", "selection": "reselection", "method": "comprehensive", "summary": "矩阵探测：物业服务招标",
              "bid_deadline": "{tomorrow}", "outgoing": {"reason": "dismissal"}}),
    Row("GET", "/cases/tender/{case_id}", cells(404, {200: TENDER_READERS}), "tender"),
    Row("GET", "/cases/tender/{case_id}", cells(404), "election"),
    # Only a property company bids (a price of 0 is refused); the bidding is over anyway.
    Row("POST", "/cases/tender/{case_id}/bids", cells(403, {422: BIDDERS}), "tender", body={"price_fen_per_m2": 0, "plan": "矩阵"}),
    Row("POST", "/cases/tender/{case_id}/clarifications", cells(404, {409: TENDER_READERS}), "tender", body={"text": "矩阵"}),
    Row("POST", "/cases/tender/{case_id}/objections", cells(404, {409: TENDER_READERS}), "tender", body={"text": "矩阵"}),
    # Before the award the draw's names are for the bureau and auditors; other readers 403, the rest 404.
    Row("GET", "/cases/tender/{case_id}/draw", cells(404, {200: ("bureau", "auditor", "street_auditor", "admin"),
                                                          403: _out(TENDER_READERS, ("bureau", "auditor", "street_auditor", "admin"))}),
        "tender"),
    Row("GET", "/experts", cells(403, {200: ("bureau", "supervisor", "admin", *ALL_AUDITORS)})),
    # ------------------------------------------------------------------ 矛盾纠纷工单
    # The ticket's own reference again: an intake that may read it gets the ticket, one outside the estate is refused.
    Row("POST", "/tickets", cells(403, {200: INTAKE}), body="{ticket_intake}"),
    Row("GET", "/tickets", cells(403, {200: LEDGER_ROLES})),
    Row("GET", "/tickets/export.csv", cells(403, {200: LEDGER_ROLES})),
    Row("GET", "/tickets/export.xlsx", cells(403, {200: LEDGER_ROLES})),
    # The caller's contact: the hotline centre; the lead unit unless it is the company complained about.
    Row("GET", "/tickets/{ticket_id}/contact", cells(404, {200: ("dispatcher",), 403: _out(TICKET_READERS, ("dispatcher",))}),
        params={"ticket_id": "{ticket}"}),
    Row("GET", "/tickets/{ticket_id}/contact", cells(404, {200: ("dispatcher", "community"),
                                                           403: _out(WHISTLED_READERS, ("dispatcher", "community"))}),
        params={"ticket_id": "{whistled}"}),
    Row("GET", "/tickets/{ticket_id}/contact", cells(404), params={"ticket_id": "{fund}"}),
    # Whistling a department that does not exist: the community is refused for the department, other readers for their role.
    Row("POST", "/tickets/{ticket_id}/whistle", cells(404, {422: ("community",), 403: _out(WHISTLED_READERS, ("community",))}),
        params={"ticket_id": "{whistled}"}, body={"department_id": "dept-nope", "reason": "矩阵"}),
    Row("POST", "/tickets/{ticket_id}/whistle", cells(404, {409: TICKET_READERS}), params={"ticket_id": "{ticket}"},
        body={"department_id": "dept-nope", "reason": "矩阵"}),
    # ------------------------------------------------------------------ routing, reports
    # Only an administrator edits the routing table: an unknown department, and a category that is not there.
    Row("PUT", "/routing/{category}", cells(403, {422: ("admin",)}), params={"category": "matrix_probe"},
        body={"label": "矩阵", "lead": {"kind": "department", "id": "dept-nope"}}),
    Row("DELETE", "/routing/{category}", cells(403, {404: ("admin",)}), params={"category": "matrix_probe"}),
    Row("GET", "/reports/tickets/monthly/{month}", cells(403, {200: CITY_STREET_COMPANY}), params={"month": "2019-01"}),
    # Running a month by hand: the city's administrator, hotline centre and bureau; a month that is not one is refused.
    Row("POST", "/reports/tickets/monthly/{month}", cells(403, {422: ("admin", "dispatcher", "bureau")}), params={"month": "2019-13"}),
    # The owner record's authorised representative (潍坊 Art. 34) and a user's status: the street / the administrator.
    *[Row(m, "/households/{household_id}/owner/representative", cells(403, {422: ("clerk", "street")}),
          params={"household_id": "{household}"},
          body={"name": "矩阵", "authorisation_ref": "矩阵授权委托书"} if m == "PUT" else None) for m in ("PUT", "DELETE")],
    Row("PUT", "/users/{subject}/status", cells(403, {422: ("admin",)}), params={"subject": "matrix-probe"},
        body={"active": False, "reason": ""}),
    # ------------------------------------------------------------------ registry imports
    # The administrator and the housing bureau import the registry: the template; a dry run with no file
    # is refused for its content; a dry run that does not exist is not found.
    Row("GET", "/imports/{kind}/template.xlsx", cells(403, {200: REGISTRY_ADMINS}), params={"kind": "estates"}),
    Row("POST", "/imports/{kind}", cells(403, {422: REGISTRY_ADMINS}), params={"kind": "estates"}),
    Row("GET", "/imports/{kind}/{import_id}", cells(403, {404: REGISTRY_ADMINS}), params={"kind": "owners", "import_id": "imp-matrix"}),
    Row("POST", "/imports/{kind}/{import_id}/apply", cells(403, {404: REGISTRY_ADMINS}),
        params={"kind": "owners", "import_id": "imp-matrix"}),
    # One record at a time, with a reason: a company or an expert with a refused field, an owner with a wrong ID number.
    Row("PUT", "/companies/{company_id}", cells(403, {422: REGISTRY_ADMINS}), params={"company_id": "co-matrix"},
        body={"name": "矩阵", "kind": "property", "business_licence": "91370781MA3C4X2F40", "reason": "矩阵"}),
    Row("PUT", "/experts/{expert_id}", cells(403, {422: REGISTRY_ADMINS}), params={"expert_id": "ex-matrix"},
        body={"name": "矩阵", "specialty": "矩阵", "years_of_practice": 1, "employer": "矩阵", "employer_company_id": "co-nope",
              "reason": "矩阵"}),
    Row("PUT", "/households/{household_id}/owner", cells(403, {422: REGISTRY_ADMINS}), params={"household_id": "{household}"},
        body={"natural_person": True, "name": "矩阵", "id_number": "110105194912310020", "reason": "矩阵"}),
    # The unit has no owner record: who may read one is told so; the others are refused.
    Row("GET", "/households/{household_id}/owner", cells(403, {404: OWNER_RECORD_READERS}), params={"household_id": "{household}"}),
    Row("GET", "/users", cells(403, {200: ("admin",)})),
    # The registry with balances: the bureau, the administrator and auditors, for the estates they cover.
    Row("GET", "/exports/registry.xlsx", cells(403, {200: ("bureau", "admin", *AUDITORS), 404: ("other_street_auditor",)}),
        query={"estate_id": "{estate}"}),
    Row("PUT", "/users/{subject}", cells(403, {422: ("admin",)}), params={"subject": "matrix-probe"},
        body={"name": "矩阵", "roles": ["clerk"], "level": "city", "jurisdiction_id": "yidu", "reason": "矩阵"}),
    # Binding a subject to an owner of record: an ID number no owner of record has is refused; a subject never bound is not found.
    Row("PUT", "/users/{subject}/owner", cells(403, {422: REGISTRY_ADMINS}), params={"subject": "matrix-probe"},
        body={"id_number": "110105194912310020", "reason": "矩阵"}),
    Row("DELETE", "/users/{subject}/owner", cells(403, {404: REGISTRY_ADMINS}), params={"subject": "matrix-probe"},
        query={"reason": "矩阵"}),
    # ------------------------------------------------------------------ the holiday calendar
    # Anyone signed in reads the published years; the administrator publishes (a year whose notice is
    # missing is refused for its content); auditors and the administrator read the publications log.
    Row("GET", "/calendar", cells(200)),
    Row("GET", "/calendar/{year}", cells(200), params={"year": "2026"}),
    Row("GET", "/calendar/{year}/publications", cells(403, {200: ALL_AUDIT_CALLERS}), params={"year": "2026"}),
    Row("PUT", "/calendar/{year}", cells(403, {422: ("admin",)}), params={"year": "2031"},
        body={"notice": "", "holidays": []}),
    # ------------------------------------------------------------------ 物业企业信用
    # The published quarters are public (no token); a quarter nobody published is not found.
    Row("GET", "/credit/published", cells(200), anonymous=200),
    Row("GET", "/credit/published/{quarter}", cells(404), params={"quarter": "2001Q1"}, anonymous=404),
    # A company's file: the company itself and the city's bureau, supervisor, auditor and administrator.
    Row("GET", "/credit/companies/{company_id}/file", cells(403, {200: ("company", "bureau", "supervisor", "auditor", "admin")}),
        params={"company_id": "{company}"}),
    # The bureau enters records (a ticket's type is refused: it comes from the ticket) and starts a quarter
    # (a quarter that is not one is refused); it adjusts grades of a case under review (none for 2001).
    Row("POST", "/credit/records", cells(403, {422: ("bureau",)}),
        body={"company_id": "{company}", "type": "ticket_overdue", "reason": "矩阵"}),
    Row("POST", "/credit/assessments", cells(403, {422: ("bureau",)}), body={"quarter": "2026Q9"}),
    # The monthly checks: the bureau opens a month by hand; the month's scores for the city, each street and each company (its own).
    Row("POST", "/credit/checks", cells(403, {422: ("bureau",)}), body={"month": "2026-13"}),
    Row("GET", "/credit/checks/{month}", cells(403, {200: ("bureau", "supervisor", "auditor", "admin", "clerk", "street", "street_auditor",
                                                          "other_clerk", "other_street", "other_street_auditor", *BIDDERS)}),
        params={"month": "2001-01"}),
    Row("POST", "/credit/assessments/{quarter}/adjustments", cells(403, {404: ("bureau",)}), params={"quarter": "2001Q1"},
        body={"company_id": "{company}", "grade": "A", "reason": "矩阵"}),
    # The credit overview (published grades are public, records only counted): city, street and company users.
    Row("GET", "/reports/credit/overview", cells(403, {200: CITY_STREET_COMPANY})),
    Row("GET", "/reports/credit/overview.xlsx", cells(403, {200: CITY_STREET_COMPANY})),
    # The fund's approval time (a street reads its own lines): city, street and company users; the bureau or the
    # administrator enters the baseline (a zero is refused for its content).
    Row("GET", "/reports/fund/approval-time", cells(403, {200: CITY_STREET_COMPANY})),
    Row("GET", "/reports/fund/approval-time.xlsx", cells(403, {200: CITY_STREET_COMPANY})),
    Row("PUT", "/reports/fund/baseline", cells(403, {422: ("bureau", "admin")}),
        body={"working_days": "0", "calendar_hours": "1", "source": "矩阵"}),
    # Complaints year to date (each caller reads the lines of its own place): city, street and company users.
    Row("GET", "/reports/complaints/ytd", cells(403, {200: CITY_STREET_COMPANY}), query={"through": "2026-11-30"}),
    Row("GET", "/reports/complaints/ytd.xlsx", cells(403, {200: CITY_STREET_COMPANY}), query={"through": "2026-11-30"}),
    # A company's credit timeline: read like its file. The bureau revokes a record (Art. 40; an unknown one is not found).
    Row("GET", "/credit/companies/{company_id}/timeline", cells(403, {200: ("company", "bureau", "supervisor", "auditor", "admin")}),
        params={"company_id": "{company}"}),
    Row("POST", "/credit/records/{record_id}/revocation", cells(403, {404: ("bureau",)}), params={"record_id": "999999"},
        body={"reason": "矩阵撤销", "evidence": "矩阵文书"}),
    # Only a property company objects, and only to its own record (an unknown one is not found).
    Row("POST", "/credit/records/{record_id}/objections", cells(403, {404: BIDDERS}), params={"record_id": "999999"},
        body={"text": "矩阵异议"}),
]
