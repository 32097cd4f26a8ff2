"""Cues a test-wise taker could answer by: the check's per-bank figure and its warnings."""
import pytest
from click.testing import CliRunner

from portal.exams.bank.checker import CHANCE_FACTOR, bank_root, load
from portal.exams.bank.cli import quizzes
from portal.exams.bank.yaml_format import dump_bank
from tests.quizbank import line_of, write

# Four single-choice questions; in each the key (first) is much longer than the others.
LONG_KEYS = [
    ("客户报备的作用是什么？", ["让跟进责任清楚、公开，减少代理商之间撞单", "凑数", "应付检查", "方便报价"]),
    ("有效拜访的标准是什么？", ["见到能拍板的人，并约定了明确的下一步", "拍照", "打卡", "留名片"]),
    ("定目标要看哪三条线？", ["历史峰值、起跑线和根据市场测算的预测线", "感觉", "去年", "厂商"]),
    ("每天要记录的行为指标有几项？", ["四项：拜访量、有效拜访、新客户开发、二次跟进", "一项", "两项", "三项"]),
]


def question(number, text, options, answer=0, text_en=None, options_en=None):
    """A single-choice question shaped like the README's YAML; option `answer` is the key."""
    return {"id": f"staff-cue-{number:03d}", "kind": "single", "tags": ["sales-habits"],
            "text": text, "text_en": text_en,
            "options": [{"text": option, "text_en": options_en[i] if options_en else None,
                         "correct": i == answer} for i, option in enumerate(options)]}


def bank(tmp_path, questions, name="cues.yaml"):
    """Write the questions as a staff bank; return (path, YAML text)."""
    text = dump_bank("staff", None, questions)
    return write(tmp_path, "staff", name, text), text


def check(tmp_path):
    result = CliRunner().invoke(quizzes, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output  # warnings never fail the check
    return result.output


def warnings(output):
    return [line for line in output.splitlines() if ": warning: " in line]


def test_keys_always_longest_are_warned_with_the_figure(tmp_path):
    path, text = bank(tmp_path, [question(n, stem, options)
                                 for n, (stem, options) in enumerate(LONG_KEYS, 1)])
    output = check(tmp_path)
    name = path.resolve().as_posix()
    assert (f"{name}: longest option is the key in 4 of 4 single-choice questions"
            " (chance ≈ 1)") in output
    [warning] = warnings(output)
    assert warning.startswith(f"{name}:{line_of(text, '- id: staff-cue-001')}: warning:"
                              " the key is the longest option in 4 of 4")
    assert "1.5 × chance" in warning
    assert "lines " + ", ".join(str(line_of(text, f"- id: staff-cue-00{n}"))
                                for n in range(1, 5)) in warning
    assert "1 warning(s)" in output


def test_a_bank_whose_longest_option_varies_has_no_warning(tmp_path):
    # The key is the longest option in the first question only: 1 of 4, chance 1.
    questions = [question(1, *LONG_KEYS[0])]
    questions += [question(n, stem, options, answer=1)
                  for n, (stem, options) in enumerate(LONG_KEYS[1:], 2)]
    path, _ = bank(tmp_path, questions)
    output = check(tmp_path)
    assert "longest option is the key in 1 of 4 single-choice questions" in output
    assert warnings(output) == [] and "warning(s)" not in output


def test_english_options_get_their_own_figure_and_warning(tmp_path):
    # Chinese options of equal length, English keys always the longest.
    questions = [question(n, f"第{n}题：哪一项正确？", ["选项甲", "选项乙", "选项丙"],
                          text_en=f"Question {n}: which is right?",
                          options_en=["The right answer, with all its detail", "No", "Maybe"])
                 for n in range(1, 5)]
    path, _ = bank(tmp_path, questions)
    output = check(tmp_path)
    assert ("longest option is the key in 0 of 4 single-choice questions (chance ≈ 1.33);"
            " English 4 of 4") in output
    [warning] = warnings(output)
    assert "the key is the longest option (English) in 4 of 4" in warning


def test_too_few_questions_give_a_figure_but_no_warning(tmp_path):
    bank(tmp_path, [question(n, stem, options) for n, (stem, options)
                    in enumerate(LONG_KEYS[:3], 1)])
    output = check(tmp_path)
    assert "longest option is the key in 3 of 3" in output and warnings(output) == []


@pytest.mark.parametrize("sweeping", ["以上都是", "以上皆是", "以上全部", "以上都不是",
                                      "以上选项均不正确", "All of the above",
                                      "none of the above"])
def test_an_option_answering_for_the_others_is_warned_at_its_line(tmp_path, sweeping):
    options = ["拜访量", "有效拜访", "二次跟进", sweeping]
    path, text = bank(tmp_path, [question(1, "以下哪项是每日行为指标？", options, answer=3)])
    [warning] = warnings(check(tmp_path))
    assert warning == (f"{path.resolve().as_posix()}:{line_of(text, sweeping)}: warning:"
                       f" option '{sweeping}' answers for the other options; write a real"
                       " option instead")


def test_an_option_that_merely_starts_with_above_is_not_warned(tmp_path):
    options = ["以上季度的 200 万为目标", "以历史峰值 300 万为目标", "以预测线 260 万为目标"]
    bank(tmp_path, [question(1, "本季度目标怎么定？", options, answer=2)])
    assert warnings(check(tmp_path)) == []


STEM = "客户报备以后，在保护期内由谁负责跟进这位客户？"


def test_a_key_repeating_the_stem_is_warned(tmp_path):
    options = ["保护期内由报备的人负责跟进这位客户", "由厂商统一安排", "谁先签单就归谁", "主管临时指定"]
    path, text = bank(tmp_path, [question(1, STEM, options)])
    [warning] = warnings(check(tmp_path))
    assert warning.startswith(f"{path.resolve().as_posix()}:{line_of(text, options[0])}:"
                              " warning: the key repeats the stem's words far more than any"
                              " distractor")


def test_a_key_no_closer_to_the_stem_than_its_distractors_is_not_warned(tmp_path):
    options = ["保护期内由报备的人负责跟进这位客户", "保护期内由厂商指定负责跟进的人",
               "保护期内谁先签单，客户就由谁跟进", "保护期内由主管临时指定人跟进客户"]
    bank(tmp_path, [question(1, STEM, options)])
    assert warnings(check(tmp_path)) == []


def test_a_key_repeating_the_stem_in_english_is_warned(tmp_path):
    options_en = ["The person who registered the customer follows up during protection",
                  "Head office decides", "Whoever signs first", "The lead picks someone"]
    bank(tmp_path, [question(1, STEM, ["甲", "乙", "丙", "丁"],
                             text_en="After registration, who follows up the customer during"
                                     " the protection period?", options_en=options_en)])
    [warning] = warnings(check(tmp_path))
    assert "the key repeats the stem's words (English)" in warning


def test_shipped_banks_have_no_cue_and_print_their_figures():
    loaded = load([bank_root()])
    assert loaded.problems == [] and loaded.warnings == []
    for figure in loaded.figures:
        print(figure.file, figure.language or "Chinese", figure)
        assert figure.hits <= CHANCE_FACTOR * figure.chance, figure
    files = {q.file for q in loaded.questions if q.kind == "single"}
    assert {f.file for f in loaded.figures if f.language == ""} >= files
    assert {f.file for f in loaded.figures if f.language == "English"} >= files
    output = CliRunner().invoke(quizzes, ["check"]).output
    assert warnings(output) == []
    assert all(f"{file}: longest option is the key in " in output for file in files)
