"""Moodle's Aiken format (single choice only), read into README-shaped questions.

    下列哪一项最符合"有效拜访"？
    A. 见到决策人并约定下一步
    B. 在门店停留超过十分钟
    ANSWER: A

The question may run over several lines; options are lettered A, B, C... in order with
`A.` or `A)` (full-width `Ａ．`, `A、` and `A）` are accepted too, as Chinese editors
produce them); the `ANSWER:` line ends the question. Blank lines are ignored."""
import re
import unicodedata
from dataclasses import dataclass, field

from portal.exams.bank.questions import Problem, RawQuestion

OPTION = re.compile(r"([A-ZＡ-Ｚ])\s*[.)、．）]\s*(.+)")
ANSWER = re.compile(r"ANSWER\s*:\s*(\S+)", re.IGNORECASE)


@dataclass
class _Draft:
    line: int
    text: list[str]
    options: list[dict] = field(default_factory=list)
    option_lines: list[int] = field(default_factory=list)
    broken: bool = False  # a problem was reported: skip to its ANSWER line quietly


def _finish(draft: _Draft, letter: str, line: int, file: str) -> RawQuestion | Problem:
    index = ord(letter) - ord("A") if len(letter) == 1 and "A" <= letter <= "Z" else -1
    if not 0 <= index < len(draft.options):
        return Problem(file, line, f"ANSWER {letter} names no option of this question")
    draft.options[index]["correct"] = True
    return RawQuestion(data={"kind": "single", "text": "\n".join(draft.text),
                             "options": draft.options},
                       line=draft.line, lines={"options": draft.option_lines[0]},
                       option_lines=draft.option_lines)


def parse_aiken(text: str, file: str) -> tuple[list[RawQuestion], list[Problem]]:
    """Questions of an Aiken file (without id or tags) and the problems found."""
    questions, problems = [], []
    draft: _Draft | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        # ＡＮＳＷＥＲ：Ｂ reads as ANSWER: B; texts themselves keep their full-width commas.
        answer = ANSWER.fullmatch(unicodedata.normalize("NFKC", stripped))
        option = OPTION.fullmatch(stripped)
        letter = option and unicodedata.normalize("NFKC", option.group(1))
        if answer:
            if draft is None or not (draft.options or draft.broken):
                problems.append(Problem(file, number, "ANSWER: comes before any option"))
            elif not draft.broken:
                result = _finish(draft, answer.group(1).upper(), number, file)
                (problems if isinstance(result, Problem) else questions).append(result)
            draft = None
        elif draft is None:
            if option:
                problems.append(Problem(file, number, "an option comes before its question"))
                draft = _Draft(number, [], broken=True)
            else:
                draft = _Draft(number, [stripped])
        elif draft.broken:
            continue
        elif option and letter == chr(ord("A") + len(draft.options)):
            draft.options.append({"text": option.group(2).strip()})
            draft.option_lines.append(number)
        elif option and draft.options:
            expected = chr(ord("A") + len(draft.options))
            problems.append(Problem(file, number, f"option {letter} out of order"
                                                  f" (expected {expected})"))
            draft.broken = True
        elif draft.options:
            problems.append(Problem(file, number, "expected the next option or 'ANSWER: X'"))
            draft.broken = True
        else:
            draft.text.append(stripped)
    if draft is not None and not draft.broken:
        problems.append(Problem(file, draft.line, "the question has no 'ANSWER:' line"))
    return questions, problems
