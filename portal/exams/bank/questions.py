"""The rules every question obeys, whatever file format it came from.

Readers (YAML, GIFT, Aiken) turn their text into `RawQuestion`s shaped like the README's
YAML, each field with the line it was written on; `validate` checks one of them and, when
it is sound, returns the `BankQuestion` that `sync` stores."""
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from portal.exams.models import KINDS, SCORINGS

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{2,63}")
TAG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
QUESTION_KEYS = ("id", "kind", "points", "scoring", "tags", "text", "text_en", "options",
                 "answer", "answers", "explanation", "explanation_en")
OPTION_KEYS = ("text", "text_en", "correct")
CHOICE_KINDS = ("single", "multiple")
MIN_OPTIONS, MAX_OPTIONS = 2, 8
MAX_POINTS = Decimal("1000")
CENT = Decimal("0.01")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class RawQuestion:
    """A question as written: README-shaped `data`, the line it starts on, the line of each
    field and of each option (readers without finer positions repeat the start line)."""

    data: dict
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    option_lines: list[int] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass
class BankQuestion:
    """A checked question, ready to be stored as a version."""

    key: str
    track: str
    kind: str
    points: Decimal
    scoring: str
    tags: list[str]
    text: str
    text_en: str | None
    options: list[dict]
    answer: object
    explanation: str | None
    explanation_en: str | None
    file: str
    line: int

    def content(self) -> dict:
        """Everything a taker sees or is scored by: what the content hash covers."""
        return {"kind": self.kind, "points": self.points, "scoring": self.scoring,
                "text": self.text, "text_en": self.text_en, "options": self.options,
                "answer": self.answer, "explanation": self.explanation,
                "explanation_en": self.explanation_en}

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"), default=str)  # Decimal points
        return hashlib.sha256(canonical.encode()).hexdigest()


class _Report:
    """Collects the problems of one question, each at the line of the field at fault."""

    def __init__(self, raw: RawQuestion, file: str):
        self.raw, self.file, self.problems = raw, file, []

    def add(self, key_or_line, message: str) -> None:
        line = key_or_line if isinstance(key_or_line, int) else self.raw.line_of(key_or_line)
        self.problems.append(Problem(self.file, line, message))


