"""Importing a partner's staff from CSV: all or nothing, UTF-8 or GBK, passwords shown once."""
import io
import re

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.conftest import login

# Messages are asserted in English, whatever the default language of the portal.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")

HEADER = "username,display_name,role,team,email,phone,password\n"


def upload(client, partner, text, encoding="utf-8"):
    data = {"file": (io.BytesIO(text.encode(encoding)), "people.csv")}
    return client.post(f"/manage/partners/{partner.id}/import", data=data,
                       content_type="multipart/form-data")


def people_of(partner):
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.partner_id == partner.id))


def problems(response):
    """(line, column, message) rows of the import report."""
    html = response.get_data(as_text=True)
    table = html.split('id="problems"', 1)[1]
    return re.findall(r"<tr><td>(\d*)</td><td><code>([^<]*)</code></td><td>([^<]*)</td></tr>",
                      table)


def test_one_bad_row_imports_nobody(client, world):
    partner = world.a.partner
    before = people_of(partner)
    login(client, world.a.owner)
    response = upload(client, partner, HEADER
                      + "zhang.san,张三,staff,一组a,,13800138000,long-enough-1\n"
                      + "li.si,李四,manager,,li@example.cn,,\n"
                      + "wang.wu,王五,staff,不存在的组,,,\n"
                      + "zhao.liu,赵六,owner,,,123,\n")
    assert response.status_code == 400
    assert problems(response) == [
        ("4", "team", "This partner has no active team of this name."),
        ("5", "role", "The role must be manager or staff."),
        ("5", "phone", "A mobile number has 11 digits and starts with 13 to 19."),
    ]
    assert people_of(partner) == before


def test_duplicate_and_taken_usernames_are_reported(client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, HEADER
                      + "Same.Name,甲,,,,,\n" + "same.name,乙,,,,,\n" + "staff_b,丙,,,,,\n")
    assert response.status_code == 400
    assert problems(response) == [("3", "username", "Same username as row 2."),
                                  ("4", "username", "This username is taken.")]


def test_gbk_file_from_excel_imports(client, world):
    partner = world.a.partner
    login(client, world.cm)
    response = upload(client, partner, HEADER.replace("\n", "\r\n")
                      + "chen.qi,陈七,manager,二组a,,,long-enough-1\r\n", encoding="gbk")
    assert response.status_code == 200
    person = db.session.execute(select(User).where(User.username == "chen.qi")).scalar_one()
    assert (person.display_name, person.role, person.team_id) == ("陈七", "manager",
                                                                 world.a.other_team.id)


def test_utf8_with_bom_and_other_column_order(client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, "\ufeffdisplay_name,username\n周八,zhou.ba\n\n")
    assert response.status_code == 200
    person = db.session.execute(select(User).where(User.username == "zhou.ba")).scalar_one()
    assert (person.display_name, person.role, person.team_id) == ("周八", "staff", None)


def test_generated_passwords_let_people_log_in(app, client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, HEADER + "wu.jiu,吴九,,一组a,,,\n")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    passwords = re.findall(r'class="generated-password">([^<]+)<', html)
    assert len(passwords) == 1 and len(passwords[0]) >= 8
    newcomer = app.test_client()
    assert login(newcomer, "wu.jiu", passwords[0]).status_code == 302
    assert login(app.test_client(), "wu.jiu", "wrong-password").status_code == 401


def test_a_larger_file_imports_everyone(client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, HEADER + "".join(
        f"batch{n},批量{n},staff,二组a,,,\n" for n in range(20)))
    assert response.status_code == 200
    assert people_of(world.a.partner) == 24
    passwords = re.findall(r'class="generated-password">([^<]+)<', response.get_data(as_text=True))
    assert len(set(passwords)) == 20
    assert login(client.application.test_client(), "batch19", passwords[19]).status_code == 302


def test_import_is_logged_per_person_and_as_a_whole(client, world):
    login(client, world.a.owner)
    upload(client, world.a.partner, HEADER + "a.one,一,,,,,\n" + "a.two,二,,,,,\n")
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "import_people")
                               ).scalar_one()
    assert (entry.actor_label, entry.object_id, entry.after) == (
        "owner_a", str(world.a.partner.id), {"count": 2})
    created = db.session.scalars(select(AuditLog.after).where(
        AuditLog.action == "create", AuditLog.object_type == "User")).all()
    assert {"a.one", "a.two"} <= {row["username"] for row in created}


