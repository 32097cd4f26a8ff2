"""Keep the Chinese catalogue complete.

    python scripts/i18n.py update   # extract msgids, merge into zh, apply pending/*.json, compile
    python scripts/i18n.py check    # exit 1 listing msgids without a Chinese translation

English msgids live in the code; `portal/translations/zh/LC_MESSAGES/messages.po` holds
the Chinese. Translations can be written straight into the .po file, or collected as
{"msgid": "中文"} in `portal/translations/pending/*.json`, which `update` merges in."""
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
PENDING = TRANSLATIONS / "pending"


def pybabel(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stdout + done.stderr)


def extract(target: Path = POT) -> None:
    """Collect every msgid of the code and templates into `target`."""
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
            # Babel skips folders starting with "_" by default; templates/_macros counts.
            "--ignore-dirs", ".*", "--no-location", "--sort-output", "--project", "partner-portal",
            "-o", str(target), ".")


def pending() -> dict[str, str]:
    merged = {}
    for path in sorted(PENDING.glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def untranslated(catalog) -> list[str]:
    return [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str)
                                                   else all(m.string))]


def update() -> int:
    extract()
    if not PO.exists():
        pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", "zh")
    pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", "zh",
            "--no-fuzzy-matching", "--ignore-obsolete")
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    catalog.fuzzy = False
    extra = pending()
    for message in catalog:
        key = message.id[0] if message.pluralizable else message.id
        if key and key in extra and not (all(message.string) if message.pluralizable
                                         else message.string):
            # Chinese has one plural form: the same text serves every count.
            message.string = (extra[key],) if message.pluralizable else extra[key]
    with PO.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, no_location=True,
                 width=100)
    pybabel("compile", "-d", str(TRANSLATIONS))
    missing = untranslated(catalog)
    print(f"{len(catalog)} messages, {len(missing)} without Chinese")
    for msgid in missing:
        print("  missing:", msgid)
    return 0


def check() -> int:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    missing = untranslated(catalog)
    for msgid in missing:
        print("missing:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    sys.exit({"update": update, "check": check}[command]())
