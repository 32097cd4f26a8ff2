"""The README's YAML format: read a bank file keeping the line of every field, and write
imported questions back in the same shape.

Reading goes through PyYAML's node API (`yaml.compose`) rather than `safe_load`, because
nodes carry their line and show duplicate keys, which a plain dict silently drops. Scalar
values of text fields are taken as written, so an English option `No` stays the word "No"
instead of turning into YAML 1.1's boolean false."""
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from portal.exams.bank.questions import Problem, RawQuestion

FILE_KEYS = ("track", "topic", "questions")
# Fields whose value is a number or a boolean; every other scalar is kept as text.
TYPED_KEYS = frozenset({"points", "correct", "answer"})
NULL_TAG = "tag:yaml.org,2002:null"
# Key order of a written question, as in the README.
WRITE_ORDER = ("id", "kind", "points", "scoring", "tags", "text", "text_en", "options",
               "answer", "answers", "explanation", "explanation_en")


@dataclass
class BankFile:
    """One file as read: its header, raw questions, and problems found while reading."""

    file: str
    track: str | None = None
    track_line: int = 1
    topic: str | None = None
    questions: list[RawQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _line(node) -> int:
    return node.start_mark.line + 1


class _Reader:
    def __init__(self, file: str):
        self.file, self.problems = file, []
        self.constructor = SafeConstructor()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def pairs(self, node: MappingNode) -> list[tuple[str, int, object]]:
        """(key, line, value node) of a mapping, reporting repeated and non-text keys."""
        seen, pairs = {}, []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(_line(key_node), "a key must be a plain word")
                continue
            key = key_node.value
            if key in seen:
                self.problem(_line(key_node), f"key '{key}' repeated (first on line {seen[key]})")
                continue
            seen[key] = _line(key_node)
            pairs.append((key, _line(key_node), value_node))
        return pairs

    def value(self, node, key: str = ""):
        """The Python value of a node; scalars of text fields stay the text as written."""
        if isinstance(node, ScalarNode):
            if node.tag == NULL_TAG:
                return None
            if key not in TYPED_KEYS:
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except yaml.YAMLError:
                self.problem(_line(node), f"'{key}' has a value YAML cannot read")
                return None
        if isinstance(node, SequenceNode):
            return [self.value(item, key) for item in node.value]
        return {k: self.value(v, k) for k, _, v in self.pairs(node)}

    def question(self, node) -> RawQuestion | None:
        if not isinstance(node, MappingNode):
            self.problem(_line(node), "a question must be a mapping starting with '- id: ...'")
            return None
        raw = RawQuestion(data={}, line=_line(node))
        for key, line, value_node in self.pairs(node):
            raw.data[key] = self.value(value_node, key)
            raw.lines[key] = line
            if key == "options" and isinstance(value_node, SequenceNode):
                raw.option_lines = [_line(item) for item in value_node.value]
        return raw


def read_text(text: str, file: str) -> BankFile:
    """Parse the text of one bank file; syntax and layout problems come back in `problems`."""
    bank = BankFile(file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.problem and exc.context and exc.context_mark:  # where the broken part began
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        bank.problems.append(Problem(file, mark.line + 1 if mark else 1, message))
        return bank
    except yaml.YAMLError as exc:
        bank.problems.append(Problem(file, 1, f"YAML error: {exc}"))
        return bank
    reader = _Reader(file)
    bank.problems = reader.problems
    if root is None:
        reader.problem(1, "the file is empty")
        return bank
    if not isinstance(root, MappingNode):
        reader.problem(_line(root), "a bank file is a mapping with track, topic and questions")
        return bank
    found = {}
    for key, line, value_node in reader.pairs(root):
        found[key] = line
        if key == "questions":
            if not isinstance(value_node, SequenceNode) or not value_node.value:
                reader.problem(line, "'questions' must be a non-empty list")
                continue
            questions = (reader.question(item) for item in value_node.value)
            bank.questions = [q for q in questions if q is not None]
        elif key in ("track", "topic"):
            value = reader.value(value_node, key)
            if not isinstance(value, (str, type(None))):
                reader.problem(line, f"'{key}' must be text")
            else:
                setattr(bank, key, value)
        else:
            reader.problem(line, f"unknown key '{key}' (expected {', '.join(FILE_KEYS)})")
    bank.track_line = found.get("track", 1)
    for key in ("track", "questions"):
        if key not in found:
            reader.problem(1, f"'{key}' is missing")
    return bank


class _Flow(list):
    """A list written inline, `[a, b]`, as the README writes tags and answers."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as the README does.
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    str, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data,
                                                      style="|" if "\n" in data else None))
_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data,
                                                          flow_style=True))


def _ordered(question: dict) -> dict:
    out = {key: question[key] for key in WRITE_ORDER if question.get(key) is not None}
    for key in ("tags", "answers"):
        if key in out:
            out[key] = _Flow(out[key])
    if "options" in out:
        out["options"] = [{k: v for k, v in option.items() if v not in (None, False)}
                          for option in out["options"]]
    return out


def dump_bank(track: str, topic: str | None, questions: list[dict]) -> str:
    """YAML text of a bank file in the README's layout, Chinese written as is."""
    header = {"track": track, **({"topic": topic} if topic else {})}
    text = yaml.dump(header, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    body = yaml.dump({"questions": [_ordered(q) for q in questions]}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=10_000, indent=2)
    # A blank line between questions, as a trainer would write them.
    body = body.replace("\n  - id:", "\n\n  - id:").replace("questions:\n\n", "questions:\n", 1)
    return text + body
