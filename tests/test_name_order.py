"""Chinese names sort by pinyin, as a dictionary or a phone's contacts do, not by code
point (张 U+5F20 comes before 李 U+674E by code point, after it by pinyin)."""
from sqlalchemy import insert, select

from portal.core.collation import sort_key
from portal.extensions import db
from portal.org.models import Partner
from portal.org.uscc import make_uscc
from tests.conftest import login


def in_page_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=html.index)


def test_partner_list_sorts_by_pinyin_and_follows_a_rename(client, make):
    admin = make.person("admin")
    for name in ("张江商贸", "李家商贸", "安心商贸"):
        make.partner(name)
    login(client, admin)
    names = ["张江商贸", "李家商贸", "安心商贸"]
    assert in_page_order(client.get("/partners").get_data(as_text=True), names) == [
        "安心商贸", "李家商贸", "张江商贸"]

    renamed = db.session.scalar(select(Partner).where(Partner.name == "安心商贸"))
    renamed.name = "赵氏商贸"
    db.session.commit()
    names[2] = "赵氏商贸"
    assert in_page_order(client.get("/partners").get_data(as_text=True), names) == [
        "李家商贸", "张江商贸", "赵氏商贸"]


def test_team_members_sort_by_surname_reading(client, make):
    partner = make.partner()
    team = make.team(partner, "一组")
    owner = make.person("owner", partner)
    for name in ("张伟", "曾敏", "陈静"):
        make.person("staff", partner, team, display_name=name)
    login(client, owner)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    # chen, zeng (曾 as a surname, not ceng), zhang
    assert in_page_order(html, ["张伟", "曾敏", "陈静"]) == ["陈静", "曾敏", "张伟"]


def test_rows_inserted_in_bulk_get_their_key(app):
    db.session.execute(insert(Partner.__table__).values(
        name="重庆渝中商贸", uscc=make_uscc(__import__("random").Random(3), "500103")))
    db.session.commit()
    stored = db.session.scalar(select(Partner.name_key).where(Partner.name == "重庆渝中商贸"))
    assert stored == "chong qing yu zhong shang mao"


def test_keys_read_words_and_phrases_as_people_do():
    assert sort_key("李明") < sort_key("梁")          # li ming before liang
    assert sort_key("重庆商贸") == "chong qing shang mao"  # the phrase, not zhong
    assert sort_key("曾小明", person=True) == "zeng xiao ming"
    assert sort_key("Alice 王") == "alice wang"
    assert sort_key("  ") == ""
