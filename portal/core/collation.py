"""Chinese names in the order people expect: by pinyin, as a dictionary or a phone's
contact list sorts them, not by Unicode code point (which puts 张 before 李 for no
reason a reader knows).

Each sortable name keeps a sort key beside it (`name_key`): the name's pinyin without
tones, one syllable per character separated by spaces, so "李明" (li ming) sorts before
"梁" (liang) as a character-by-character dictionary does. Latin letters and digits stay
as they are, in lower case. The key is written with the name (see `sort_key_of`), never
computed per request. pypinyin (its phrase dictionary reads 重庆 as chongqing and 银行
as yinhang) is imported on the first key, so processes that only read never load it."""
from functools import cache

from sqlalchemy import event

KEY_LENGTH = 512

# Surnames read differently from the same character elsewhere: 曾 is zeng as a surname
# (ceng in 曾经), 单 shan, 解 xie... Applied to the first character of a person's name.
SURNAMES = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
    "查": "zha", "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai",
    "尉": "yu", "种": "chong", "召": "shao", "折": "she", "秘": "bi", "繁": "po",
    "员": "yun", "柏": "bai", "沈": "shen", "薄": "bo", "过": "guo", "宓": "mi",
    "长": "chang", "重": "chong", "华": "hua", "万": "wan", "纪": "ji", "任": "ren",
}


@cache
def _pinyin():
    from pypinyin import Style, lazy_pinyin
    return lambda text: lazy_pinyin(text, style=Style.NORMAL, errors="default")


def sort_key(name: str | None, *, person: bool = False) -> str:
    """The sort key of `name`: lower-case toneless pinyin, syllables and words separated
    by single spaces; with `person`, a heteronym surname reads as a surname."""
    name = (name or "").strip()
    if not name:
        return ""
    head = ""
    if person and name[0] in SURNAMES:
        head, name = SURNAMES[name[0]], name[1:]
    words = [head] if head else []
    for part in _pinyin()(name) if name else ():
        words.extend(part.lower().split())
    return " ".join(words)[:KEY_LENGTH]


def sort_key_of(model, name_attribute: str, *, person: bool = False) -> None:
    """Keep `model.name_key` in step with `model.<name_attribute>`: set when the ORM
    assigns the name, and filled by the column default on Core inserts."""
    @event.listens_for(getattr(model, name_attribute), "set", retval=False)
    def _on_set(target, value, _old, _initiator):
        target.name_key = sort_key(value, person=person)


def key_default(name_column: str, *, person: bool = False):
    """A column default computing the key from the inserted row's name (Core inserts,
    bulk loads), for rows the ORM did not already give a key."""
    def default(context):
        return sort_key(context.get_current_parameters().get(name_column), person=person)
    return default
