"""Turn a Moodle GIFT or Aiken file into a bank file in the README's YAML format.

Imported questions get ids made of the track, the tag and a counter
(`staff-imported-001`), skipping every id already taken, in the files or by a question
in the database (a retired id is never reused). Each question goes through the same
validator as a hand-written one before anything is written."""
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from portal.exams.bank.aiken import parse_aiken
from portal.exams.bank.checker import SUFFIXES
from portal.exams.bank.gift import parse_gift
from portal.exams.bank.questions import Problem, validate
from portal.exams.bank.yaml_format import dump_bank, read_text
from portal.exams.models import Question
from portal.extensions import db

PARSERS = {"gift": parse_gift, "aiken": parse_aiken}


@dataclass
class Conversion:
    text: str | None       # the YAML to write, None when there are problems
    count: int
    problems: list[Problem]


def taken_ids(folders) -> set[str]:
    """Ids used by any bank file under `folders` or by any question in the database."""
    taken = set(db.session.execute(select(Question.key)).scalars())
    for folder in map(Path, folders):
        for path in folder.rglob("*") if folder.is_dir() else ():
            if path.suffix not in SUFFIXES:
                continue
            try:
                bank = read_text(path.read_text(encoding="utf-8"), path.name)
            except UnicodeDecodeError:
                continue  # `check` reports it; it holds no id we can read
            taken.update(q.data.get("id") for q in bank.questions
                         if isinstance(q.data.get("id"), str))
    return taken


def _ids(track: str, tag: str, taken: set[str]):
    counter = 0
    while True:
        counter += 1
        key = f"{track}-{tag}-{counter:03d}"
        if key not in taken:
            yield key


def convert(text: str, fmt: str, *, file: str, track: str, tag: str,
            taken: set[str]) -> Conversion:
    """Parse `text` in format `fmt`, give each question an id and the tag, and check it."""
    questions, problems = PARSERS[fmt](text, file)
    if not questions and not problems:
        problems.append(Problem(file, 1, "no questions found"))
    ids = _ids(track, tag, taken)
    out = []
    for raw in questions:
        raw.data = {"id": next(ids), "tags": [tag], **raw.data}
        found, _ = validate(raw, file, track)
        problems.extend(found)
        out.append(raw.data)
    if problems:
        return Conversion(None, len(out), sorted(problems))
    topic = f"Imported from {Path(file).name}"
    return Conversion(dump_bank(track, topic, out), len(out), [])
