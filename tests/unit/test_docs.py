"""Documentation that is tested: every configuration key the code reads is documented in both
guides, every `python3 scripts/…` command named in one guide is in the other, the English
README links the Chinese guide at the top and still starts with the demo command, and the
guides' screenshots exist."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.config import ENVIRONMENT, FILE_KEYS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
README_ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")

READS = [
    re.compile(r"""config(?:\.get\(|\[|\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""\bconfig\.([A-Z][A-Z0-9_]{2,})\b"""),  # templates: config.KIOSK_IDLE_SECONDS
    re.compile(r"""environ(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""getenv\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
]
# Variables of the operating system, not of the hall server.
OPERATING_SYSTEM = {"WINDIR", "APPDATA", "XDG_CONFIG_HOME", "CI"}


def keys_read_by_the_code() -> set[str]:
    found: set[str] = set(ENVIRONMENT) | set(ENVIRONMENT.values()) | set(FILE_KEYS)
    for folder in ("kiosk", "printers", "scripts", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".html") or ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in READS:
                found.update(pattern.findall(text))
    return {key for key in found if not key.startswith("_")} - OPERATING_SYSTEM


def test_the_scan_finds_the_keys_it_should():
    keys = keys_read_by_the_code()
    assert {"DATABASE_URL", "PUBLIC_BASE_URL", "KIOSK_IDLE_SECONDS", "HALL_PRINT_FONT"} <= keys


def test_every_configuration_key_is_documented_in_both_guides():
    keys = keys_read_by_the_code()
    for name, text in (("README.md", README), ("README.zh-CN.md", README_ZH)):
        missing = sorted(key for key in keys if f"`{key}`" not in text)
        assert not missing, f"{name} does not document {missing}"


COMMAND = re.compile(r"python3 scripts/([\w.-]+\.py)(?: ([a-z][a-z-]*)(?=[\s`]|$))?")


def commands(text: str) -> set[str]:
    return {" ".join(filter(None, match)) for match in COMMAND.findall(text)}


def test_both_guides_name_the_same_commands():
    english, chinese = commands(README), commands(README_ZH)
    assert english - chinese == set(), "in README.md only"
    assert chinese - english == set(), "in README.zh-CN.md only"
    for script in {c.split()[0] for c in english}:
        assert (ROOT / "scripts" / script).exists(), script


def test_readme_links_the_chinese_guide_and_starts_with_the_demo():
    assert "README.zh-CN.md" in "\n".join(README.splitlines()[:5])
    assert "| Run the hall server with demo data | `python3 scripts/run.py --demo` |" in README
    assert "python3 scripts/run.py --demo" in README_ZH


def test_the_guides_pictures_exist():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", README_ZH)
    assert len(pictures) >= 3
    for picture in pictures:
        assert (ROOT / picture).exists(), picture


def test_pre_commit_runs_the_pinned_ruff_on_any_system():
    """The hooks use the ruff that requirements-test.txt pins, in pre-commit's own environment,
    never a path into .venv (which is .venv/bin on Linux but .venv\\Scripts on Windows)."""
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    pinned = re.search(r"^ruff==(\S+)$", (ROOT / "requirements-test.txt").read_text(), re.M)
    assert ".venv" not in "".join(re.findall(r"entry: (.*)", config))
    hooked = re.findall(r'"ruff==([^"]+)"', config)
    assert hooked and set(hooked) == {pinned.group(1)}
    assert "pre-commit==" in (ROOT / "requirements-test.txt").read_text()
