"""The toy approval's one route: start a case."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.case_service import CasePlace, estate_for_start, start_case, started_case
from api.deps import ActorDep, ClientDep, IdempotencyKey, SessionDep, SettingsDep
from api.schemas import CaseRead
from core.registry import REGISTRY
from tests.toy_process.domain import PROCESS_KIND, ToyStart

router = APIRouter(prefix="/cases/toy-approval", tags=["toy"])


@router.post("", response_model=CaseRead, status_code=status.HTTP_201_CREATED)
async def start(
    body: ToyStart, response: Response, session: SessionDep, actor: ActorDep, client: ClientDep, settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> CaseRead:
    estate, scope = await estate_for_start(session, actor, body.estate_id)
    place = CasePlace(scope=scope, id_key=estate.id, title=body.subject)
    case_id, created = await start_case(
        REGISTRY[PROCESS_KIND], body, actor, idempotency_key, session=session, client=client, settings=settings, place=place,
    )
    return await started_case(session, settings, response, case_id, created)
