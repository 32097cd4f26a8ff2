"""Chinese first, English one click away, and no string left untranslated."""
import re

from babel.messages.pofile import read_po

from scripts import i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog():
    with i18n.PO.open("rb") as fh:
        return read_po(fh, locale="zh")


def test_every_message_in_the_code_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    i18n.extract(pot)
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    translated = {m.id for m in _catalog() if m.id and m.string}
    missing = sorted(wanted - translated)
    assert not missing, "run `python scripts/i18n.py update` and translate: " + repr(missing)


def _first(text):
    return text[0] if isinstance(text, (tuple, list)) else text


def test_translations_keep_their_placeholders():
    wrong = [m.id for m in _catalog() if m.id and _first(m.string)
             and set(PLACEHOLDER.findall(_first(m.id)))
             != set(PLACEHOLDER.findall(_first(m.string)))]
    assert not wrong


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "登录" in page and "Log in" not in page


def test_language_toggle_switches_to_english_and_back(client):
    client.post("/lang/en", data={"next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page
    client.post("/lang/zh", data={"next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_language_toggle_refuses_foreign_redirects(client):
    response = client.post("/lang/en", data={"next": "//evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_unknown_language_is_404(client):
    assert client.post("/lang/xx").status_code == 404
