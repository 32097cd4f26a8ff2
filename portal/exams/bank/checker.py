"""Check a set of bank files as a whole: each file, each question, and ids across files.

A folder passed in is the whole truth for the track(s) it holds: `sync` retires the
questions of those tracks that are no longer in it. A single file passed in retires
nothing, since the rest of its track was not read."""
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portal.exams.bank.questions import BankQuestion, Problem, validate
from portal.exams.bank.yaml_format import read_text
from portal.org.tracks import TRACKS

SUFFIXES = (".yaml", ".yml")


@dataclass
class Loaded:
    questions: list[BankQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    tracks: set[str] = field(default_factory=set)  # tracks read in full (see module doc)
    files: int = 0

    def summary(self) -> dict:
        """Questions per track and per tag, for the `check` command's report."""
        return {"files": self.files, "questions": len(self.questions),
                "tracks": dict(sorted(Counter(q.track for q in self.questions).items())),
                "tags": dict(sorted(Counter(t for q in self.questions for t in q.tags).items()))}


def bank_root() -> Path:
    """The repository's `quizzes/` folder."""
    from portal import ROOT
    return ROOT / "quizzes"


def display_name(path: Path) -> str:
    """How a file is named in problems and in the database: relative to the project."""
    from portal import ROOT
    resolved = path.resolve()
    return (resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved).as_posix()


def _collect(paths, loaded: Loaded) -> list[Path]:
    files = []
    for path in map(Path, paths):
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                loaded.problems.append(Problem(display_name(path), 1, "no .yaml files here"))
            files.extend(found)
            loaded.tracks |= ({path.name} if path.name in TRACKS else
                              {p.name for p in path.iterdir() if p.is_dir() and p.name in TRACKS})
        else:
            loaded.problems.append(Problem(str(path), 1, "no such file or folder"))
    return list(dict.fromkeys(files))  # the same file named twice is read once


def _load_file(path: Path, loaded: Loaded) -> list[tuple[BankQuestion | None, int, str]]:
    """Read and check one file; returns (question or None, line, id) for the id check."""
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        loaded.problems.append(Problem(name, 1, "the file is not UTF-8 text"))
        return []
    bank = read_text(text, name)
    loaded.problems.extend(bank.problems)
    if bank.track is not None and bank.track not in TRACKS:
        loaded.problems.append(Problem(name, bank.track_line, f"unknown track '{bank.track}'"
                                       f" (expected one of {', '.join(TRACKS)})"))
    elif bank.track is not None and path.resolve().parent.name != bank.track:
        loaded.problems.append(Problem(
            name, bank.track_line, f"track '{bank.track}' does not match the folder"
                                   f" '{path.resolve().parent.name}'; move the file to"
                                   f" {bank.track}/ or fix the track"))
    seen = []
    for raw in bank.questions:
        problems, question = validate(raw, name, bank.track)
        loaded.problems.extend(problems)
        seen.append((question, raw.line, raw.data.get("id")))
    return seen


def load(paths) -> Loaded:
    """Read and check every bank file under `paths` (files or folders)."""
    loaded = Loaded()
    files = _collect(paths, loaded)
    loaded.files = len(files)
    first_seen: dict[str, tuple[str, int]] = {}
    for path in files:
        name = display_name(path)
        for question, line, key in _load_file(path, loaded):
            if isinstance(key, str) and key in first_seen:
                other_file, other_line = first_seen[key]
                loaded.problems.append(Problem(name, line, f"duplicate id '{key}' (also at"
                                                           f" {other_file}:{other_line})"))
                loaded.problems.append(Problem(other_file, other_line, f"duplicate id '{key}'"
                                               f" (also at {name}:{line})"))
            elif isinstance(key, str):
                first_seen[key] = (name, line)
            if question is not None:
                loaded.questions.append(question)
    loaded.problems = sorted(set(loaded.problems))
    return loaded


def check(paths) -> list[Problem]:
    """Every problem in the bank files under `paths`, sorted by file and line."""
    return load(paths).problems
