"""Exports for the housing bureau: the registry with each household's fund balance, as .xlsx with Chinese headers.

No ID number or phone is ever exported (个人信息保护法 Art. 6): the registry keeps them masked only,
and the export shows the owner of record's name and kind. The ledger's readers (the fund
authority, the administrator, auditors) export the estates their jurisdiction covers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import SessionDep, rate_limited, require_roles
from api.errors import NotFound
from core.spreadsheets import XLSX_MEDIA_TYPE, write_xlsx
from db.repositories import reference as reference_repo
from domain.access import Actor, Role, Scope, covers
from domain.calendar import CITY_TZ

router = APIRouter(prefix="/exports", tags=["exports 导出"])

RegistryExportDep = Annotated[Actor, Depends(require_roles(
    Role.HOUSING_BUREAU, Role.ADMIN, Role.AUDITOR, detail="the registry with balances is exported by the housing bureau and auditors"))]

REGISTRY_HEADERS = ["小区编号", "小区名称", "楼栋", "单元", "房屋编号", "房号", "登记业主", "业主类型", "专有面积（平方米）",
                    "维修资金余额（元）", "首次交存额（元）", "续交到期日", "欠缴物业费（元）", "欠缴维修资金（元）"]


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _day(at: datetime | None) -> str:
    return at.astimezone(CITY_TZ).date().isoformat() if at else ""


@router.get("/registry.xlsx", summary="The registry (estates → households) with each fund balance, as .xlsx",
            dependencies=[Depends(rate_limited("export"))], response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
async def registry(
    session: SessionDep, actor: RegistryExportDep,
    estate_id: Annotated[str | None, Query(max_length=64, description="one estate; every estate your jurisdiction covers if none")] = None,
) -> Response:
    estates = [e for e in await reference_repo.estates(session)
               if covers(actor.jurisdiction, Scope(street_id=e.street_id, community_id=e.community_id, estate_id=e.id))
               and (estate_id is None or e.id == estate_id)]
    if estate_id is not None and not estates:
        raise NotFound(f"no estate {estate_id}")
    rows = [
        [e, en, b, u, h, room, owner, "" if natural is None else "自然人" if natural else "单位", Decimal(area),
         _yuan(balance), _yuan(initial), _day(due), _yuan(fee), _yuan(fund)]
        for e, en, b, u, h, room, owner, natural, area, balance, initial, due, fee, fund
        in await reference_repo.registry_rows(session, [e.id for e in estates])
    ]
    content = write_xlsx("房屋登记及维修资金", REGISTRY_HEADERS, rows)
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": 'attachment; filename="registry.xlsx"',
                                                                   "Cache-Control": "no-store"})