def test_owner_gets_404_for_other_partner_import(client, world):
    login(client, world.a.owner)
    assert client.get(f"/manage/partners/{world.b.partner.id}/import").status_code == 404
    response = upload(client, world.b.partner, HEADER + "sneaky,潜入者,,,,,\n")
    assert response.status_code == 404
    assert people_of(world.b.partner) == 4


def test_staff_may_not_import(client, world):
    login(client, world.a.staff)
    assert client.get(f"/manage/partners/{world.a.partner.id}/import").status_code == 403


@pytest.mark.config(IMPORT_MAX_ROWS=2)
def test_too_many_rows_are_refused_with_a_message(client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, HEADER + "".join(
        f"bulk{n},人{n},,,,,\n" for n in range(3)))
    assert response.status_code == 400
    assert "At most 2 people per file" in response.get_data(as_text=True)
    assert people_of(world.a.partner) == 4


def test_unknown_column_and_unreadable_file(client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, "usernme,display_name\nx.y,某人\n")
    assert ("1", "usernme", "Unknown column.") in problems(response)
    data = {"file": (io.BytesIO(b"\xff\xfe\x00\x81\xff"), "people.csv")}
    response = client.post(f"/manage/partners/{world.a.partner.id}/import", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "neither UTF-8 nor GBK" in response.get_data(as_text=True)


def test_template_csv_has_the_header(client, world):
    login(client, world.a.owner)
    response = client.get(f"/manage/partners/{world.a.partner.id}/import/template.csv")
    assert response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").strip() == HEADER.strip()


def test_an_unclosed_quote_refuses_the_file_at_its_line(client, world):
    """Before, the open quote swallowed the next row into a display name."""
    partner, before = world.a.partner, people_of(world.a.partner)
    login(client, world.a.owner)
    response = upload(client, partner, HEADER + "zhang.san,张三,staff,,,,\n"
                      + 'li.si,"李四,staff,,,,\n' + "wang.wu,王五,staff,,,,\n")
    assert response.status_code == 400
    assert problems(response)[0][:2] == ("3", "file")
    assert "quot" in problems(response)[0][2]
    assert people_of(partner) == before


@pytest.mark.parametrize("cell", ["张\x00三", "张\x1b[31m三", "invoice\u202egpj.exe", "a\x85b"])
def test_control_and_direction_override_characters_are_refused_by_cell(client, world, cell):
    partner, before = world.a.partner, people_of(world.a.partner)
    login(client, world.a.owner)
    response = upload(client, partner, HEADER + f"zhang.san,{cell},staff,,,,\n")
    assert response.status_code == 400
    assert problems(response) == [("2", "display_name",
                                   "Contains a character that is not allowed.")]
    assert people_of(partner) == before


def test_chinese_headers_and_role_names_import(client, world):
    login(client, world.a.owner)
    response = upload(client, world.a.partner, "用户名,姓名,角色,小组,手机\n"
                      "chen.qi,陈七,主管,一组a,13800138001\nzhou.ba,周八,员工,,\n", "gb18030")
    assert response.status_code == 200
    roles = dict(db.session.execute(select(User.username, User.role).where(
        User.username.in_(["chen.qi", "zhou.ba"]))).all())
    assert roles == {"chen.qi": "manager", "zhou.ba": "staff"}


def test_the_same_characters_are_refused_by_forms_and_the_api(client, world):
    from tests.test_api import bearer
    login(client, world.admin)
    form = client.post(f"/manage/partners/{world.a.partner.id}/teams/new",
                       data={"name": "一组\u202e反转"})
    assert form.status_code == 400 and 'data-field="name"' in form.get_data(as_text=True)
    api = client.post("/api/v1/broadcasts", headers=bearer(world.admin), json={
        "title": "标题\x1b[2J", "body_md": "正文", "category": "policy", "audience": {}})
    assert api.status_code == 422 and "title" in api.json["details"]["fields"]["json"]
