"""The application's code stays in rooms a reader can hold: modules up to 400 lines, functions up to 50.

The one exception is a pure tally, whose steps are the statute's and read best in one piece.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ("workflows", "activities", "api", "domain", "db", "core")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
# (module, function): the dual-majority tally counts heads and areas in one pass, as 民法典 Art. 278 reads.
PURE_TALLIES = {("domain/tally.py", "tally_dual_majority")}


def _modules() -> list[Path]:
    return sorted(
        p for d in APPLICATION for p in (ROOT / d).rglob("*.py")
        if "migrations/versions" not in p.as_posix()
    )


def long_functions(source: str, name: str) -> list[str]:
    """The functions of a module longer than the limit, with their length, tallies excepted."""
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
        and (name, node.name) not in PURE_TALLIES
    ]


@pytest.mark.parametrize("module", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_module_is_at_most_400_lines_and_its_functions_at_most_50(module: Path) -> None:
    source = module.read_text(encoding="utf-8")
    name = module.relative_to(ROOT).as_posix()
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{name} has {len(source.splitlines())} lines: split it along the domain"
    long = long_functions(source, name)
    assert not long, f"{name}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_a_function_of_51_lines_is_named_and_one_of_50_is_not() -> None:
    def module(lines: int) -> str:
        body = "\n".join(f"    x{i} = {i}" for i in range(lines - 1))
        return f"async def handler() -> None:\n{body}\n"

    assert long_functions(module(51), "api/x.py") == ["handler (51 lines)"]
    assert long_functions(module(50), "api/x.py") == []
    assert long_functions(module(51).replace("handler", "tally_dual_majority"), "domain/tally.py") == []
