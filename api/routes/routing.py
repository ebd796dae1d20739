"""The routing table (duty list, 附件2) and the departments: read by all, edited by administrators."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from api.deps import ActorDep, RoutingAdminDep, SessionDep
from api.errors import Invalid, NotFound
from db.repositories import ticket_routing as routing_repo
from db.session import hold_write_gate
from domain.routing import UNIT_KIND_LABELS, Route, UnitKind, UnitRef

router = APIRouter(tags=["routing 职责清单派单"])

CategoryPath = Path(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$", examples=["illegal_construction"])


class RouteWrite(BaseModel):
    """A row of the routing table; a department is named by id, the estate's street, community or company by kind only."""

    label: str = Field(min_length=1, max_length=100, examples=["私搭乱建"])
    lead: UnitRef = Field(examples=[{"kind": "department", "id": "dept-enforcement"}])
    co_handlers: list[UnitRef] = Field(default_factory=list, max_length=5, examples=[[{"kind": "department", "id": "dept-planning"}]])
    basis: str = Field(default="", max_length=500, examples=["附件2 二.2: 对小区私搭乱建等违法行为作出处理"])


class RouteRead(Route):
    lead_label: str


class DepartmentRead(BaseModel):
    id: str
    name: str
    duty: str


def _read(route: Route) -> RouteRead:
    return RouteRead(**route.model_dump(), lead_label=UNIT_KIND_LABELS[route.lead.kind])


@router.get("/routing", response_model=list[RouteRead], summary="The routing table: category → lead unit and co-handlers")
async def list_routes(session: SessionDep, actor: ActorDep) -> list[RouteRead]:
    return [_read(r) for r in await routing_repo.routes(session)]


@router.put("/routing/{category}", response_model=RouteRead, summary="Create or change a route (administrator); running tickets keep theirs")
async def put_route(body: RouteWrite, session: SessionDep, actor: RoutingAdminDep, category: str = CategoryPath) -> RouteRead:
    departments = await routing_repo.departments(session)
    for i, ref in enumerate([body.lead, *body.co_handlers]):
        loc = ["body", "lead"] if i == 0 else ["body", "co_handlers", str(i - 1)]
        if ref.kind == UnitKind.DEPARTMENT and ref.id not in departments:
            raise Invalid(f"unknown department {ref.id}", errors=[{"loc": [*loc, "id"], "msg": "unknown department", "type": "value_error"}])
        if ref.kind != UnitKind.DEPARTMENT and ref.id is not None:
            raise Invalid("only a department is named by id", errors=[{"loc": [*loc, "id"], "msg": "must be empty", "type": "value_error"}])
    route = Route(category=category, **body.model_dump())
    await hold_write_gate(session)
    await routing_repo.save_route(session, route, by=actor.subject, at=datetime.now(UTC))
    return _read(route)


@router.delete("/routing/{category}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a route (administrator)")
async def delete_route(session: SessionDep, admin: RoutingAdminDep, category: str = CategoryPath) -> None:
    await hold_write_gate(session)
    if not await routing_repo.delete_route(session, category):
        raise NotFound(f"no route for {category}")


@router.get("/departments", response_model=list[DepartmentRead], summary="The city departments that handle tickets (附件2 二)")
async def departments(session: SessionDep, actor: ActorDep) -> list[DepartmentRead]:
    return [DepartmentRead(id=d.id, name=d.name, duty=d.duty) for d in await routing_repo.department_rows(session)]
