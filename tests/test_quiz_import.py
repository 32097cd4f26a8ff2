"""Importing Moodle GIFT and Aiken banks into the README's YAML format."""
import pytest

from portal.exams.bank.aiken import parse_aiken
from portal.exams.bank.checker import load
from portal.exams.bank.cli import quizzes
from portal.exams.bank.gift import parse_gift
from portal.exams.bank.importing import convert
from portal.exams.models import Question
from portal.extensions import db
from tests.quizbank import SERVICE, line_of, write

GIFT = """\
// 员工培训：销售习惯（从 Moodle 导出）
$CATEGORY: $course$/员工/销售习惯

::有效拜访::[html]下列哪一项最符合“有效拜访”？{
  =见到决策人并约定下一步#很好
  ~在门店停留超过十分钟#停留时间不是标准
  ~拍了门头照片
  ####有效拜访看结果：见到能拍板的人，并留下可跟进的下一步。
}

::行为指标:: 以下哪些属于每天要记录的行为指标？{
  ~%50%拜访量
  ~%50%有效拜访
  ~%-100%朋友圈点赞数
}

// 判断题
二次跟进只针对已成交的客户。{FALSE}

客户报备后享有一段独占跟进的时间，称为客户{=保护 =保护期}期。

报价单上写明"有效期\\: 7 天"是为了{=督促客户尽快决策 ~让价格更高 ~方便财务对账}。
"""

AIKEN = """\
客户分为 A、B、C 三类，
按什么来分？
A. 成交可能性和价值
B) 门店面积
C、 老板年龄
ANSWER: A

报备客户的保护期内，其他代理商可以做什么？
Ａ．正常拜访并报价
Ｂ．不得抢单，可向厂商申诉
ANSWER：B
"""


def convert_to(tmp_path, text, fmt, tag="habits", taken=()):
    result = convert(text, fmt, file=f"bank.{fmt}", track="staff", tag=tag, taken=set(taken))
    assert result.problems == []
    write(tmp_path, "staff", "imported.yaml", result.text)
    loaded = load([tmp_path])
    assert [str(p) for p in loaded.problems] == []
    return loaded.questions


def test_gift_sample_converts_and_passes_the_checker(tmp_path):
    single, multiple, truefalse, fill, gap = convert_to(tmp_path, GIFT, "gift")
    assert [q.key for q in (single, fill)] == ["staff-habits-001", "staff-habits-004"]
    assert (single.kind, single.answer, single.text) == ("single", 0,
                                                         "下列哪一项最符合“有效拜访”？")
    assert single.explanation == "有效拜访看结果：见到能拍板的人，并留下可跟进的下一步。"
    assert (multiple.kind, multiple.scoring, multiple.answer) == ("multiple", "partial", [0, 1])
    assert (truefalse.kind, truefalse.answer) == ("truefalse", False)
    assert (fill.text, fill.answer) == ("客户报备后享有一段独占跟进的时间，称为客户____期。",
                                        ["保护", "保护期"])
    assert gap.text == '报价单上写明"有效期: 7 天"是为了____。' and gap.kind == "single"
    assert all(q.tags == ["habits"] for q in (single, multiple, truefalse, fill, gap))


def test_aiken_sample_converts_and_passes_the_checker(tmp_path):
    first, second = convert_to(tmp_path, AIKEN, "aiken", tag="customer-classes",
                               taken={"staff-customer-classes-001"})
    assert (first.key, second.key) == ("staff-customer-classes-002", "staff-customer-classes-003")
    assert first.text == "客户分为 A、B、C 三类，\n按什么来分？"
    assert [o["text"] for o in first.options] == ["成交可能性和价值", "门店面积", "老板年龄"]
    assert (first.answer, second.answer) == (0, 1)
    assert second.options[1]["text"] == "不得抢单，可向厂商申诉"


def test_gift_escapes_and_truefalse_spellings():
    text = ("毛利 \\= 售价 − 进价。{T}\n\n区间 \\{100\\~200\\} 属中档。{true#对}\n\n"
            "“客户\\#1”必须先报备。{F####先报备，后跟进。}\n")
    questions, problems = parse_gift(text, "bank.gift")
    assert problems == []
    assert [(q.data["text"], q.data["answer"]) for q in questions] == [
        ("毛利 = 售价 − 进价。", True), ("区间 {100~200} 属中档。", True),
        ("“客户#1”必须先报备。", False)]
    assert questions[2].data["explanation"] == "先报备，后跟进。"
    assert [q.line for q in questions] == [1, 3, 5]


