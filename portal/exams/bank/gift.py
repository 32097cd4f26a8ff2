"""Moodle's GIFT format, the common subset, read into README-shaped questions.

Supported: `//` comments, `$CATEGORY:` lines (skipped), `::title::` (dropped), a `[format]`
prefix (dropped), one answer block `{...}` per question, at the end or in the middle of
the text (the gap becomes `____`), `=right ~wrong` (single choice), `~%50%a ~%-50%b`
weights without any `=` (multiple choice, partial scoring: positive weights are the
correct options and must be equal, since every correct option earns an equal share
here; negative weights become the fixed penalty of the README), `{T}`/`{F}`/`{TRUE}`/
`{FALSE}`, `{=a =b}` (fill), per-answer `#feedback` (dropped), general `####feedback`
(kept as the explanation) and the escapes `\\: \\~ \\= \\# \\{ \\} \\\\ \\n`.
Matching, numeric and essay questions are reported as problems at their line."""
import bisect
import re

from portal.exams.bank.questions import Problem, RawQuestion

FORMAT_PREFIX = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
GAP = "____"
# Positive weights closer than this (in percent) count as equal: 33.33333 three times.
WEIGHT_TOLERANCE = 0.1


class GiftError(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped `target` at or after `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(target, i):
            return i
        else:
            i += 1
    return -1


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append("\n" if text[i + 1] == "n" else text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out).strip()


def _chunks(text: str):
    """Each question as (its lines' numbers, its text); blank lines separate questions."""
    numbers, lines = [], []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//") or stripped.startswith("$CATEGORY:"):
            continue
        if not stripped:
            if lines:
                yield numbers, "\n".join(lines)
                numbers, lines = [], []
            continue
        numbers.append(number)
        lines.append(line)
    if lines:
        yield numbers, "\n".join(lines)


def _answers(block: str, base: int) -> list[tuple[str, float | None, str, int]]:
    """Split an answer block into (marker, weight, text, offset) at unescaped = and ~."""
    marks = sorted(i for i in (_all(block, "=") + _all(block, "~")))
    if not marks or block[:marks[0]].strip():
        raise GiftError(base, "an answer block holds answers starting with = or ~")
    answers = []
    for start, end in zip(marks, marks[1:] + [len(block)]):
        body = block[start + 1:end]
        weight = WEIGHT.match(body)
        if weight:
            body = body[weight.end():]
        feedback = _find(body, "#")
        text = _unescape(body if feedback < 0 else body[:feedback])
        answers.append((block[start], float(weight.group(1)) if weight else None, text,
                        base + start))
    return answers


def _all(text: str, target: str) -> list[int]:
    found, i = [], _find(text, target)
    while i >= 0:
        found.append(i)
        i = _find(text, target, i + 1)
    return found


def _choice(answers, offset: int) -> dict:
    """Single choice when any answer is marked `=`, else multiple with partial scoring."""
    if any(marker == "=" for marker, *_ in answers):
        for marker, weight, _, at in answers:
            if marker == "~" and weight and weight > 0:
                raise GiftError(at, "partial credit on a single-choice answer is not supported")
            if marker == "=" and weight not in (None, 100):
                raise GiftError(at, "a right answer (=) must be worth 100%")
        return {"kind": "single", "options": [{"text": text, "correct": marker == "="}
                                              for marker, _, text, _ in answers]}
    positive = [weight for _, weight, _, _ in answers if weight and weight > 0]
    if positive and max(positive) - min(positive) > WEIGHT_TOLERANCE:
        raise GiftError(offset, "correct options with different weights are not supported;"
                                " each correct option earns an equal share")
    return {"kind": "multiple", "scoring": "partial",
            "options": [{"text": text, "correct": bool(weight and weight > 0)}
                        for _, weight, text, _ in answers]}


def _kind_of_block(block: str, base: int) -> tuple[dict, list[int]]:
    """The kind-specific fields of an answer block, and the offset of each option."""
    general = _find(block, "####")
    explanation = _unescape(block[general + 4:]) if general >= 0 else None
    body = block if general < 0 else block[:general]
    head = body[:_find(body, "#")] if _find(body, "#") >= 0 else body
    fields = {"explanation": explanation} if explanation else {}
    if not body.strip():
        raise GiftError(base, "essay questions ({}) are not supported")
    if body.strip().startswith("#"):
        raise GiftError(base, "numeric questions ({#...}) are not supported")
    if _find(body, "->") >= 0:
        raise GiftError(base, "matching questions (->) are not supported")
    if head.strip().upper() in TRUEFALSE:
        return {**fields, "kind": "truefalse", "answer": TRUEFALSE[head.strip().upper()]}, []
    answers = _answers(body, base)
    offsets = [at for *_, at in answers]
    if any(marker == "~" for marker, *_ in answers):
        return {**fields, **_choice(answers, base)}, offsets
    for _, weight, _, at in answers:
        if weight not in (None, 100):
            raise GiftError(at, "partial credit on a fill-in answer is not supported")
    return {**fields, "kind": "fill", "answers": [text for _, _, text, _ in answers]}, []


def _question(chunk: str) -> tuple[dict, dict[str, int], list[int]]:
    """One question's fields, the offset of each field and of each option."""
    start = len(chunk) - len(chunk.lstrip())
    if chunk.startswith("::", start):
        end = _find(chunk, "::", start + 2)
        if end < 0:
            raise GiftError(start, "the title ::...:: is not closed")
        start = end + 2
    prefix = FORMAT_PREFIX.match(chunk[start:])
    if prefix:
        start += prefix.end()
    opening = _find(chunk, "{", start)
    if opening < 0:
        raise GiftError(start, "no answer block {...}; descriptions are not supported")
    closing = _find(chunk, "}", opening + 1)
    if closing < 0:
        raise GiftError(opening, "the answer block { is not closed with }")
    if _find(chunk, "{", closing + 1) >= 0:
        raise GiftError(_find(chunk, "{", closing + 1), "only one answer block per question")
    after = chunk[closing + 1:]
    # The spaces the author left around a gap are kept: Chinese usually has none.
    text = _unescape(chunk[start:opening] + (GAP + after if after.strip() else ""))
    fields, options = _kind_of_block(chunk[opening + 1:closing], opening + 1)
    return {"text": text, **fields}, {"text": start, "options": opening, "answer": opening,
                                      "answers": opening}, options


def parse_gift(text: str, file: str) -> tuple[list[RawQuestion], list[Problem]]:
    """Questions of a GIFT file (without id or tags) and the problems found."""
    questions, problems = [], []
    for numbers, chunk in _chunks(text):
        starts = [0] + [i + 1 for i, c in enumerate(chunk) if c == "\n"]

        def line_at(offset: int) -> int:
            return numbers[bisect.bisect_right(starts, offset) - 1]
        try:
            data, fields, options = _question(chunk)
        except GiftError as exc:
            problems.append(Problem(file, line_at(exc.offset), str(exc)))
            continue
        questions.append(RawQuestion(
            data=data, line=numbers[0], lines={k: line_at(v) for k, v in fields.items()},
            option_lines=[line_at(offset) for offset in options]))
    return questions, problems
