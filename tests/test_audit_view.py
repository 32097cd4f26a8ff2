"""The audit log as an auditor reads it: named actions, objects and fields, old → new
values, object histories, validated filters and a CSV of what the filters select."""
import csv
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select

from portal.core import audit, clock
from portal.core.audit import AuditLog
from portal.core.audit_view import readable
from portal.extensions import db
from portal.org.manage import audit_log
from tests.conftest import DEMO_PASSWORD, login


def _page(client, query="") -> str:
    response = client.get(f"/manage/audit{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _entries(html: str) -> list[str]:
    """Each row of the log as plain text, newest first."""
    body = html.split('<tbody>', 1)[1].split('</tbody>', 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in (part.split(">", 1)[1] for part in body.split("<tr ")[1:])]


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def auditor(app, world):
    client = app.test_client()
    login(client, world.auditor)
    return client


def _rename_team(app, world, name="先锋组"):
    owner = app.test_client()
    login(owner, world.a.owner)
    owner.post(f"/manage/teams/{world.a.team.id}/edit",
               data={"name": name, "leader_id": str(world.a.manager.id)})


def test_a_change_reads_in_chinese_with_named_object_and_old_to_new(app, world, auditor):
    _rename_team(app, world)
    html = _page(auditor, "?action=update&object_type=Team")
    first = _entries(html)[0]
    assert first.startswith(clock.now().astimezone(clock.BUSINESS_TZ).strftime("%Y-%m-%d"))
    assert "修改" in first and "小组" in first and "名称: 一组a → 先锋组" in first
    assert "owner_a" in first and "update" not in first and "Team" not in first
    # The object and its author are linked to their pages.
    assert f'<a href="/teams/{world.a.team.id}">先锋组</a>' in html
    assert f'<a href="/people/{world.a.owner.id}">' in html


def test_the_same_entry_reads_in_english_after_switching(app, world, auditor):
    _rename_team(app, world)
    auditor.post("/lang/en", data={"next": "/"})
    html = _page(auditor, "?action=update&object_type=Team")
    assert "Change" in _entries(html)[0] and "Name: 一组a → 先锋组" in _entries(html)[0]
    assert '<option selected value="update">Change</option>' in html
    assert '<option selected value="Team">Team</option>' in html


def test_the_drop_downs_name_actions_and_object_types(app, world, auditor):
    _rename_team(app, world)
    html = _page(auditor)
    assert '<option value="update">修改</option>' in html
    assert '<option value="create">新建</option>' in html
    assert '<option value="login">登录</option>' in html
    assert '<option value="Team">小组</option>' in html
    assert '<option value="User">人员</option>' in html


def test_codes_nobody_declared_show_as_stored(app, world, auditor):
    audit.record("mystery_event", object_type="Gizmo", object_id=7, after={"knob": 3})
    audit.record("quiet_event")
    db.session.commit()
    rows = _entries(_page(auditor, "?action=mystery_event"))
    assert rows == [rows[0]] and "mystery_event Gizmo #7" in rows[0] and "knob: 3" in rows[0]
    assert "quiet_event" in _entries(_page(auditor, "?action=quiet_event"))[0]


def test_yes_no_local_times_and_secrets_read_as_words(app, world, make, auditor):
    clock.set_now(datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc))
    person = make.person("staff", world.a.partner, world.a.team, username="newbie")
    created = _entries(_page(auditor, f"?action=create&object_type=User&object_id={person.id}"))
    # Created at 01:30 UTC is 09:30 in the portal's time zone.
    assert "创建时间: 2026-03-02 09:30:00" in created[0] and "已启用: 是" in created[0]
    assert "密码: （已设置）" in created[0] and "pbkdf2" not in created[0]
    assert "代理商: 代理商A" in created[0] and "角色: 员工" in created[0]

    admin = app.test_client()
    login(admin, world.admin)
    admin.post(f"/manage/people/{person.id}/deactivate")
    admin.post(f"/manage/people/{person.id}/password", data={"new_password": "Brand-new-42x"})
    changes = _entries(_page(auditor, f"?action=update&object_type=User&object_id={person.id}"))
    assert any("已启用: 是 → 否" in row for row in changes)
    secret = [row for row in changes if "密码" in row]
    assert secret and "密码: （已更改）" in secret[0] and "hidden" not in secret[0]


