"""Bulk creation of a partner's staff from a CSV file, all or nothing.

Every row is checked first, against the database and against the other rows of the
file; one bad row and nothing is written. Checks run as a few set queries, not one per
row, and the accounts go in with one flush, so the audit log's per-row `create` entries
are written as one batch too. Hashing passwords is the slow part (scrypt takes tens of
milliseconds by design); it runs on a small thread pool because hashlib releases the GIL."""
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.auth import sessions
from portal.auth.models import User
from portal.core import audit
from portal.core.forms import NOT_ALLOWED, storable_text
from portal.extensions import db
from portal.org import accounts
from portal.org.models import Partner, Team
from portal.org.people import USERNAME_RE

COLUMNS = ("username", "display_name", "role", "team", "email", "phone", "password")
# The same columns as a Chinese spreadsheet heads them.
CHINESE_COLUMNS = {"用户名": "username", "账号": "username", "姓名": "display_name",
                   "显示名": "display_name", "角色": "role", "小组": "team", "团队": "team",
                   "邮箱": "email", "电子邮件": "email", "手机": "phone", "手机号": "phone",
                   "电话": "phone", "密码": "password"}
CHINESE_ROLES = {"员工": "staff", "销售": "staff", "主管": "manager", "经理": "manager",
                 "腰部": "manager"}
REQUIRED_COLUMNS = ("username",)
ROLES = ("manager", "staff")
DEFAULT_ROLE = "staff"
MAX_ROWS = 500
MAX_BYTES = 2 * 1024 * 1024
# Excel in mainland China saves CSV as GBK; GB 18030 is its superset, so it reads both.
ENCODINGS = ("utf-8-sig", "gb18030")
HASH_THREADS = 4


@dataclass
class Problem:
    row: int  # the line number in the file as a spreadsheet shows it: the header is 1
    field: str
    message: str


@dataclass
class Upload:
    """A checked file: the rows ready to insert, or the problems that forbid it."""

    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def limits() -> tuple[int, int]:
    """Most rows and bytes per file (settings IMPORT_MAX_ROWS / IMPORT_MAX_BYTES)."""
    config = current_app.config
    return config.get("IMPORT_MAX_ROWS", MAX_ROWS), config.get("IMPORT_MAX_BYTES", MAX_BYTES)


def template_csv() -> bytes:
    """An empty file with the header line, with a BOM so Excel opens it as UTF-8."""
    return (",".join(COLUMNS) + "\r\n").encode("utf-8-sig")


def decode(data: bytes) -> str | None:
    """The text of an upload in UTF-8 (with or without BOM) or GBK, else None."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _records(text: str, upload: Upload) -> list[tuple[int, list[tuple[int, str]]]]:
    """The CSV records of `text`, each with the line it starts on, its cells with theirs.
    A cell spanning lines means a quote left open (it would swallow the rows after it):
    the file is refused at the line where the quote opened; so is broken quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, line = [], 1
    try:
        for cells in reader:
            records.append((line, [(line, cell) for cell in cells]))
            if any("\n" in cell or "\r" in cell for cell in cells):
                upload.problems.append(Problem(line, "file", _l(
                    "A quote opened on this line is not closed on it; close it or remove "
                    "it.")))
                return records
            line = reader.line_num + 1
    except csv.Error:
        upload.problems.append(Problem(line, "file", _l(
            "Broken quoting on this line: a cell that starts with a quote must end with "
            "one.")))
    return records


