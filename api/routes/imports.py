"""Registry imports: the template of each kind, a dry run of a file, applying a reviewed dry run.

For the administrator and the housing bureau (city level). A dry run changes nothing and lists
every row's outcome; apply takes the dry run's id and writes all its changes or none, refused as
stale when the registry changed since the review. The file is the request body itself (an .xlsx
workbook or a CSV in UTF-8 or GB18030).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep, require_roles
from api.errors import Invalid, NotFound
from core import registry_import
from core.spreadsheets import XLSX_MEDIA_TYPE, UnreadableFile, write_xlsx
from db.models import RegistryImport
from db.repositories import registry_import as import_repo
from db.session import hold_write_gate
from domain.access import Actor, Level, Role
from domain.registry_import import KIND_LABELS, FileRefused, ImportKind, template_rows

router = APIRouter(prefix="/imports", tags=["imports 数据导入"])

RegistryAdminDep = Annotated[Actor, Depends(require_roles(
    Role.ADMIN, Role.HOUSING_BUREAU, levels=(Level.CITY,), detail="the registry is imported by the administrator or the housing bureau"))]
ImportId = Annotated[str, Path(min_length=1, max_length=64)]

FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the spreadsheet: an .xlsx workbook (first sheet) or a CSV in UTF-8 or GB18030, with the template's headers",
        "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
                    "text/csv": {"schema": {"type": "string", "format": "binary"}}},
    },
}


class RowOutcome(BaseModel):
    row: int | None = Field(description="the row in the sheet (the header is row 1); none for a household the file leaves out")
    key: str | None
    outcome: str = Field(examples=["created"], description="created / updated / unchanged / refused / removed")
    label: str = Field(examples=["新增"])
    errors: list[dict[str, str]] = Field(description="each refusal: the column and the reason")
    changes: dict[str, list[Any]] = Field(description="an update's fields, old → new")


class ImportRead(BaseModel):
    id: str
    kind: ImportKind
    kind_label: str
    status: str = Field(description="dry_run (reviewable) or applied")
    file_name: str | None
    file_sha256: str
    created_at: datetime
    created_by: str
    applied_at: datetime | None
    applied_by: str | None
    counts: dict[str, int]
    changed: int = Field(description="records the apply changed")
    rows: list[RowOutcome]


def _read(run: RegistryImport) -> ImportRead:
    kind = ImportKind(run.kind)
    return ImportRead(
        id=run.id, kind=kind, kind_label=KIND_LABELS[kind], status=run.status, file_name=run.file_name, file_sha256=run.file_sha256,
        created_at=run.created_at, created_by=run.created_by, applied_at=run.applied_at, applied_by=run.applied_by,
        counts=run.counts, changed=run.changed, rows=[RowOutcome(**o) for o in run.outcomes],
    )


@router.get("/{kind}/template.xlsx", summary="The published template of a kind (Chinese headers, one example row)",
            response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
async def template(kind: ImportKind, _admin: RegistryAdminDep) -> Response:
    headers, example = template_rows(kind)
    content = write_xlsx(KIND_LABELS[kind], headers, [example])
    return Response(content, media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{kind.value}-template.xlsx"'})


@router.post("/{kind}", response_model=ImportRead, status_code=status.HTTP_201_CREATED, openapi_extra=FILE_BODY,
             summary="Dry run: read and check every row of the file against the registry; nothing changes")
async def dry_run(
    kind: ImportKind, request: Request, session: SessionDep, settings: SettingsDep, admin: RegistryAdminDep,
    file_name: Annotated[str | None, Query(max_length=200, description="the file's name, kept with the dry run")] = None,
) -> ImportRead:
    content = await request.body()
    if not content:
        raise Invalid("请求体为空：请上传 .xlsx 或 .csv 文件")
    await hold_write_gate(session)
    try:
        run = await registry_import.dry_run(session, kind=kind, content=content, file_name=file_name, actor=admin,
                                            secret=settings.owner_key_secret)
    except (UnreadableFile, FileRefused) as exc:
        raise Invalid(exc.detail) from None
    return _read(run)


@router.get("/{kind}/{import_id}", response_model=ImportRead, summary="A dry run (or an applied one) with every row's outcome")
async def get_import(kind: ImportKind, import_id: ImportId, session: SessionDep, _admin: RegistryAdminDep) -> ImportRead:
    run = await import_repo.run(session, import_id)
    if run is None or run.kind != kind.value:
        raise NotFound(f"no dry run {import_id} of {kind.value}")
    return _read(run)


@router.post("/{kind}/{import_id}/apply", response_model=ImportRead,
             summary="Apply a reviewed dry run: all its changes or none; refused when the registry changed since")
async def apply(kind: ImportKind, import_id: ImportId, session: SessionDep, admin: RegistryAdminDep) -> ImportRead:
    await hold_write_gate(session)
    return _read(await registry_import.apply(session, kind=kind, run_id=import_id, actor=admin))