def test_long_values_are_cut_short_with_the_whole_text_behind_show_all(world, auditor):
    text = "长" * 100 + "结尾在这里"
    audit.record("update", world.a.team, before={"name": "短"}, after={"name": text})
    db.session.commit()
    html = _page(auditor, "?action=update&object_type=Team")
    details = re.search(r"<details[^>]*><summary>(.*?)</summary>(.*?)</details>", html, re.S)
    assert details and "结尾在这里" not in details.group(1) and "展开全部" in details.group(1)
    assert text in details.group(2)


def test_a_deleted_object_is_named_from_its_last_values(app, world, auditor):
    admin = app.test_client()
    login(admin, world.admin)
    territory_id = world.a.territory.id
    assert admin.post(f"/manage/territories/{territory_id}/remove").status_code == 302
    rows = _entries(_page(auditor, f"?object_type=Territory&object_id={territory_id}"))
    assert "删除" in rows[0] and "上城区（已删除）" in rows[0]
    assert "区域: 上城区" in rows[0] and "独家: 是" in rows[0]  # its last values
    # With no name among its last values, the id says which one it was.
    audit.record("delete", object_type="Team", object_id=999, before={"active": True})
    db.session.commit()
    assert "#999（已删除）" in _entries(_page(auditor, "?object_type=Team&object_id=999"))[0]


def test_an_objects_history_is_one_link_away(app, world, auditor):
    _rename_team(app, world)
    html = _page(auditor, "?action=update&object_type=Team")
    link = f'/manage/audit?object_type=Team&amp;object_id={world.a.team.id}'
    assert f'href="{link}"' in html
    rows = _entries(_page(auditor, f"?object_type=team&object_id={world.a.team.id}"))
    assert len(rows) == 3  # created, leader set, renamed
    assert all("先锋组" in row for row in rows)
    assert all(str(world.b.team.name) not in row for row in rows)


