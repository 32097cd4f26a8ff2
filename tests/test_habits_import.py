"""Importing a customer book from CSV: UTF-8 (with BOM) or GBK, Chinese or English
headers, towns by name or code, classes by their Chinese words, salespeople by username;
one bad row and nothing is imported, with its line and column named; duplicates inside
the file and against the book are errors; the owner alone imports."""
import io
import random

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.habits.models import Customer, CustomerClassChange
from portal.org.uscc import make_uscc
from tests.conftest import login
from tests.habiting import TOWN_A, TOWN_A2, customer, freeze

IMPORT = "/habits/customers/import"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Customer))


def _upload(client, text: str, encoding: str = "utf-8-sig"):
    return client.post(IMPORT, data={"file": (io.BytesIO(text.encode(encoding)),
                                              "customers.csv")},
                       content_type="multipart/form-data")


def _problems(answer) -> list[tuple[str, str]]:
    """(line, column) of each problem the page lists."""
    import re
    body = answer.get_data(as_text=True)
    table = body[body.index('id="problems"'):]
    return re.findall(r"<tr><td>(\d*)</td><td><code>([^<]*)</code></td>", table)


@pytest.fixture
def owner(client, world):
    freeze()
    login(client, world.a.owner)
    return world.a.owner


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_two_good_rows_with_chinese_headers_make_two_customers(client, world, owner, encoding):
    code = make_uscc(random.Random(11), "330102")
    text = ("名称,统一社会信用代码,镇街,地址,联系人,电话,类别,销售\r\n"
            f"西湖鲜果店,{code},清波街道,清波街 1 号,李老板,13800138000,未加入客户,staff_a\r\n"
            f"湖滨茶馆,,{TOWN_A2},,,,现有客户,\r\n")
    answer = _upload(client, text, encoding)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/habits/customers/")
    shops = {c.name: c for c in db.session.scalars(select(Customer))}
    assert set(shops) == {"西湖鲜果店", "湖滨茶馆"}
    fruit, tea = shops["西湖鲜果店"], shops["湖滨茶馆"]
    assert (fruit.uscc, fruit.town_code, fruit.klass, fruit.owner_id, fruit.contact_phone) == (
        code, TOWN_A, "prospect", world.a.staff.id, "13800138000")
    assert (tea.town_code, tea.klass, tea.owner_id) == (TOWN_A2, "existing", owner.id)
    reasons = db.session.scalars(select(CustomerClassChange.reason)).all()
    assert reasons == ["import", "import"]


def test_english_headers_and_codes_work_too(client, owner):
    answer = _upload(client, "name,town,klass,contact_phone\n甲店,330102001,new,0571-88888888\n",
                     "utf-8")
    assert answer.status_code == 302
    assert db.session.scalars(select(Customer)).one().klass == "new"


def test_a_bad_row_imports_nothing_and_names_its_line_and_column(client, owner):
    text = ("名称,镇街,电话\n"
            "甲店,清波街道,13800138000\n"
            "乙店,清波街道,call me\n"
            "丙店,北山街道,\n")  # B's town, outside A's territory
    answer = _upload(client, text)
    assert answer.status_code == 400 and _count() == 0
    assert _problems(answer) == [("3", "电话"), ("4", "镇街")]
    assert 'id="import-report"' in answer.get_data(as_text=True)


def test_every_bad_field_of_a_row_is_reported(client, owner):
    answer = _upload(client, "名称,统一社会信用代码,电话,类别,销售\n"
                             ",12345,call me,老客户,nobody\n")
    assert answer.status_code == 400 and _count() == 0
    assert set(_problems(answer)) == {("2", "名称"), ("2", "统一社会信用代码"), ("2", "电话"),
                                      ("2", "类别"), ("2", "销售")}


def test_duplicates_inside_the_file_and_against_the_book_are_errors(client, world, owner):
    code = make_uscc(random.Random(12), "330102")
    other = make_uscc(random.Random(13), "330102")
    customer(world.a.other_staff, "老张烟酒", town=TOWN_A, uscc=code)
    text = ("名称,统一社会信用代码,镇街\n"
            f"新店,{code},湖滨街道\n"         # the book's credit code
            "老张 烟酒有限公司,,清波街道\n"     # the book's name in the same town
            f"甲店,{other},湖滨街道\n"
            f"乙店,{other},湖滨街道\n"        # same code as line 4
            "甲店,,湖滨街道\n"               # same name and town as line 4
            "老张烟酒,,湖滨街道\n")           # another town: fine
    answer = _upload(client, text)
    assert answer.status_code == 400 and _count() == 1
    assert _problems(answer) == [("2", "统一社会信用代码"), ("3", "名称"),
                                 ("5", "统一社会信用代码"), ("6", "名称")]


def test_a_salesperson_of_another_partner_is_refused(client, world, owner):
    answer = _upload(client, f"名称,销售\n甲店,{world.b.staff.username}\n")
    assert answer.status_code == 400 and _problems(answer) == [("2", "销售")]
    assert _count() == 0


def test_unknown_or_repeated_columns_and_a_missing_name_are_refused(client, owner):
    answer = _upload(client, "地址,地址,颜色\n某路,某路,红\n")
    assert answer.status_code == 400 and _count() == 0
    assert [column for _line, column in _problems(answer)] == ["地址", "颜色", "名称 (name)"]


@pytest.mark.config(IMPORT_MAX_ROWS=2)
def test_a_file_over_the_row_limit_is_refused(client, owner):
    answer = _upload(client, "名称\n甲店\n乙店\n丙店\n")
    assert answer.status_code == 400 and _count() == 0 and _problems(answer) == [("", "file")]


def test_text_that_is_neither_utf8_nor_gbk_is_refused(client, owner):
    answer = client.post(IMPORT, data={"file": (io.BytesIO(b"\xff\xfe\x00\xd8bad"), "x.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 400 and _count() == 0


def test_the_template_has_the_chinese_header_with_a_bom(client, owner):
    page = client.get(IMPORT).get_data(as_text=True)
    assert 'id="template-link"' in page
    template = client.get("/habits/customers/import/template.csv")
    assert template.status_code == 200
    assert template.get_data().decode("utf-8-sig").startswith("名称,统一社会信用代码,镇街")
    assert template.get_data().startswith("\ufeff".encode())


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_only_the_owner_imports(app, world, who):
    client = app.test_client()
    login(client, getattr(world.a, who))
    assert client.get(IMPORT).status_code == 403
    assert client.get("/habits/customers/import/template.csv").status_code == 403
    assert _upload(client, "名称\n甲店\n").status_code == 403 and _count() == 0
    assert 'id="customer-import"' not in client.get("/habits/customers/").get_data(as_text=True)


def test_the_owner_sees_the_import_link(client, owner):
    assert 'id="customer-import"' in client.get("/habits/customers/").get_data(as_text=True)
