"""`wuyeflow-import`: the registry import from the command line, the same path as ``POST /imports/{kind}``.

    wuyeflow-import template KIND OUT.xlsx
    wuyeflow-import dry-run KIND FILE [--by SUBJECT] [--all]
    wuyeflow-import apply KIND DRY_RUN_ID [--by SUBJECT]

KIND is estates, owners, fund-balances, companies or experts. A dry run changes nothing: it prints
the count of each outcome, every refused row (its row, column and reason; every row with --all)
and the dry run's id; apply takes that id once it has been reviewed. Exit status: 0 done,
1 the file or a row is refused, or the dry run cannot be applied (stale, applied already).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any, TextIO

from core import registry_import
from core.logging import configure_logging
from core.settings import Settings, get_settings
from core.spreadsheets import UnreadableFile, write_xlsx
from db.errors import RepositoryError
from db.session import make_engine, make_session_factory, transaction
from domain.access import Actor, Jurisdiction, Level, Role
from domain.registry_import import KIND_LABELS, FileRefused, ImportKind, template_rows


def operator(subject: str | None) -> Actor:
    """Who imports from the command line: an administrator named by ``--by`` (default: the login)."""
    who = subject or f"cli:{getpass.getuser()}"
    return Actor(subject=who, name=who, roles=(Role.ADMIN,), jurisdiction=Jurisdiction(level=Level.CITY), organisation="wuyeflow-import")


def _summary(out: TextIO, run: Any, everything: bool) -> None:
    for outcome in run.outcomes:
        if everything or outcome["outcome"] == "refused":
            where = f"第{outcome['row']}行" if outcome["row"] else "文件未列出"
            reasons = "；".join(f"{e['column']}：{e['reason']}" for e in outcome["errors"])
            out.write(f"  {where} {outcome['key'] or ''} {outcome['label']} {reasons}\n")
    counts = "，".join(f"{label} {run.counts.get(k, 0)}" for k, label in
                      (("created", "新增"), ("updated", "更新"), ("unchanged", "无变化"), ("removed", "删除"), ("refused", "拒绝")))
    out.write(f"{KIND_LABELS[ImportKind(run.kind)]}：{counts}\n")


def write_template(args: argparse.Namespace, out: TextIO) -> int:
    kind = ImportKind(args.kind)
    headers, example = template_rows(kind)
    Path(args.out).write_bytes(write_xlsx(KIND_LABELS[kind], headers, [example]))
    out.write(f"模板已写入 {args.out}\n")
    return 0


async def run_command(args: argparse.Namespace, out: TextIO, settings: Settings, content: bytes = b"") -> int:
    """A dry run of ``content`` (the file's bytes) or the apply of a dry run, in one transaction."""
    kind = ImportKind(args.kind)
    engine = make_engine(settings)
    try:
        async with transaction(make_session_factory(engine)) as session:
            if args.command == "dry-run":
                run = await registry_import.dry_run(session, kind=kind, content=content, file_name=Path(args.file).name,
                                                    actor=operator(args.by), secret=settings.owner_key_secret)
                _summary(out, run, args.all)
                out.write(f"试运行编号：{run.id}（复核后：wuyeflow-import apply {kind.value} {run.id}）\n")
                return 1 if run.counts.get("refused") else 0
            run = await registry_import.apply(session, kind=kind, run_id=args.id, actor=operator(args.by))
            out.write(f"已导入 {run.id}：变更 {run.changed} 条记录\n")
            return 0
    except (UnreadableFile, FileRefused, RepositoryError) as exc:
        out.write(f"{getattr(exc, 'detail', exc)}\n")
        return 1
    finally:
        await engine.dispose()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wuyeflow-import", description="Import the housing registry from spreadsheets.")
    sub = p.add_subparsers(dest="command", required=True)
    kinds = [k.value for k in ImportKind]
    tpl = sub.add_parser("template", help="write the published template of a kind")
    tpl.add_argument("kind", choices=kinds)
    tpl.add_argument("out")
    dry = sub.add_parser("dry-run", help="check a file against the registry; nothing changes")
    dry.add_argument("kind", choices=kinds)
    dry.add_argument("file")
    dry.add_argument("--by", help="the operator's subject (default: cli:<login>)")
    dry.add_argument("--all", action="store_true", help="print every row's outcome, not only the refused ones")
    app = sub.add_parser("apply", help="apply a reviewed dry run by its id")
    app.add_argument("kind", choices=kinds)
    app.add_argument("id")
    app.add_argument("--by", help="the operator's subject (default: cli:<login>)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings)
    if args.command == "template":
        return write_template(args, sys.stdout)
    try:
        content = Path(args.file).read_bytes() if args.command == "dry-run" else b""
    except OSError as exc:
        sys.stdout.write(f"无法读取 {args.file}: {exc}\n")
        return 1
    return asyncio.run(run_command(args, sys.stdout, settings, content))


if __name__ == "__main__":
    sys.exit(main())