@pytest.mark.parametrize("query, field", [
    ("?start=2026-02-01&end=2026-01-01", "end"),
    ("?object_id=5", "object_id"),
    ("?object_type=User&object_id=abc", "object_id"),
    ("?object_type=User&object_id=0", "object_id"),
    ("?object_type=User&object_id=99999999999", "object_id"),
    ("?start=2026-13-01", "start"),
])
def test_bad_filters_are_field_errors_and_list_nothing(auditor, query, field):
    response = auditor.get(f"/manage/audit{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f'data-field="{field}"' in html
    assert 'id="audit"' not in html and 'id="audit-invalid"' in html
    assert auditor.get(f"/manage/audit{query}&format=csv").status_code == 400


def test_filters_work_together(app, world, auditor):
    _rename_team(app, world)
    today = clock.today().isoformat()
    both = _entries(_page(auditor, f"?actor=owner_a&action=update&start={today}&end={today}"))
    assert len(both) == 1 and "先锋组" in both[0]
    assert _entries(_page(auditor, "?actor=owner_a&action=delete")) == []


def test_nothing_matching_says_so(auditor):
    html = _page(auditor, "?actor=nobody")
    assert 'id="audit-empty"' in html and "没有符合这些筛选条件的记录" in html
    assert 'id="audit-csv"' not in html


def test_csv_has_translated_headers_readable_rows_and_guarded_cells(app, world, make, auditor):
    make.team(world.a.partner, "=HYPERLINK(1)")
    _rename_team(app, world)
    html = _page(auditor, "?object_type=Team")
    assert 'href="/manage/audit?object_type=Team&amp;format=csv"' in html
    assert "最多 10,000 条" in html
    response = auditor.get("/manage/audit?object_type=Team&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _csv(response)
    assert header == ["时间", "操作人", "操作", "对象类型", "对象编号", "对象", "变更内容", "IP"]
    renamed = rows[0]
    assert renamed[1:4] == [f"{world.a.owner.display_name} (owner_a)", "修改", "小组"]
    assert renamed[4:7] == [str(world.a.team.id), "先锋组", "名称: 一组a → 先锋组"]
    assert renamed[0].startswith(clock.today().isoformat())
    assert any(row[5] == "'=HYPERLINK(1)" for row in rows)
    assert {row[3] for row in rows} == {"小组"}


def test_csv_stops_at_its_cap(monkeypatch, auditor):
    monkeypatch.setattr(audit_log, "CSV_LIMIT", 3)
    header, *rows = _csv(auditor.get("/manage/audit?format=csv"))
    assert len(rows) == 3


def test_an_unknown_format_is_refused(auditor):
    assert auditor.get("/manage/audit?format=xlsx").status_code == 400


def _statements(app, client, query) -> int:
    count = [0]

    def counted(*_args):
        count[0] += 1
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        client.get(f"/manage/audit{query}")
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count[0]


def test_names_are_loaded_per_object_type_not_per_row(app, world, make, auditor):
    for n in range(30):
        make.person("staff", world.a.partner, world.a.team, username=f"extra{n}")
    one = _statements(app, auditor, f"?action=create&object_type=User&object_id={world.a.staff.id}")
    many = _statements(app, auditor, "?action=create&object_type=User")
    assert len(_entries(_page(auditor, "?action=create&object_type=User"))) == 25
    assert many == one


def test_a_reader_is_shown_only_the_names_its_scope_reaches(app, world):
    """The page is the admin's and the auditor's, who see everything; the naming itself
    follows the scope, so a channel manager (partner A only) would not see B's names."""
    rows = db.session.execute(select(AuditLog).where(
        AuditLog.action == "create", AuditLog.object_type == "Team")
        .order_by(AuditLog.id)).scalars().all()
    with app.test_request_context():
        entries = {e.row.object_id: e for e in readable(rows, world.cm)}
        mine, other = entries[str(world.a.team.id)], entries[str(world.b.team.id)]
        assert mine.object.text == "一组a" and mine.object.url == f"/teams/{world.a.team.id}"
        assert other.object.text == f"#{world.b.team.id}" and other.object.url is None
        b_changes = " ".join(c.text() for c in other.changes)
        assert "代理商B" not in b_changes and f"#{world.b.partner.id}" in b_changes
        everything = {e.row.object_id: e for e in readable(rows, world.auditor)}
        assert everything[str(world.b.team.id)].object.text == "一组b"


@pytest.mark.template("demo")
def test_every_action_and_type_of_the_demo_has_a_name(app, client):
    login(client, "auditor", DEMO_PASSWORD)
    html = _page(client)
    options = re.findall(r'<option (?:selected )?value="([^"]+)">([^<]*)</option>', html)
    codes = {code for code, _ in options}
    assert {"create", "update", "User", "Partner"} <= codes
    unnamed = [code for code, label in options if label == code]
    assert not unnamed, unnamed
    assert len(_entries(html)) == 25
    assert len(_csv(client.get("/manage/audit?format=csv"))) > 26


def test_every_declared_type_names_real_columns_and_every_audited_model_is_declared(app):
    from portal.core.audit_labels import COMMON_FIELDS, registry
    from portal.core.domains import load
    types, _actions = registry()
    for code, spec in types.items():
        model = load(spec.model)
        assert model.__name__ == code
        columns = set(model.__table__.columns.keys())
        assert set(spec.name) <= columns, code
        assert set(spec.values) <= columns and set(spec.refs) <= columns, code
        assert all(ref in types for ref in spec.refs.values()), code
    audited = {m.class_.__name__ for m in db.Model.registry.mappers
               if getattr(m.class_, "__audited__", False)}
    assert audited <= set(types), sorted(audited - set(types))
    for code in audited:  # every logged column has a label of its own or a shared one
        model = load(types[code].model)
        unnamed = [c for c in model.__table__.columns.keys()
                   if c not in types[code].fields and c not in COMMON_FIELDS
                   and c not in getattr(model, "__audit_ignore__", ())]
        assert not unnamed, (code, unnamed)
