"""Loading the banks into the database: versions, idempotence, all-or-nothing, retiring."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditLog
from portal.exams.bank.cli import quizzes
from portal.exams.bank.sync import sync
from portal.exams.models import Question, QuestionTag, QuestionVersion
from portal.extensions import db
from tests.quizbank import HABITS, SERVICE, write

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
TABLES = (Question, QuestionVersion, QuestionTag, AuditLog)


@pytest.fixture
def bank(app, tmp_path):
    """A bank folder with the habits and service files, synced once."""
    clock.set_now(T0)
    write(tmp_path, "staff", "habits.yaml", HABITS)
    write(tmp_path, "staff", "service.yaml", SERVICE)
    result = sync([tmp_path])
    db.session.commit()
    assert (result["added"], result["problems"]) == (5, [])
    return tmp_path


def question(key):
    return db.session.execute(select(Question).where(Question.key == key)).scalar_one()


def row_counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in TABLES}


def resync(folder):
    result = sync([folder])
    db.session.commit()
    return result


def test_sync_stores_each_question_with_its_first_version(bank):
    single = question("staff-habits-001")
    current = single.current_version
    assert (single.track, single.source_file.endswith("staff/habits.yaml")) == ("staff", True)
    assert (current.number, current.kind, current.answer) == (1, "single", 0)
    assert current.options[0]["text_en"] == "Met the decision maker and agreed a next step"
    assert len(current.content_hash) == 64
    fill = question("staff-habits-004").current_version
    assert set(db.session.scalars(select(QuestionTag.tag).where(
        QuestionTag.question_version_id == fill.id))) == {"local-service", "sales-habits"}
    # One audit entry per new question, already pointing at its version.
    logged = db.session.execute(select(AuditLog.action, AuditLog.after).where(
        AuditLog.object_type == "Question", AuditLog.object_id == str(single.id))).all()
    assert [(action, after.get("current_version_id")) for action, after in logged] == [
        ("create", current.id)]


def test_second_sync_of_unchanged_files_writes_nothing(bank):
    before = row_counts()
    result = resync(bank)
    assert (result["unchanged"], result["added"], result["changed"]) == (5, 0, 0)
    assert row_counts() == before


def test_changed_text_makes_version_two_and_keeps_version_one(bank):
    old = question("staff-habits-003").current_version
    old_id, old_hash = old.id, old.content_hash
    write(bank, "staff", "habits.yaml", HABITS.replace("二次跟进只针对已成交的客户。",
                                                       "二次跟进只针对已报备的客户。"))
    assert resync(bank)["changed"] == 1
    db.session.expire_all()
    changed = question("staff-habits-003")
    assert changed.current_version.number == 2
    assert changed.current_version.text == "二次跟进只针对已报备的客户。"
    # An attempt given version 1 still shows what its taker saw.
    kept = db.session.get(QuestionVersion, old_id)
    assert (kept.number, kept.text, kept.content_hash) == (1, "二次跟进只针对已成交的客户。",
                                                           old_hash)


def test_new_points_or_answer_also_make_a_version(bank):
    text = HABITS.replace("    answer: false", "    answer: true").replace(
        "    points: 3", "    points: 4")
    write(bank, "staff", "habits.yaml", text)
    assert resync(bank)["changed"] == 2


def test_a_bad_file_among_good_ones_writes_nothing(bank):
    before = row_counts()
    write(bank, "staff", "habits.yaml", HABITS.replace("二次跟进", "三次跟进"))
    write(bank, "staff", "broken.yaml", SERVICE.replace("staff-service-001", "staff-new-001")
          .replace("answer: true", "answer: 对"))
    result = sync([bank])
    db.session.commit()
    assert [p.message for p in result["problems"]] == [
        "a truefalse question needs 'answer: true' or 'answer: false'"]
    assert result["changed"] == 0 and row_counts() == before
    assert question("staff-habits-003").current_version.text.startswith("二次跟进")


def test_question_missing_from_the_files_is_retired_then_restored(bank):
    write(bank, "staff", "service.yaml", SERVICE.replace("staff-service-001", "staff-service-002"))
    assert (resync(bank)["retired"], question("staff-service-001").retired_at) == (1, T0)
    clock.set_now(T0.replace(day=9))
    write(bank, "staff", "service.yaml", SERVICE)
    result = resync(bank)
    retired_again = question("staff-service-002")
    assert (result["restored"], result["retired"], result["changed"]) == (1, 1, 0)
    assert question("staff-service-001").retired_at is None
    assert question("staff-service-001").current_version.number == 1
    assert retired_again.retired_at == T0.replace(day=9)


def test_syncing_one_file_retires_nothing_else(bank):
    result = sync([bank / "staff" / "service.yaml"])
    db.session.commit()
    assert (result["retired"], result["unchanged"]) == (0, 1)
    assert question("staff-habits-001").retired_at is None


def test_other_tracks_are_not_retired_by_a_track_folder(bank, tmp_path_factory):
    mid = tmp_path_factory.mktemp("other")
    write(mid, "mid", "targets.yaml", SERVICE.replace("track: staff", "track: mid")
          .replace("staff-service-001", "mid-targets-001"))
    assert resync(mid / "mid")["added"] == 1
    assert question("staff-habits-001").retired_at is None


def test_changed_tags_alone_update_the_current_version(bank):
    version_id = question("staff-habits-003").current_version_id
    write(bank, "staff", "habits.yaml", HABITS.replace("tags: [customer-classes]",
                                                       "tags: [customer-classes, follow-up]"))
    assert resync(bank)["retagged"] == 1
    db.session.expire_all()
    current = question("staff-habits-003").current_version
    assert (current.id, current.tags) == (version_id, ["customer-classes", "follow-up"])
    assert set(db.session.scalars(select(QuestionTag.tag).where(
        QuestionTag.question_version_id == version_id))) == {"customer-classes", "follow-up"}


def test_sync_is_audited_as_the_command(bank, app):
    app.cli.add_command(quizzes)
    write(bank, "staff", "service.yaml", SERVICE.replace("本地化", "本地"))
    result = app.test_cli_runner().invoke(args=["quizzes", "sync", str(bank)])
    assert result.exit_code == 0, result.output
    assert "0 added, 1 changed, 4 unchanged" in result.output
    labels = set(db.session.scalars(select(AuditLog.actor_label).where(
        AuditLog.object_type == "Question")))
    assert "cli:quizzes-sync" in labels


def test_sync_command_fails_on_problems_and_loads_nothing(app, tmp_path):
    app.cli.add_command(quizzes)
    write(tmp_path, "staff", "habits.yaml", HABITS.replace("kind: fill", "kind: blank"))
    result = app.test_cli_runner().invoke(args=["quizzes", "sync", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown kind 'blank'" in result.output
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
