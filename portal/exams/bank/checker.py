"""Check a set of bank files as a whole: each file, each question, and ids across files.

A folder passed in is the whole truth for the track(s) it holds: `sync` retires the
questions of those tracks that are no longer in it. A single file passed in retires
nothing, since the rest of its track was not read.

Besides problems, the check looks for cues a test-wise taker could answer by without
knowing the content (see `cues`). They come back as warnings: a bank with them still loads."""
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portal.exams.bank.questions import BankQuestion, Problem, RawQuestion, validate
from portal.exams.bank.yaml_format import read_text
from portal.org.tracks import TRACKS

SUFFIXES = (".yaml", ".yml")
# A bank (one file, one language) is cued when, over at least MIN_QUESTIONS single-choice
# questions, the key is the uniquely longest option more than CHANCE_FACTOR times as often
# as picking at random would give (the sum of 1 / number of options). Fewer questions are
# too few to tell a writer's habit from luck; within 1.5 times chance a taker who always
# picks the longest gains little.
CHANCE_FACTOR, MIN_QUESTIONS = 1.5, 4
# A key echoes the stem when the share of its words taken from the stem beats the share of
# every distractor by more than STEM_MARGIN, with at least STEM_MIN_WORDS such words.
STEM_MARGIN, STEM_MIN_WORDS = 0.25, 2
# Options that answer for the others: "以上都是", "以上皆是", "以上全部", "以上选项均不正确",
# "all of the above", "none of the above"...
SWEEPING = re.compile(r"^(?:以上|上述)(?:的)?(?:选项|答案|说法|做法|各项|[两二三四五六七几]?[项者个])?"
                      r"[都皆均全]|^(?:all|none|both|neither) of the above\b", re.I)
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
ENGLISH_WORD = re.compile(r"[a-z]{4,}")
# Four-letter-plus words every sentence has; sharing them with the stem is no echo.
COMMON_WORDS = frozenset(
    "about also been does each from have into more most only should than that their them then"
    " there these they this what when which will with would your".split())
LANGUAGES = {"text": "", "text_en": "English"}  # option field -> how the figure names it


@dataclass(frozen=True)
class LongestFigure:
    """In one bank file and one language: how many single-choice questions have their key
    as the uniquely longest option, against the number picking at random would give."""

    file: str
    language: str  # "" for the Chinese texts, "English" for text_en
    hits: int
    questions: int
    chance: float  # the sum of 1 / number of options
    lines: tuple[int, ...] = ()  # where the questions with a longest key start

    @property
    def cued(self) -> bool:
        return self.questions >= MIN_QUESTIONS and self.hits > CHANCE_FACTOR * self.chance

    def warning(self) -> Problem:
        language = f" ({self.language})" if self.language else ""
        return Problem(self.file, self.lines[0], f"the key is the longest option{language} in"
                       f" {self.hits} of {self.questions} single-choice questions, more than"
                       f" {CHANCE_FACTOR:g} × chance (≈ {round(self.chance, 2):g}): a taker who"
                       " always picks the longest option gains; give the distractors the key's"
                       f" length and detail (lines {', '.join(map(str, self.lines))})")

    def __str__(self) -> str:
        if not self.questions:
            return "no single-choice questions"
        return (f"longest option is the key in {self.hits} of {self.questions} single-choice"
                f" questions (chance ≈ {round(self.chance, 2):g})")


@dataclass
class Loaded:
    questions: list[BankQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # cues; they never fail the check
    figures: list[LongestFigure] = field(default_factory=list)
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


def _length(text: str) -> int:
    return len("".join(text.split()))


def _longest(texts: list[str]) -> int | None:
    """Index of the uniquely longest text (spaces not counted); None on a tie."""
    lengths = [_length(text) for text in texts]
    top = max(lengths)
    return lengths.index(top) if lengths.count(top) == 1 else None


def longest_figures(file: str, questions: list[BankQuestion]) -> list[LongestFigure]:
    """The Chinese figure of a file, and the English one when its options have text_en."""
    figures = []
    for key, language in LANGUAGES.items():
        chosen = [q for q in questions if q.kind == "single" and all(o[key] for o in q.options)]
        hits = [q.line for q in chosen if _longest([o[key] for o in q.options]) == q.answer]
        if chosen or not language:
            figures.append(LongestFigure(file, language, len(hits), len(chosen),
                                         sum(1 / len(q.options) for q in chosen), tuple(hits)))
    return figures


def _words(text: str) -> set[str]:
    """What a text says, for comparing option with stem: the 2-character substrings of its
    Chinese, and its English words of four letters or more (a plural counted as singular)."""
    found = {run[i:i + 2] for run in HAN_RUN.findall(text) for i in range(len(run) - 1)}
    found |= {w.removesuffix("s") for w in ENGLISH_WORD.findall(text.lower())
              if w not in COMMON_WORDS}
    return found


def _stem_share(option: str, stem_words: set[str]) -> tuple[float, int]:
    """The share of the option's words that the stem has too, and how many they are."""
    own = _words(option)
    shared = len(own & stem_words)
    return (shared / len(own) if own else 0.0), shared


def _option_line(question: BankQuestion, raw: RawQuestion, index: int) -> int:
    return raw.option_lines[index] if index < len(raw.option_lines) else question.line


def cues(question: BankQuestion, raw: RawQuestion) -> list[Problem]:
    """Cues in one question: an option that sweeps up the others, and a single-choice key
    that repeats the stem markedly more than every distractor does."""
    found = []
    for index, option in enumerate(question.options):
        for key in LANGUAGES:
            if option[key] and SWEEPING.search(option[key]):
                found.append(Problem(question.file, _option_line(question, raw, index),
                                     f"option '{option[key]}' answers for the other options;"
                                     " write a real option instead"))
    if question.kind != "single":
        return found
    for key, language in LANGUAGES.items():
        stem = question.text if key == "text" else question.text_en
        if not stem or not all(option[key] for option in question.options):
            continue
        stem_words = _words(stem)
        shares = [_stem_share(option[key], stem_words) for option in question.options]
        share, shared = shares.pop(question.answer)
        best_distractor = max(other for other, _ in shares)
        if shared >= STEM_MIN_WORDS and share > best_distractor + STEM_MARGIN:
            found.append(Problem(
                question.file, _option_line(question, raw, question.answer),
                f"the key repeats the stem's words{f' ({language})' if language else ''} far"
                f" more than any distractor ({share:.0%} of its words, against at most"
                f" {best_distractor:.0%}); reword the key or the distractors"))
    return found


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
    seen, sound = [], []
    for raw in bank.questions:
        problems, question = validate(raw, name, bank.track)
        loaded.problems.extend(problems)
        seen.append((question, raw.line, raw.data.get("id")))
        if question is not None:
            sound.append(question)
            loaded.warnings.extend(cues(question, raw))
    figures = longest_figures(name, sound)
    loaded.figures.extend(figures)
    loaded.warnings.extend(figure.warning() for figure in figures if figure.cued)
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
    loaded.warnings = sorted(set(loaded.warnings))
    return loaded


def check(paths) -> list[Problem]:
    """Every problem in the bank files under `paths`, sorted by file and line."""
    return load(paths).problems
