"""Every interface string has a Welsh translation (Welsh Language Standards: no less favourably)."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "leadership" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
METHODS = [("leadership/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS,
            options_map={"templates/**.html": {}, "templates/**.txt": {}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_interface_string_has_a_welsh_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    translated = {}
    for msg in catalog:
        if not msg.id:
            continue
        key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        translated[key] = bool(all(strings)) and not msg.fuzzy
    missing = sorted(m for m in source_messages() if not translated.get(m))
    assert not missing, (f"{len(missing)} interface strings lack a Welsh translation; run "
                         f"bash scripts/translations.sh and translate them in {PO.relative_to(ROOT)}:\n"
                         + "\n".join(missing[:40]))


def test_welsh_catalogue_placeholders_match():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    problems = [(msg.id, [str(e) for e in errors]) for msg, errors in catalog.check() if errors]
    assert not problems, problems[:20]
