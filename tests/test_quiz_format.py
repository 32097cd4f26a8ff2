"""The bank file format: what loads, and every problem at its file and line."""
from decimal import Decimal

import pytest
from click.testing import CliRunner

from portal.exams.bank.checker import bank_root, check, load
from portal.exams.bank.cli import quizzes
from tests.quizbank import HABITS, SERVICE, line_of, write


def where(path):
    return path.resolve().as_posix()


def problems_of(tmp_path, text, track="staff"):
    path = write(tmp_path, track, "bank.yaml", text)
    return [(p.line, p.message) for p in check([path])]


def test_valid_bank_loads_every_kind(tmp_path):
    write(tmp_path, "staff", "habits.yaml", HABITS)
    loaded = load([tmp_path])
    assert loaded.problems == []
    single, multiple, truefalse, fill = loaded.questions
    assert (single.kind, single.points, single.answer) == ("single", Decimal("2.00"), 0)
    assert single.text_en == 'Which of these best fits an "effective visit"?'
    assert single.options[0] == {"text": "见到决策人并约定下一步",
                                 "text_en": "Met the decision maker and agreed a next step"}
    assert single.options[1]["text_en"] == "No"  # a word, not YAML's boolean false
    assert single.explanation_en == "An effective visit is judged by its outcome."
    assert (multiple.scoring, multiple.answer, multiple.points) == ("partial", [0, 1],
                                                                    Decimal("3.00"))
    assert (truefalse.answer, truefalse.points, truefalse.scoring) == (False, Decimal("1.00"),
                                                                       "all_or_nothing")
    assert fill.answer == ["保护", "保护期"]
    assert fill.tags == ["local-service", "sales-habits"]
    assert loaded.tracks == {"staff"}
    assert loaded.summary()["tags"] == {"customer-classes": 1, "local-service": 1,
                                        "sales-habits": 3}


def test_duplicate_id_in_two_files_reports_both_locations(tmp_path):
    first = write(tmp_path, "staff", "habits.yaml", HABITS)
    again = SERVICE.replace("staff-service-001", "staff-habits-003")
    second = write(tmp_path, "staff", "service.yaml", again)
    found = {(p.file, p.line) for p in check([tmp_path]) if "duplicate id" in p.message}
    assert found == {(where(first), line_of(HABITS, "- id: staff-habits-003")),
                     (where(second), line_of(again, "- id: staff-habits-003"))}


def test_single_choice_without_correct_option_is_reported(tmp_path):
    text = HABITS.replace("        correct: true\n", "", 1)
    assert problems_of(tmp_path, text) == [
        (line_of(text, "options:"), "a single-choice question needs exactly one correct "
                                    "option (found 0)")]


def test_two_correct_options_on_single_point_at_the_second(tmp_path):
    text = HABITS.replace("      - text: 拍了门头照片", "      - {text: 拍了门头照片, correct: true}")
    assert problems_of(tmp_path, text) == [
        (line_of(text, "拍了门头照片"), "a single-choice question needs exactly one correct "
                                     "option (found 2)")]


def test_multiple_choice_without_correct_option_is_reported(tmp_path):
    text = HABITS.replace(", correct: true}", "}")
    [(line, message)] = problems_of(tmp_path, text)
    assert line == line_of(text, "options:", 2) and "at least one correct" in message


def test_unknown_kind_is_reported_at_its_line(tmp_path):
    text = HABITS.replace("kind: truefalse", "kind: essay")
    [(line, message)] = problems_of(tmp_path, text)
    assert line == line_of(text, "kind: essay") and "unknown kind 'essay'" in message


def test_yaml_syntax_error_gives_its_line(tmp_path):
    text = HABITS.replace("    answer: false", "    answer: [false")
    [(line, message)] = problems_of(tmp_path, text)
    # Reported where the parser gave up, naming the line where the broken list began.
    assert line == line_of(text, "- id: staff-habits-004")
    assert message.startswith("YAML syntax error") and f"on line {line_of(text, '[false')}" \
        in message


def test_track_must_match_the_folder(tmp_path):
    [(line, message)] = problems_of(tmp_path, HABITS, track="mid")
    assert line == 1 and "track 'staff' does not match the folder 'mid'" in message


