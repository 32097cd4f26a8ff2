"""Fixed material for the demo data: Chinese names and the twelve demo partners."""
import random
from dataclasses import dataclass
from itertools import accumulate

# Ordered roughly by how common the surname is; earlier ones are drawn more often.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
            "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
            "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国文辉玲红鑫鹏宇浩然轩涵欣怡思远"
               "晨曦嘉佳俊雨萱博诗琪鸣志海燕丹婷雪梅晓东立新健斌亮波宁欢慧颖琳晶倩楠凯峰林玉"
               "婉凡航瑞睿泽梓子一天昊翔琦瑶露璐蓉琴莉萍彬")
_SURNAME_CUM_WEIGHTS = list(accumulate(len(SURNAMES) - rank for rank in range(len(SURNAMES))))

TEAM_NAMES = ("城东一组", "城西二组", "城南三组", "城北四组")
DEMO_PROVINCES = ("33", "32", "44")

# username, role, display name, province whose partners a channel manager looks after
PRINCIPAL_ACCOUNTS = (
    ("admin", "admin", "李静", None),
    ("cm_zj", "channel_manager", "周立强", "33"),
    ("cm_js", "channel_manager", "陈思远", "32"),
    ("cm_gd", "channel_manager", "黄志明", "44"),
    ("auditor", "auditor", "张敏", None),
)


class NameMaker:
    """Draws plausible Chinese personal names from a seeded random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def name(self) -> str:
        surname = self.rng.choices(SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
        # About a third of given names are a single character.
        length = 1 if self.rng.random() < 0.3 else 2
        return surname + "".join(self.rng.choice(GIVEN_CHARS) for _ in range(length))

    def phone(self) -> str:
        return "1" + self.rng.choice("3589") + "".join(
            self.rng.choice("0123456789") for _ in range(9))


@dataclass(frozen=True)
class DemoPartner:
    """One demo partner: `home` is the county it is registered in, `territories` lists
    (region code, exclusive) and `towns` names a county a few of whose towns it holds."""

    name: str
    home: str
    tier: str
    structure: str
    territories: tuple[tuple[str, bool], ...]
    towns: str | None = None
    status: str = "active"

    @property
    def province(self) -> str:
        return self.home[:2]


# Exclusive regions appear once in this list; shared ones may appear under two partners.
# Town territories come from counties no partner holds as a whole.
DEMO_PARTNERS = (
    DemoPartner("杭州西湖优选商贸有限公司", "330106", "A", "tight",
                (("330106", True), ("330102", True), ("330105", False))),
    DemoPartner("杭州钱塘智联科技有限公司", "330114", "B", "loose",
                (("330114", True), ("330105", False), ("330108", False)), towns="330109"),
    DemoPartner("宁波甬信商贸有限公司", "330212", "A", "tight",
                (("330212", True), ("330203", True), ("330206", False))),
    DemoPartner("温州瓯江渠道服务有限公司", "330302", "C", "loose",
                (("330302", True), ("330304", False)), status="suspended"),
    DemoPartner("南京金陵易达商贸有限公司", "320106", "A", "tight",
                (("320106", True), ("320102", False), ("320104", False))),
    DemoPartner("南京江宁恒通贸易有限公司", "320115", "B", "loose",
                (("320115", True), ("320104", False)), towns="320117"),
    DemoPartner("苏州姑苏云帆科技有限公司", "320508", "A", "tight",
                (("320508", True), ("320506", True), ("320576", False))),
    DemoPartner("无锡太湖锦程商贸有限公司", "320213", "C", "loose",
                (("320213", True), ("320211", False))),
    DemoPartner("广州天河汇众商贸有限公司", "440106", "A", "tight",
                (("440106", True), ("440104", False), ("440105", False))),
    DemoPartner("广州番禺粤盛贸易有限公司", "440113", "B", "loose",
                (("440113", True), ("440105", False)), towns="440115"),
    DemoPartner("深圳南山拓维科技有限公司", "440305", "A", "tight",
                (("440305", True), ("440306", True), ("440304", False))),
    DemoPartner("佛山顺德和丰商贸有限公司", "440606", "B", "loose",
                (("440606", True), ("440605", False))),
)

# Teams per partner by tier: (fewest, most).
TEAMS_BY_TIER = {"A": (3, 4), "B": (2, 3), "C": (2, 2)}
STAFF_PER_TEAM = (5, 12)
