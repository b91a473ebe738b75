#!/usr/bin/env python3
"""Translations: Chinese (zh_CN) is the source language of every UI text; English lives in
kiosk/translations/en/LC_MESSAGES/<domain>.po, one domain per area (messages, kiosk, staff,
display, admin, printing…) so that several people can work without editing one file.

    python3 scripts/i18n.py update [DOMAIN]  # new texts from code/templates (babel.cfg) → DOMAIN.po
    python3 scripts/i18n.py missing          # Chinese texts in code/templates with no English yet
    python3 scripts/i18n.py compile          # .po → .mo (run after editing a .po; both committed)

The usual round: write the Chinese text in code or a template, `update kiosk` (or the area's
domain; default `messages`) adds it untranslated with where it is used, write its English in
that .po, `compile`, and `missing` says 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "kiosk" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}


def domains() -> list[str]:
    return sorted({po.stem for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po")})


def messages(catalog: Catalog) -> dict:
    """What a catalog translates: {message id: its English}, untranslated ones left out."""
    return {m.id: m.string for m in catalog if m.id and m.string}


def compile_all() -> list[Path]:
    """Write the .mo of each .po whose translations changed. A .mo written again carries the
    time of writing in its header, so rewriting an unchanged one only made a binary diff."""
    written = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists():
            with mo_path.open("rb") as handle:
                if messages(read_mo(handle)) == messages(catalog):
                    continue
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo_path)
    return written


def source_messages() -> dict[str, list[str]]:
    """Every translatable message id in the code and templates, with where it is used."""
    found: dict[str, list[str]] = {}
    with (ROOT / "babel.cfg").open() as handle:  # the one list of what is scanned, and how
        method_map, options = parse_mapping_cfg(handle)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def english_catalog() -> dict[str, str]:
    merged: dict[str, str] = {}
    for po_path in sorted((TRANSLATIONS / "en" / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            for message in read_po(handle, locale="en"):
                if message.id and message.string:
                    merged[message.id] = message.string
    return merged


def missing_english() -> dict[str, list[str]]:
    catalog = english_catalog()
    return {msgid: places for msgid, places in source_messages().items() if not catalog.get(msgid)}


def known_ids() -> set[str]:
    """Message ids present in any English catalog, translated or not."""
    ids: set[str] = set()
    for po_path in (TRANSLATIONS / "en" / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as handle:
            ids.update(message.id for message in read_po(handle, locale="en") if message.id)
    return ids


def update(domain: str = "messages") -> list[str]:
    """Add the texts of the code and templates that no catalog has yet to DOMAIN.po, untranslated
    and with where they are used (what `pybabel extract` + `update` would do, kept to one file
    per area and never dropping another domain's messages). Returns the ids added."""
    po_path = TRANSLATIONS / "en" / "LC_MESSAGES" / f"{domain}.po"
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale="en", domain=domain)
    else:
        catalog = Catalog(locale="en", domain=domain, project="hall-kiosk")
    known = known_ids()
    added = []
    for msgid, places in sorted(source_messages().items()):
        if msgid in known:
            continue
        locations = [(place.rsplit(":", 1)[0], int(place.rsplit(":", 1)[1])) for place in places]
        catalog.add(msgid, "", locations=locations)
        added.append(msgid)
    if added:
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=100)
    return added


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "missing"
    if command == "update":
        added = update(argv[2] if len(argv) > 2 else "messages")
        for msgid in added:
            print(f"added {msgid!r}")
        print(f"{len(added)} new message(s); write their English, then: i18n.py compile")
        return 0
    if command == "compile":
        written = compile_all()
        for path in written:
            print("wrote", path.relative_to(ROOT))
        if not written:
            print("every .mo is up to date")
        return 0
    if command == "missing":
        missing = missing_english()
        for msgid, places in sorted(missing.items()):
            print(f"{places[0]}: {msgid!r}")
        print(f"{len(missing)} message(s) without English")
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
