"""Display names of the organisation's codes, translated."""
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "channel_manager": _l("Channel manager"),
    "auditor": _l("Auditor"),
    "owner": _l("Partner owner"),
    "manager": _l("Mid-level manager"),
    "staff": _l("Staff"),
}
STRUCTURE_LABELS = {"tight": _l("Tight"), "loose": _l("Loose")}
STATUS_LABELS = {"active": _l("Active"), "suspended": _l("Suspended"),
                 "terminated": _l("Terminated")}
LEVEL_LABELS = {"province": _l("Province"), "city": _l("City"), "county": _l("County"),
                "town": _l("Town")}


def label(table: dict, code) -> str:
    return str(table.get(code, code or ""))


def role_label(code) -> str:
    return label(ROLE_LABELS, code)