def _text(value) -> str | None:
    """Stripped text, or None when absent or blank; non-text values are not text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError
    return value.strip() or None


def _optional_text(report: _Report, data: dict, key: str) -> str | None:
    try:
        return _text(data.get(key))
    except TypeError:
        report.add(key, f"'{key}' must be text")
        return None


def _points(report: _Report, data: dict) -> Decimal:
    value = data.get("points", 1)
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        report.add("points", "'points' must be a positive number")
        return Decimal(1)
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        report.add("points", "'points' must be a positive number")
        return Decimal(1)
    if not points.is_finite() or points <= 0 or points > MAX_POINTS:
        report.add("points", f"'points' must be a positive number up to {MAX_POINTS}")
    elif points != points.quantize(CENT):
        report.add("points", "'points' may have at most two decimals")
    else:
        return points.quantize(CENT)
    return Decimal(1)


def _tags(report: _Report, data: dict) -> list[str]:
    tags = data.get("tags")
    if not isinstance(tags, list) or not tags:
        report.add("tags", "'tags' must be a non-empty list, e.g. [sales-habits]")
        return []
    clean = []
    for tag in tags:
        if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag.strip()):
            report.add("tags", f"tag {tag!r} must be lower-case letters, digits and dashes")
        elif tag.strip() not in clean:
            clean.append(tag.strip())
    return clean


def _options(report: _Report, data: dict, kind: str) -> tuple[list[dict], list[int]]:
    """The options without their flags, and the indices of the correct ones."""
    options = data.get("options")
    if not isinstance(options, list):
        report.add("options" if "options" in data else "kind",
                   f"a {kind} question needs a list of options")
        return [], []
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        report.add("options", f"a {kind} question needs {MIN_OPTIONS} to {MAX_OPTIONS} options,"
                              f" not {len(options)}")
    clean, correct = [], []
    for index, option in enumerate(options):
        line = (report.raw.option_lines[index] if index < len(report.raw.option_lines)
                else report.raw.line_of("options"))
        if not isinstance(option, dict):
            report.add(line, "an option must be a mapping with 'text' (and 'correct: true')")
            continue
        for key in option:
            if key not in OPTION_KEYS:
                report.add(line, f"unknown option key '{key}' (expected text, text_en, correct)")
        try:
            text, text_en = _text(option.get("text")), _text(option.get("text_en"))
        except TypeError:
            report.add(line, "option 'text' and 'text_en' must be text")
            text = text_en = None
        if text is None:
            report.add(line, "option has no text")
        flag = option.get("correct", False)
        if not isinstance(flag, bool):
            report.add(line, "option 'correct' must be true or false")
        elif flag:
            correct.append(index)
        clean.append({"text": text, "text_en": text_en})
    return clean, correct


def _choice_answer(report: _Report, data: dict, kind: str):
    options, correct = _options(report, data, kind)
    if kind == "single" and len(correct) != 1 and options:
        # Point at the second correct option when there is one: that is usually the slip.
        lines = report.raw.option_lines
        where = lines[correct[1]] if len(correct) > 1 and correct[1] < len(lines) else "options"
        report.add(where, "a single-choice question needs exactly one correct option"
                          f" (found {len(correct)})")
    if kind == "multiple" and not correct and options:
        report.add("options", "a multiple-choice question needs at least one correct option")
    return options, (correct[0] if kind == "single" and correct else correct)


def _truefalse_answer(report: _Report, data: dict, kind: str):
    answer = data.get("answer")
    if not isinstance(answer, bool):
        report.add("answer" if "answer" in data else "kind",
                   "a truefalse question needs 'answer: true' or 'answer: false'")
    return [], bool(answer)


def _fill_answer(report: _Report, data: dict, kind: str):
    answers = data.get("answers")
    if not isinstance(answers, list) or not answers:
        report.add("answers" if "answers" in data else "kind",
                   "a fill question needs 'answers', a non-empty list of accepted answers")
        return [], []
    clean = []
    for answer in answers:
        if not isinstance(answer, str) or not answer.strip():
            report.add("answers", f"accepted answer {answer!r} must be non-empty text")
        elif answer.strip() not in clean:
            clean.append(answer.strip())
    return [], clean


# Each kind reads its options and answer: (options without flags, the stored answer).
ANSWER_READERS = {"single": _choice_answer, "multiple": _choice_answer,
                  "truefalse": _truefalse_answer, "fill": _fill_answer}
# Fields that belong to some kinds only: writing them elsewhere is a mistake worth a line.
KIND_ONLY = {"options": CHOICE_KINDS, "scoring": ("multiple",), "answer": ("truefalse",),
             "answers": ("fill",)}


def validate(raw: RawQuestion, file: str, track: str) -> tuple[list[Problem],
                                                                BankQuestion | None]:
    """Check one question; return its problems, and the stored form when there are none."""
    report = _Report(raw, file)
    data = raw.data
    for key in data:
        if key not in QUESTION_KEYS:
            report.add(key, f"unknown key '{key}' (expected one of {', '.join(QUESTION_KEYS)})")
    key = data.get("id")
    if key is None:
        report.add("id", "'id' is missing")
    elif not isinstance(key, str) or not ID_PATTERN.fullmatch(key):
        report.add("id", f"id {key!r} must be 3-64 lower-case letters, digits and dashes,"
                         " starting with a letter or digit")
    try:
        text = _text(data.get("text"))
    except TypeError:
        text = None
    if text is None:
        report.add("text", "'text' is missing or empty")
    text_en, explanation, explanation_en = (
        _optional_text(report, data, name) for name in ("text_en", "explanation",
                                                        "explanation_en"))
    points, tags = _points(report, data), _tags(report, data)
    kind = data.get("kind")
    options, answer = [], None
    if kind in KINDS:
        options, answer = ANSWER_READERS[kind](report, data, kind)
        for name, kinds in KIND_ONLY.items():
            if name in data and kind not in kinds:
                report.add(name, f"'{name}' is only for {' and '.join(kinds)} questions")
    else:
        found = f"unknown kind {kind!r}" if "kind" in data else "'kind' is missing"
        report.add("kind", f"{found} (expected one of {', '.join(KINDS)})")
    scoring = data.get("scoring", "all_or_nothing")
    if scoring not in SCORINGS:
        report.add("scoring", f"unknown scoring {scoring!r} (expected all_or_nothing or partial)")
    if report.problems:
        return report.problems, None
    return [], BankQuestion(key=key, track=track, kind=kind, points=points, scoring=scoring,
                            tags=tags, text=text, text_en=text_en, options=options,
                            answer=answer, explanation=explanation,
                            explanation_en=explanation_en, file=file, line=raw.line)
