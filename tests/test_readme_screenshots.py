"""Every screenshot the browser tests write is linked from the README (the issue asks for both)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOT = re.compile(r"""\bshot\(\s*\w+\s*,\s*f?["']([^"'{}]+)["']""")


def test_the_readme_links_every_screenshot_the_browser_tests_write() -> None:
    written = {m for path in (ROOT / "tests" / "browser").glob("test_*.py") for m in SHOT.findall(path.read_text(encoding="utf-8"))}
    assert len(written) >= 20, written
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(\.artifacts/browser/([^)]+)\.png\)", readme))
    assert written - linked == set(), "screenshots not linked from the README"
    assert linked - written == set(), "README links screenshots no test writes"
