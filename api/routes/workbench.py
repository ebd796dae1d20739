"""The web workbench (工作台): its static pages, and the development sign-in that picks a demo or recorded user.

The workbench is a client of this API and nothing more: its pages are static files under
``api/workbench/`` whose script calls the same routes as any other client, with the token the
user signed in with. The development sign-in answers only in a development run and only over
loopback (the conditions under which the development secret itself is honoured, ``api/auth.py``);
anywhere else its routes are 404, and the workbench offers to paste a token instead.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import is_loopback, issue_token
from api.deps import SessionDep, SettingsDep
from api.errors import NotFound
from api.schemas import Labelled, role_l
from db.models import User
from db.repositories import users as users_repo
from db.seed import demo_users
from domain.access import LEVEL_LABELS, Actor, Jurisdiction, Level, Role

PAGES = Path(__file__).resolve().parent.parent / "workbench"

router = APIRouter(prefix="/dev", tags=["workbench 工作台"])


class DemoUser(BaseModel):
    subject: str
    name: str
    roles: list[Labelled]
    jurisdiction: Labelled
    jurisdiction_id: str | None
    organisation: str | None


class DevToken(BaseModel):
    token: str


def _development_on_loopback(request: Request, settings: SettingsDep) -> None:
    server, client = request.scope.get("server"), request.client
    on_loopback = is_loopback(server[0] if server else None) and is_loopback(client.host if client else None)
    if settings.env != "development" or settings.auth_mode != "hs256" or not on_loopback:
        raise NotFound("the demo user picker exists in a development run on loopback only")


def _demo_user(actor: Actor) -> DemoUser:
    j = actor.jurisdiction
    return DemoUser(
        subject=actor.subject, name=actor.name, roles=[role_l(r) for r in actor.roles],
        jurisdiction=Labelled(code=j.level.value, label=LEVEL_LABELS[j.level]), jurisdiction_id=j.id,
        organisation=actor.organisation,
    )


async def _users(session: AsyncSession) -> list[Actor]:
    """The demo users, then the active users the administrator recorded (``PUT /users/{subject}``) for an imported city."""
    demo = demo_users()
    known = {a.subject for a in demo}
    recorded = [a for u in await users_repo.all_users(session) if u.subject not in known and (a := _recorded(u)) is not None]
    return [*demo, *recorded]


def _recorded(user: User) -> Actor | None:
    if not (user.active and user.name and user.roles and user.level):
        return None  # deactivated, or a subject only ever deactivated (no profile)
    return Actor(subject=user.subject, name=user.name, roles=tuple(Role(r) for r in user.roles),
                 jurisdiction=Jurisdiction(level=Level(user.level), id=user.jurisdiction_id), organisation=user.organisation)


@router.get("/users", response_model=list[DemoUser], summary="The users to sign in as (development on loopback only)")
async def dev_users(request: Request, settings: SettingsDep, session: SessionDep) -> list[DemoUser]:
    _development_on_loopback(request, settings)
    return [_demo_user(a) for a in await _users(session)]


@router.post("/users/{subject}/token", response_model=DevToken, summary="A token for one user to sign in as (development on loopback only)")
async def dev_token(subject: str, request: Request, settings: SettingsDep, session: SessionDep) -> DevToken:
    _development_on_loopback(request, settings)
    actor = next((a for a in await _users(session) if a.subject == subject), None)
    if actor is None:
        raise NotFound(f"no user {subject} to sign in as")
    return DevToken(token=issue_token(settings, actor))


def install_workbench(app: FastAPI) -> None:
    """Serve the pages at ``/ui/`` (``/`` leads there) and mount the development sign-in."""
    app.include_router(router)
    app.mount("/ui", StaticFiles(directory=PAGES, html=True), name="workbench")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/")
