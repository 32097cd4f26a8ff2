"""Helpers of the question-bank tests: bank files in a temporary folder, and the line on
which a piece of text sits (so tests name the line they expect by its content)."""
from pathlib import Path

# A staff bank with every kind: English texts, partial scoring, default and custom points.
HABITS = """\
track: staff
topic: 销售习惯四项指标
questions:
  - id: staff-habits-001
    kind: single
    points: 2
    tags: [sales-habits]
    text: 下列哪一项最符合"有效拜访"？
    text_en: Which of these best fits an "effective visit"?
    options:
      - text: 见到决策人并约定下一步
        text_en: Met the decision maker and agreed a next step
        correct: true
      - text: 在门店停留超过十分钟
        text_en: No
      - text: 拍了门头照片
    explanation: 有效拜访看结果：见到能拍板的人，并留下可跟进的下一步。
    explanation_en: An effective visit is judged by its outcome.

  - id: staff-habits-002
    kind: multiple
    scoring: partial
    points: 3
    tags: [sales-habits]
    text: 以下哪些属于每天要记录的行为指标？
    options:
      - {text: 拜访量, correct: true}
      - {text: 有效拜访, correct: true}
      - {text: 朋友圈点赞数}

  - id: staff-habits-003
    kind: truefalse
    tags: [customer-classes]
    text: 二次跟进只针对已成交的客户。
    answer: false

  - id: staff-habits-004
    kind: fill
    tags: [local-service, sales-habits]
    text: 客户报备后享有一段独占跟进的时间，称为客户____期。
    answers: [保护, 保护期]
"""

# A second, independent staff file.
SERVICE = """\
track: staff
questions:
  - id: staff-service-001
    kind: truefalse
    tags: [local-service]
    text: 本地化服务要求在约定时间内响应客户。
    answer: true
"""


def write(root: Path, track: str, name: str, text: str) -> Path:
    """Write `text` to root/track/name and return its path."""
    path = root / track / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th `fragment`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{fragment!r} not in the text")