def read_table(data: bytes, upload: Upload, header, *, columns, too_many,
               label=lambda name: name) -> None:
    """Read a CSV upload into `upload.rows` (a dict of `columns` plus "line" per row) or
    `upload.problems`: the size, the encoding, the quoting, the header (`header(cells,
    upload)` names each header cell's column and adds its own problems), unstorable
    characters, blank lines, too many cells and too many rows (`too_many(limit)` says so).
    `label(column)` is how problems name a column. Nothing is checked against the
    database here; both imports share it."""
    max_rows, max_bytes = limits()
    if len(data) > max_bytes:
        upload.problems.append(Problem(0, "file", _l(
            "The file is larger than %(size)d KB; split it into several files.",
            size=max_bytes // 1024)))
        return
    text = decode(data)
    if text is None:
        upload.problems.append(Problem(0, "file", _l(
            "The file is neither UTF-8 nor GBK text; save it as CSV from your spreadsheet.")))
        return
    lines = _records(text, upload)
    if upload.problems:
        return
    names = header(lines[0][1] if lines else [], upload)
    if upload.problems:
        return
    for number, cells in lines[1:]:
        if not any(cell.strip() for _line, cell in cells):
            continue  # spreadsheets leave blank lines at the end
        if len(cells) > len(names):
            upload.problems.append(Problem(number, "", _l("More cells than columns.")))
            continue
        row = {name: "" for name in columns}
        row.update({name: cell.strip() for name, (_line, cell) in zip(names, cells)})
        row["line"] = number
        for name, (_line, cell) in zip(names, cells):
            if not storable_text(cell, multiline=False):
                upload.problems.append(Problem(number, label(name), NOT_ALLOWED))
        upload.rows.append(row)
    if not upload.rows and not upload.problems:
        upload.problems.append(Problem(0, "file", _l("The file has no rows to import.")))
    elif len(upload.rows) > max_rows:
        upload.problems.append(Problem(0, "file", too_many(max_rows)))


def _header(cells, upload: Upload) -> list[str]:
    header = [CHINESE_COLUMNS.get(name.strip(), name.strip().lower()) for _line, name in cells]
    for index, name in enumerate(header):
        if name not in COLUMNS:
            upload.problems.append(Problem(1, name, _l("Unknown column.")))
        elif name in header[:index]:
            upload.problems.append(Problem(1, name, _l("This column appears twice.")))
    for name in REQUIRED_COLUMNS:
        if name not in header:
            upload.problems.append(Problem(1, name, _l("This column is missing.")))
    return header


def named_columns(cells, known: dict, found: dict, problems: list,
                  required: dict) -> list[str]:
    """A header line's column names: each cell (a Chinese or English header, any case)
    looked up in `known` (header -> name); the header text of each name found goes in
    `found`, and an unknown, doubled or missing (`required`: name -> how to call it)
    column is a line-1 problem."""
    header = []
    for _line, text in cells:
        text = text.strip()
        name = known.get(text) or known.get(text.lower()) or ""
        if not name:
            problems.append(Problem(1, text, _l("Unknown column.")))
        elif name in found:
            problems.append(Problem(1, text, _l("This column appears twice.")))
        else:
            found[name] = text
        header.append(name)
    for name, label in required.items():
        if name not in found:
            problems.append(Problem(1, label, _l("This column is missing.")))
    return header


def read_upload(data: bytes, partner: Partner) -> Upload:
    """Parse and check an upload for `partner`; nothing is written."""
    upload = Upload()
    read_table(data, upload, _header, columns=COLUMNS, too_many=lambda limit: _l(
        "At most %(num)d people per file; split it into several files.", num=limit))
    if upload.ok:
        _check_rows(upload, partner)
    return upload


def _check_rows(upload: Upload, partner: Partner) -> None:
    usernames = {row["username"].lower() for row in upload.rows if row["username"]}
    taken = set(db.session.execute(select(func.lower(User.username)).where(
        func.lower(User.username).in_(usernames))).scalars()) if usernames else set()
    teams = {team.name: team for team in db.session.execute(select(Team).where(
        Team.partner_id == partner.id, Team.active.is_(True))).scalars()}
    seen: dict[str, int] = {}
    for row in upload.rows:
        for name, message in _row_problems(row, taken, teams, seen):
            upload.problems.append(Problem(row["line"], name, message))


def _row_problems(row: dict, taken: set, teams: dict, seen: dict):
    username = row["username"]
    if not USERNAME_RE.match(username):
        yield "username", _l(
            "3–64 letters, digits, dot, dash or underscore, starting with a letter or digit.")
    elif username.lower() in taken:
        yield "username", _l("This username is taken.")
    elif username.lower() in seen:
        yield "username", _l("Same username as row %(row)d.", row=seen[username.lower()])
    else:
        seen[username.lower()] = row["line"]
    if len(row["display_name"]) > 64:
        yield "display_name", _l("At most %(num)d characters.", num=64)
    row["role"] = CHINESE_ROLES.get(row["role"], row["role"].lower()) or DEFAULT_ROLE
    if row["role"] not in ROLES:
        yield "role", _l("The role must be manager or staff.")
    if row["team"] and row["team"] not in teams:
        yield "team", _l("This partner has no active team of this name.")
    row["team_id"] = teams[row["team"]].id if row["team"] in teams else None
    for name, problem in (("email", accounts.email_problem), ("phone", accounts.phone_problem)):
        message = problem(row[name])
        if message:
            yield name, message
    if len(row["email"]) > 120:
        yield "email", _l("At most %(num)d characters.", num=120)
    if row["password"]:
        message = accounts.password_problem(row["password"],
                                            names=(row["username"], row["display_name"]))
        if message:
            yield "password", message


def _hash_all(passwords: list[str]) -> list[str]:
    app = current_app._get_current_object()

    def work(password):
        with app.app_context():
            return sessions.hash_password(password)
    if len(passwords) < 2 * HASH_THREADS:
        return [sessions.hash_password(p) for p in passwords]
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return list(pool.map(work, passwords))


def create_people(upload: Upload, partner: Partner) -> list[tuple[User, str | None]]:
    """Insert the checked rows of `upload` as people of `partner`; returns each account
    with its generated password (None where the file gave one). Flushes once."""
    if not upload.ok:
        raise ValueError("refusing to import a file with problems")
    generated = [None if row["password"] else accounts.generate_password()
                 for row in upload.rows]
    hashes = _hash_all([row["password"] or new for row, new in zip(upload.rows, generated)])
    # The rows were checked as a set above, so the per-row checks of create_person (a
    # username query and a flush for each) would only repeat them one by one.
    people = [User(username=row["username"], display_name=row["display_name"] or row["username"],
                   role=row["role"], partner_id=partner.id, team_id=row["team_id"],
                   email=row["email"] or None, phone=row["phone"] or None, password_hash=hashed)
              for row, hashed in zip(upload.rows, hashes)]
    db.session.add_all(people)
    db.session.flush()
    audit.record("import_people", partner, after={"count": len(people)})
    return list(zip(people, generated))
