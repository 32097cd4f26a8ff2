"""The criteria pages as people use them: everyone but staff reads the published
versions (partners included, Chinese first, English a click away), drafts are the
admin's, the admin edits until a version applies (bad input is a message on its field
with a 4xx and nothing written), partners comment on an upcoming version and see only
their own partner's thread, and the compare view lists what changes."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.scoring import criteria, criteria_comments
from portal.scoring.models import CriteriaComment, CriteriaSet, Criterion
from tests.conftest import login

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
NEXT = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def _clock(app):
    clock.set_now(NOW)


def row(code="exam_coverage", metric="exam_coverage", weight=100, zero=40, full=90, name=None):
    return {"code": code, "name": name or "考试覆盖率", "metric": metric, "mapping": "linear",
            "anchors": {"zero": zero, "full": full}, "weight": weight}


def make_set(admin, *rows, month=None, copy_of=None, published_on=None):
    """A version with `rows`, published for `month` (as of `published_on`) when given."""
    with clock.frozen(published_on or NOW):
        cset = criteria.new_draft(admin, copy_of)
        for values in rows:
            criteria.save_criterion(admin, cset, values)
        if month:
            criteria.publish(admin, cset, month)
    db.session.commit()
    return cset


@pytest.fixture
def sets(world):
    """Version 1 in force since January 2026, version 2 published for January 2027 with
    a second criterion and the coverage weighed less."""
    first = make_set(world.admin, row(), month=date(2026, 1, 1),
                     published_on=datetime(2025, 12, 10, tzinfo=timezone.utc))
    second = make_set(world.admin, copy_of=first)
    criteria.save_criterion(world.admin, second, row(weight=70), second.criteria[0])
    criteria.save_criterion(world.admin, second, row("csat", "csat", 30, 3, 4.5, "客户满意度"))
    criteria.publish(world.admin, second, NEXT)
    db.session.commit()
    return first, second


def as_user(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302
    return client


def body(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_partners_read_the_versions_in_chinese(client, world, sets):
    first, second = sets
    as_user(client, world.a.owner)
    page = body(client.get("/scoring/criteria/"))
    assert "评分准则" in page and "自 2026年1月 起生效：第 1 版" in page
    assert "第 2 版自 2027年1月 起生效" in page and 'data-countdown="25"' in page
    assert "新建草稿" not in page
    page = body(client.get(f"/scoring/criteria/{second.id}"))
    assert "客户满意度" in page and "考试覆盖率" in page
    assert "40 及以下得 0 分，90 及以上得 100 分，其间按线性计分。" in page
    assert "不计入，而不是记为 0 分" in page          # what no data means
    assert "总分至少 85 分，且每项有数据的准则至少 1 分。" in page
    assert 'id="comment-form"' in page and 'id="editor-actions"' not in page


def test_the_same_page_reads_in_english_after_switching(client, world, sets):
    as_user(client, world.a.manager)
    client.post("/lang/en")
    page = body(client.get(f"/scoring/criteria/{sets[1].id}"))
    assert "Scoring criteria, version 2" in page
    assert "0 points at 40 or less, 100 points at 90 or more, linear between." in page
    assert "is left out, not counted as zero" in page


def test_staff_do_not_read_the_criteria(client, world, sets):
    as_user(client, world.a.staff)
    assert client.get("/scoring/criteria/").status_code == 403
    assert client.get(f"/scoring/criteria/{sets[0].id}").status_code == 403


def test_a_draft_is_the_admins_alone(client, world, sets):
    cset = make_set(world.admin, copy_of=sets[1])
    for user in (world.a.owner, world.cm):
        as_user(client, user)
        assert client.get(f"/scoring/criteria/{cset.id}").status_code == 404
        assert f"/scoring/criteria/{cset.id}\"" not in body(client.get("/scoring/criteria/"))
    as_user(client, world.admin)
    page = body(client.get(f"/scoring/criteria/{cset.id}"))
    assert 'id="editor-actions"' in page and 'id="publish-link"' in page


def test_each_reader_is_offered_what_its_rules_allow(client, world, sets):
    """The drafts filter, the partner picker on the comment form and the reply under a
    note for every partner follow the rules that guard their actions."""
    note = criteria_comments.add_comment(world.admin, sets[1], "致全体代理商：权重说明")
    db.session.commit()
    drafts_filter, picker = '<option value="draft"', 'name="partner_id"'
    reply_to_note = f"/scoring/criteria/comments/{note.id}/reply"
    seen = {}
    for user in (world.admin, world.auditor, world.cm, world.a.owner):
        as_user(client, user)
        index = body(client.get("/scoring/criteria/"))
        page = body(client.get(f"/scoring/criteria/{sets[1].id}"))
        seen[user.role] = (drafts_filter in index, picker in page, reply_to_note in page)
    assert seen == {"admin": (True, False, True), "auditor": (True, False, False),
                    "channel_manager": (False, True, False), "owner": (False, False, False)}


@pytest.mark.parametrize("who", ["auditor", "owner", "channel_manager"])
def test_only_the_admin_edits(client, world, sets, who):
    user = {"auditor": world.auditor, "owner": world.a.owner, "channel_manager": world.cm}[who]
    upcoming = sets[1]
    criterion = upcoming.criteria[0]
    as_user(client, user)
    assert 'id="editor-actions"' not in body(client.get(f"/scoring/criteria/{upcoming.id}"))
    before = count(Criterion)
    for url in (f"/scoring/criteria/{upcoming.id}/criteria/new",
                f"/scoring/criteria/{upcoming.id}/criteria/{criterion.id}",
                f"/scoring/criteria/{upcoming.id}/criteria/{criterion.id}/remove",
                f"/scoring/criteria/{upcoming.id}/weights",
                f"/scoring/criteria/{upcoming.id}/tiers",
                f"/scoring/criteria/{upcoming.id}/publish", "/scoring/criteria/new"):
        assert client.post(url, data=row("x", weight=10)).status_code == 403, url
    assert client.get(f"/scoring/criteria/{upcoming.id}/preview").status_code == 403
    assert count(Criterion) == before and count(CriteriaSet) == 2


def _criterion_form(values: dict) -> dict:
    anchors = values.pop("anchors")
    return {**values, "zero": anchors["zero"], "full": anchors["full"]}


def test_the_admin_adds_a_criterion_to_a_draft(client, world, sets):
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.admin)
    assert client.get(f"/scoring/criteria/{cset.id}/criteria/new").status_code == 200
    response = client.post(f"/scoring/criteria/{cset.id}/criteria/new", data=_criterion_form(
        row("conflicts", "conflicts_per_100", 10, 5, 0, "冲突率")))
    assert response.status_code == 302
    saved = db.session.execute(select(Criterion).where(Criterion.set_id == cset.id,
                                                       Criterion.code == "conflicts")).scalar()
    assert (saved.direction, saved.group, saved.anchors) == ("lower", "fairness",
                                                             {"zero": 5.0, "full": 0.0})
    page = body(client.get(f"/scoring/criteria/{cset.id}"))
    assert "冲突率" in page and "5 及以上得 0 分，0 及以下得 100 分" in page
    assert "权重合计 110" in page


@pytest.mark.parametrize("change, field, message", [
    ({"zero": 90, "full": 40}, "anchors", 'data-field="anchors"'),
    ({"metric": "luck"}, "metric", "请从列表中选择指标。"),
    ({"code": "exam_coverage"}, "code", "本版本已有准则使用此代码。"),
    ({"weight": "0"}, "weight", "请输入 1 到 100 之间的整数。"),
], ids=["anchors", "metric", "duplicate-code", "weight"])
def test_bad_input_is_a_message_on_its_field_and_nothing_is_saved(
        client, world, sets, change, field, message):
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.admin)
    before = count(Criterion)
    response = client.post(f"/scoring/criteria/{cset.id}/criteria/new",
                           data={**_criterion_form(row("new_one", weight=10)), **change})
    assert response.status_code == 400
    assert message in body(response)
    assert f'data-field="{field}"' in body(response)
    assert count(Criterion) == before


def test_editing_a_frozen_version_says_so_and_changes_nothing(client, world, sets):
    first = sets[0]
    criterion = first.criteria[0]
    as_user(client, world.admin)
    assert 'id="editor-actions"' not in body(client.get(f"/scoring/criteria/{first.id}"))
    response = client.post(f"/scoring/criteria/{first.id}/criteria/{criterion.id}",
                           data=_criterion_form(row(full=80)))
    assert response.status_code == 409 and "此版本已生效并冻结。" in body(response)
    response = client.post(f"/scoring/criteria/{first.id}/criteria/{criterion.id}/remove")
    assert response.status_code == 409
    assert db.session.get(Criterion, criterion.id).anchors == {"zero": 40.0, "full": 90.0}


def test_publishing_asks_for_a_month_that_has_not_begun(client, world, sets):
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.admin)
    page = body(client.get(f"/scoring/criteria/{cset.id}/publish"))
    assert 'data-confirm="向所有代理商发布第 3 版' in page
    response = client.post(f"/scoring/criteria/{cset.id}/publish",
                           data={"effective_month": "2026-12"})
    assert response.status_code == 400 and "请选择一个尚未开始的月份" in body(response)
    response = client.post(f"/scoring/criteria/{cset.id}/publish",
                           data={"effective_month": "2027-01"})
    assert response.status_code == 400 and "新版本必须更晚开始" in body(response)
    assert db.session.get(CriteriaSet, cset.id).state == "draft"
    response = client.post(f"/scoring/criteria/{cset.id}/publish",
                           data={"effective_month": "2027-02", "note": "新增冲突率"})
    assert response.status_code == 302
    published = db.session.get(CriteriaSet, cset.id)
    assert (published.state, published.effective_month, published.note) == (
        "published", date(2027, 2, 1), "新增冲突率")


def test_weights_that_do_not_add_up_refuse_publishing(client, world, sets):
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.admin)
    client.post(f"/scoring/criteria/{cset.id}/weights",
                data={f"weight_{c.id}": "40" for c in cset.criteria})
    response = client.post(f"/scoring/criteria/{cset.id}/publish",
                           data={"effective_month": "2027-02"})
    assert response.status_code == 400 and "80" in body(response)
    assert db.session.get(CriteriaSet, cset.id).state == "draft"


def test_an_upcoming_version_changed_after_publishing_says_when(client, world, sets):
    upcoming = sets[1]
    as_user(client, world.admin)
    ids = [c.id for c in upcoming.criteria]
    response = client.post(f"/scoring/criteria/{upcoming.id}/weights",
                           data={f"weight_{ids[0]}": "50", f"weight_{ids[1]}": "30"})
    assert response.status_code == 400 and "权重" in body(response)
    with clock.frozen(datetime(2026, 12, 7, 2, 30, tzinfo=timezone.utc)):
        response = client.post(f"/scoring/criteria/{upcoming.id}/weights",
                               data={f"weight_{ids[0]}": "50", f"weight_{ids[1]}": "50"})
    assert response.status_code == 302
    assert [c.weight for c in db.session.get(CriteriaSet, upcoming.id).criteria] == [50, 50]
    as_user(client, world.a.owner)
    page = body(client.get(f"/scoring/criteria/{upcoming.id}"))
    assert "发布后于 2026-12-07 10:30 修改过" in page


def test_the_compare_view_lists_what_changes(client, world, sets):
    first, second = sets
    as_user(client, world.b.owner)
    page = body(client.get(f"/scoring/criteria/{second.id}/compare"))
    assert "第 2 版与第 1 版的比较" in page
    assert 'data-change="added" data-code="csat"' in page
    assert 'data-change="changed" data-code="exam_coverage"' in page
    assert 'data-weight="100"' in page and 'data-weight="70"' in page
    page = body(client.get(f"/scoring/criteria/{first.id}/compare"))
    assert "没有更早的版本可供比较" in page


def test_comments_stay_in_their_partners_thread(client, world, sets):
    upcoming = sets[1]
    as_user(client, world.b.owner)
    response = client.post(f"/scoring/criteria/{upcoming.id}/comments",
                           data={"body": "B认为满意度权重太低", "criterion_code": "csat"})
    assert response.status_code == 302
    comment = db.session.execute(select(CriteriaComment)).scalar()
    assert comment.partner_id == world.b.partner.id and comment.criterion_code == "csat"
    as_user(client, world.admin)
    assert "B认为满意度权重太低" in body(client.get(f"/scoring/criteria/{upcoming.id}"))
    assert client.post(f"/scoring/criteria/comments/{comment.id}/reply",
                       data={"body": "已记录，谢谢B"}).status_code == 302
    as_user(client, world.b.manager)
    page = body(client.get(f"/scoring/criteria/{upcoming.id}"))
    assert "B认为满意度权重太低" in page and "已记录，谢谢B" in page
    # Partners comment; answering in a thread is the principal's.
    assert client.post(f"/scoring/criteria/comments/{comment.id}/reply",
                       data={"body": "我来回复"}).status_code == 403
    for outsider in (world.a.owner, world.a.manager, world.cm):
        as_user(client, outsider)
        page = body(client.get(f"/scoring/criteria/{upcoming.id}"))
        assert "B认为满意度权重太低" not in page and "已记录，谢谢B" not in page
    # A's channel manager cannot answer B's thread either: it does not exist for it.
    assert client.post(f"/scoring/criteria/comments/{comment.id}/reply",
                       data={"body": "x"}).status_code == 404


def test_an_empty_comment_is_a_message_and_nothing_is_posted(client, world, sets):
    as_user(client, world.a.owner)
    response = client.post(f"/scoring/criteria/{sets[1].id}/comments", data={"body": " "})
    assert response.status_code == 400 and "请填写意见。" in body(response)
    assert count(CriteriaComment) == 0


def test_comments_close_when_the_version_applies(client, world, sets):
    first = sets[0]
    as_user(client, world.a.owner)
    page = body(client.get(f"/scoring/criteria/{first.id}"))
    assert 'id="comment-form"' not in page and "意见已关闭" in page
    response = client.post(f"/scoring/criteria/{first.id}/comments", data={"body": "晚了"})
    assert response.status_code == 409 and count(CriteriaComment) == 0


def test_staff_and_auditors_do_not_comment(client, world, sets):
    for user in (world.a.staff, world.auditor):
        as_user(client, user)
        assert client.post(f"/scoring/criteria/{sets[1].id}/comments",
                           data={"body": "意见"}).status_code == 403
    assert count(CriteriaComment) == 0


def test_the_preview_is_the_admins(client, world, sets):
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.admin)
    assert client.get(f"/scoring/criteria/{cset.id}/preview").status_code == 200
    for user in (world.cm, world.a.owner):
        as_user(client, user)
        assert client.get(f"/scoring/criteria/{cset.id}/preview").status_code in (403, 404)


def test_a_new_draft_copies_the_latest_version_from_the_list(client, world, sets):
    as_user(client, world.admin)
    response = client.post("/scoring/criteria/new")
    assert response.status_code == 302
    cset = db.session.execute(select(CriteriaSet).where(CriteriaSet.state == "draft")).scalar()
    assert cset.version == 3 and [c.code for c in cset.criteria] == ["exam_coverage", "csat"]
    assert client.post("/scoring/criteria/new").status_code == 303  # one draft at a time
    assert count(CriteriaSet) == 3


def test_publishing_tells_partner_owners_and_team_leads(client, world, sets):
    from portal.notify.models import Notification
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.admin)
    assert client.post(f"/scoring/criteria/{cset.id}/publish",
                       data={"effective_month": "2027-02"}).status_code == 302
    told = set(db.session.execute(select(Notification.user_id).where(
        Notification.category == "scoring")).scalars())
    assert {world.a.owner.id, world.b.owner.id, world.a.manager.id, world.cm.id} <= told
    assert world.a.staff.id not in told
    title = db.session.execute(select(Notification.title).where(
        Notification.user_id == world.b.owner.id)).scalar()
    assert title == "评分准则第 3 版自 2027年2月 起生效"


def test_a_draft_is_out_of_reach_through_every_door(client, world, sets):
    cset = make_set(world.admin, copy_of=sets[1])
    as_user(client, world.a.owner)
    # Compared with, or commented on: a draft does not exist for a partner.
    assert client.get(f"/scoring/criteria/{sets[1].id}/compare?with={cset.id}").status_code == 404
    assert client.post(f"/scoring/criteria/{cset.id}/comments",
                       data={"body": "意见"}).status_code == 404
    assert count(CriteriaComment) == 0


def test_a_criterion_is_edited_only_through_its_own_version(client, world, sets):
    first, second = sets
    draft = make_set(world.admin, copy_of=second)
    as_user(client, world.admin)
    foreign = first.criteria[0]
    assert client.get(f"/scoring/criteria/{draft.id}/criteria/{foreign.id}").status_code == 404
    assert client.post(f"/scoring/criteria/{draft.id}/criteria/{foreign.id}/remove"
                       ).status_code == 404
    assert db.session.get(Criterion, foreign.id) is not None