@pytest.mark.parametrize("old, new, fragment, message", [
    ("topic: 销售习惯四项指标", "topic: x\nowner: 张三", "owner:", "unknown key 'owner'"),
    ("    points: 3", "    points: 3\n    difficulty: 2", "difficulty", "unknown key 'difficulty'"),
    ("id: staff-habits-003", "id: Staff_3", "Staff_3", "id 'Staff_3' must be"),
    ("      - text: 在门店停留超过十分钟\n        text_en: No\n      - text: 拍了门头照片\n", "",
     "options:", "2 to 8 options"),
    ("    answers: [保护, 保护期]", "    answers: [保护, '  ']", "answers:", "must be non-empty"),
    ("    answers: [保护, 保护期]", "    answers: []", "answers:", "non-empty list"),
    ("    text: 二次跟进只针对已成交的客户。", "    text: ''", "text: ''", "'text' is missing"),
    ("    answer: false", "    answer: 错", "answer: 错", "'answer: true' or 'answer: false'"),
    ("    kind: truefalse", "    kind: truefalse\n    scoring: all_or_nothing", "all_or_nothing",
     "'scoring' is only for multiple"),
    ("    points: 2", "    points: -2", "points: -2", "positive number"),
    ("    points: 2", "    points: 1.255", "points: 1.255", "at most two decimals"),
    ("    tags: [customer-classes]", "    tags: []", "tags: []", "non-empty list"),
    ("    tags: [customer-classes]", "    tags: [客户分类]", "客户分类", "lower-case letters"),
    ("    answer: false", "    answer: false\n    answer: true", "answer: true",
     "key 'answer' repeated"),
    ("      - text: 拍了门头照片", "      - text: 拍了门头照片\n        right: true", "拍了门头照片",
     "unknown option key 'right'"),
    ("      - text: 拍了门头照片", "      - text_en: photo", "text_en: photo", "option has no text"),
])
def test_each_rule_is_reported_at_its_line(tmp_path, old, new, fragment, message):
    assert old in HABITS
    text = HABITS.replace(old, new, 1)
    found = problems_of(tmp_path, text)
    assert any(line == line_of(text, fragment) and message in text_ for line, text_ in found), \
        found


def test_nine_options_are_too_many(tmp_path):
    options = "".join(f"      - text: 选项{n}\n" for n in range(8))
    text = HABITS.replace("      - text: 拍了门头照片\n", options)
    assert (line_of(text, "options:"), "a single question needs 2 to 8 options, not 10") \
        in problems_of(tmp_path, text)


def test_empty_and_headless_files_are_reported(tmp_path):
    assert problems_of(tmp_path, "") == [(1, "the file is empty")]
    assert (1, "'track' is missing") in problems_of(tmp_path, "questions: []\n")


def test_folder_without_bank_files_is_a_problem(tmp_path):
    (tmp_path / "staff").mkdir()
    assert [p.message for p in check([tmp_path])] == ["no .yaml files here"]


def test_check_command_prints_file_and_line_and_fails(tmp_path):
    text = HABITS.replace("kind: truefalse", "kind: essay")
    path = write(tmp_path, "staff", "habits.yaml", text)
    result = CliRunner().invoke(quizzes, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{where(path)}:{line_of(text, 'kind: essay')}: unknown kind 'essay'" in result.output


def test_check_command_summarises_a_sound_bank(tmp_path):
    write(tmp_path, "staff", "habits.yaml", HABITS)
    write(tmp_path, "staff", "service.yaml", SERVICE)
    result = CliRunner().invoke(quizzes, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "5 questions in 2 files" in result.output
    assert "staff 5" in result.output and "local-service 2" in result.output


def test_shipped_banks_pass_the_checker_with_25_questions_per_track():
    result = CliRunner().invoke(quizzes, ["check"])  # no path: the repository's quizzes/
    assert result.exit_code == 0, result.output
    loaded = load([bank_root()])
    assert loaded.tracks == {"boss", "mid", "staff"}
    counts = loaded.summary()["tracks"]
    assert all(counts.get(track, 0) >= 25 for track in ("boss", "mid", "staff")), counts
