"""Every UI text has English, the compiled catalogs match their sources, and the switch works."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("i18n", ROOT / "scripts" / "i18n.py")
i18n = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n)


def test_every_source_text_has_an_english_translation():
    missing = i18n.missing_english()
    assert missing == {}, "run scripts/i18n.py missing: " + ", ".join(sorted(missing)[:10])


def test_compiled_catalogs_match_their_po_files():
    for po_path in (ROOT / "kiosk" / "translations").glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} missing: run scripts/i18n.py compile"
        with po_path.open("rb") as handle:
            po = i18n.messages(read_po(handle))
        with mo_path.open("rb") as handle:
            mo = i18n.messages(read_mo(handle))
        assert po == mo, f"{mo_path.name} is stale: run scripts/i18n.py compile"


def test_language_switch_on_the_login_page(client):
    soup = BeautifulSoup(client.get("/login").data, "html.parser")
    assert soup.html["lang"] == "zh-CN" and soup.h2.get_text() == "工作人员登录"
    soup = BeautifulSoup(client.get("/login?lang=en").data, "html.parser")
    assert soup.html["lang"] == "en" and soup.h2.get_text() == "Staff sign-in"
    soup = BeautifulSoup(client.get("/login").data, "html.parser")  # remembered in the session
    assert soup.h2.get_text() == "Staff sign-in"


def test_update_brings_a_new_text_into_the_chosen_catalog(tmp_path, monkeypatch):
    """`i18n.py update DOMAIN` extracts with babel.cfg and adds texts no catalog has to that
    domain, untranslated and with where they are used; texts other domains hold stay there."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(ROOT / "kiosk", root / "kiosk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    (root / "templates" / "kiosk" / "_new_text.html").write_text(
        '<p>{{ _("请到三号窗口领取证件") }}</p>\n'
    )
    monkeypatch.setattr(i18n, "ROOT", root)
    monkeypatch.setattr(i18n, "TRANSLATIONS", root / "kiosk" / "translations")
    before = (root / "kiosk/translations/en/LC_MESSAGES/admin.po").read_bytes()

    assert i18n.update("kiosk") == ["请到三号窗口领取证件"]
    assert "请到三号窗口领取证件" in i18n.missing_english()
    with (root / "kiosk/translations/en/LC_MESSAGES/kiosk.po").open("rb") as handle:
        added = read_po(handle).get("请到三号窗口领取证件")
    assert added is not None and added.string == ""
    assert added.locations == [("templates/kiosk/_new_text.html", 1)]
    assert (root / "kiosk/translations/en/LC_MESSAGES/admin.po").read_bytes() == before
    assert i18n.update("kiosk") == []  # known now: not added twice
