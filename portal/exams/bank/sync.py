"""Load checked bank files into the database, all or nothing.

Questions are matched by id. Content that changed gets a new version and the question's
current version moves to it; the old version row stays as it was, so an attempt that was
given it still shows what its taker saw. Tags are not content (a taker never sees them):
a change of tags alone updates the current version's tags instead of making a version.
Running `sync` twice in a row writes nothing the second time."""
from sqlalchemy import delete, func, insert, select, update

from portal.core import audit
from portal.core.clock import now
from portal.exams.bank.checker import load
from portal.exams.bank.questions import BankQuestion
from portal.exams.models import Question, QuestionTag, QuestionVersion
from portal.extensions import db

COUNTS = ("added", "changed", "unchanged", "retagged", "retired", "restored")


def _existing() -> dict[str, tuple]:
    """key -> (question, current content hash, current tags, highest version number)."""
    top = (select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("top"))
           .group_by(QuestionVersion.question_id).subquery())
    rows = db.session.execute(
        select(Question, QuestionVersion.content_hash, QuestionVersion.tags, top.c.top)
        .outerjoin(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .outerjoin(top, top.c.question_id == Question.id))
    return {row[0].key: tuple(row) for row in rows}


def _new_version(question: Question, number: int, bank: BankQuestion) -> QuestionVersion:
    """Add a version and make it current (one flush writes both, the key set afterwards)."""
    version = QuestionVersion(question=question, number=number, tags=bank.tags,
                              content_hash=bank.content_hash, created_at=now(),
                              **bank.content())
    question.current_version = version
    return version


def _tag_rows(version_id: int, tags: list[str]) -> list[dict]:
    return [{"question_version_id": version_id, "tag": tag} for tag in tags]


def _retag(version_id: int, tags: list[str]) -> None:
    db.session.execute(update(QuestionVersion).where(QuestionVersion.id == version_id)
                       .values(tags=tags))
    db.session.execute(delete(QuestionTag).where(QuestionTag.question_version_id == version_id))
    db.session.execute(insert(QuestionTag), _tag_rows(version_id, tags))


def _place(question: Question, bank: BankQuestion) -> None:
    """Follow a question to its current file, line and track (assigning only real changes,
    so an untouched question is not written)."""
    for name, value in (("source_file", bank.file), ("source_line", bank.line),
                        ("track", bank.track)):
        if getattr(question, name) != value:
            setattr(question, name, value)


def _retire_missing(tracks: set[str], keys: set[str], counts: dict) -> None:
    if not tracks:
        return
    gone = db.session.execute(select(Question).where(
        Question.track.in_(tracks), Question.key.not_in(keys), Question.retired_at.is_(None))
    ).scalars().all()
    for question in gone:  # few at a time, and each one is audited
        question.retired_at = now()
    counts["retired"] = len(gone)


def sync(paths) -> dict:
    """Check every file under `paths`, then store new and changed questions and retire the
    missing ones. Returns the counts and the problems; with any problem nothing is written."""
    loaded = load(paths)
    counts = dict.fromkeys(COUNTS, 0)
    if loaded.problems:
        return {**counts, "problems": loaded.problems}
    existing = _existing()
    new_versions: list[QuestionVersion] = []
    for bank in loaded.questions:
        if bank.key not in existing:
            question = Question(key=bank.key, track=bank.track, source_file=bank.file,
                                source_line=bank.line, created_at=now())
            db.session.add(question)
            new_versions.append(_new_version(question, 1, bank))
            counts["added"] += 1
            continue
        question, content_hash, tags, top = existing[bank.key]
        _place(question, bank)
        if question.retired_at is not None:
            question.retired_at = None
            counts["restored"] += 1
        if content_hash != bank.content_hash:
            new_versions.append(_new_version(question, (top or 0) + 1, bank))
            counts["changed"] += 1
        elif tags != bank.tags:
            _retag(question.current_version_id, bank.tags)
            counts["retagged"] += 1
        else:
            counts["unchanged"] += 1
    db.session.flush()
    tag_rows = [row for version in new_versions for row in _tag_rows(version.id, version.tags)]
    if tag_rows:
        db.session.execute(insert(QuestionTag), tag_rows)
    _retire_missing(loaded.tracks, {q.key for q in loaded.questions}, counts)
    db.session.flush()
    if any(counts[name] for name in COUNTS if name != "unchanged"):
        audit.record("quizzes_sync", object_type="Question", after=counts)
    return {**counts, "problems": []}