@pytest.mark.parametrize("block, fragment, message", [
    ("{=老板 -> 渠道老板成长营 =主管 -> 腰部力量}", "->", "matching questions"),
    ("{#3:1}", "{#3:1}", "numeric questions"),
    ("{}", "{}", "essay questions"),
    ("{\n  =30 天\n  ~%50%15 天\n}", "%50%", "partial credit on a single-choice answer"),
    ("{\n  ~%70%拜访量\n  ~%30%有效拜访\n}", "{", "different weights"),
    ("{=保护 =%50%保护期}", "%50%", "partial credit on a fill-in answer"),
    ("{=保护 ~保护期", "{=", "not closed"),
    ("", "", "no answer block"),
])
def test_unsupported_gift_questions_are_problems_at_their_line(block, fragment, message):
    question = "报备保护期是多少天？" + block + "\n"
    questions, problems = parse_gift(GIFT + "\n// 不支持的题型\n" + question, "bank.gift")
    assert len(questions) == 5
    [problem] = problems
    assert problem.line == len(GIFT.splitlines()) + 2 + line_of(question, fragment)
    assert message in problem.message


def test_gift_single_choice_with_two_right_answers_fails_the_validator():
    text = "哪些是行为指标？{=拜访量 =有效拜访 ~点赞数}\n"
    result = convert(text, "gift", file="bank.gift", track="staff", tag="habits", taken=set())
    assert [(p.line, p.message) for p in result.problems] == [
        (1, "a single-choice question needs exactly one correct option (found 2)")]
    assert result.text is None


@pytest.mark.parametrize("text, line, message", [
    ("客户分几类？\nA. 三类\nB. 五类\n", 1, "no 'ANSWER:' line"),
    ("客户分几类？\nA. 三类\nB. 五类\nANSWER: D\n", 4, "ANSWER D names no option"),
    ("A. 三类\nB. 五类\nANSWER: A\n", 1, "an option comes before its question"),
    ("客户分几类？\nA. 三类\nC. 五类\nANSWER: A\n", 3, "option C out of order"),
    ("客户分几类？\nA. 三类\n（见培训手册）\nANSWER: A\n", 3, "expected the next option"),
])
def test_aiken_problems_have_their_line(text, line, message):
    questions, problems = parse_aiken(AIKEN + "\n" + text, "bank.txt")
    offset = len(AIKEN.splitlines()) + 1
    assert len(questions) == 2
    assert [(p.line - offset, message in p.message) for p in problems] == [(line, True)]


def test_aiken_single_option_fails_the_validator():
    result = convert("保护期多久？\nA. 30 天\nANSWER: A\n", "aiken", file="b.txt", track="staff",
                     tag="local-service", taken=set())
    assert ["2 to 8 options" in p.message for p in result.problems] == [True]


@pytest.fixture
def runner(app):
    app.cli.add_command(quizzes)
    return app.test_cli_runner()


def test_import_command_writes_a_checkable_file_with_fresh_ids(runner, tmp_path):
    write(tmp_path, "staff", "service.yaml", SERVICE.replace("staff-service-001",
                                                             "staff-imported-001"))
    # A retired id lives only in the database and is never reused either.
    db.session.add(Question(key="staff-imported-002", track="staff", source_file="old.yaml",
                            source_line=1))
    db.session.commit()
    source = tmp_path / "moodle.gift"
    source.write_text("\ufeff" + GIFT, encoding="utf-8")
    out = tmp_path / "staff" / "moodle.yaml"
    args = ["quizzes", "import", str(source), "--format", "gift", "--track", "staff",
            "--tag", "imported", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "wrote 5 questions" in result.output
    assert "id: staff-imported-003" in out.read_text(encoding="utf-8")
    assert runner.invoke(args=["quizzes", "check", str(tmp_path)]).exit_code == 0
    assert runner.invoke(args=args).exit_code == 1  # never overwrites


def test_import_command_with_problems_writes_nothing(runner, tmp_path):
    source = tmp_path / "moodle.gift"
    source.write_text("匹配：{=老板 -> 渠道老板成长营}\n", encoding="utf-8")
    out = tmp_path / "staff" / "moodle.yaml"
    result = runner.invoke(args=["quizzes", "import", str(source), "--format", "gift",
                                 "--track", "staff", "--tag", "imported", "--out", str(out)])
    assert result.exit_code == 1
    assert "bank" not in result.output and ":1: matching questions" in result.output
    assert not out.exists()
