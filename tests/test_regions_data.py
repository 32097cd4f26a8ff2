"""The bundled China region data and its loader, against an in-memory SQLite table."""
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

# Partner and Team refer to User by name; the ORM resolves every mapper in the
# registry at the first query, so User must be imported before any Session use.
import portal.auth.models  # noqa: F401
from portal.org.models import Region
from portal.org.regions import children, iter_regions, load_regions, region_path

MAINLAND_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
    "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
    "63", "64", "65",
}


def _empty_engine():
    engine = create_engine("sqlite://")
    Region.__table__.create(engine)
    return engine


@pytest.fixture(scope="module")
def engine():
    engine = _empty_engine()
    with engine.begin() as connection:
        load_regions(connection)
    return engine


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def _count(session, **filters):
    query = select(func.count()).select_from(Region).filter_by(**filters)
    return session.scalar(query)


def test_all_mainland_provinces_present(session):
    provinces = children(session, None)
    assert {region.code for region in provinces} == MAINLAND_PROVINCES
    assert all(region.level == "province" for region in provinces)
    assert [region.code for region in provinces] == sorted(MAINLAND_PROVINCES)


def test_every_level_is_populated(session):
    assert _count(session, level="province") == 31
    assert _count(session, level="city") > 300
    assert _count(session, level="county") > 2800
    assert _count(session, level="town") > 40000


def test_hangzhou_has_xihu_district(session):
    districts = children(session, "3301")
    assert ("330106", "西湖区") in [(region.code, region.name) for region in districts]
    assert [region.code for region in districts] == sorted(region.code for region in districts)
    assert children(session, "3301", level="town") == []


def test_zhejiang_has_towns(session):
    towns = session.scalars(select(Region).where(Region.level == "town",
                                                 Region.code.startswith("33"))).all()
    assert len(towns) > 1000
    assert all(len(town.code) == 9 for town in towns)


def test_every_region_has_an_existing_parent(session):
    rows = session.execute(select(Region.code, Region.level, Region.parent_code)).all()
    codes = {code for code, _, _ in rows}
    for code, level, parent in rows:
        if level == "province":
            assert parent is None
        else:
            assert parent in codes, code
            assert code.startswith(parent)


def test_municipality_city_named_after_province(session):
    assert session.get(Region, "1101").name == "北京市"
    assert session.get(Region, "3101").name == "上海市"
    assert {region.name for region in children(session, "50")} == {"重庆市"}


def test_region_path_of_a_town(session):
    town = children(session, "330106")[0]
    path = region_path(session, town.code)
    assert [region.level for region in path] == ["province", "city", "county", "town"]
    assert [region.name for region in path][:3] == ["浙江省", "杭州市", "西湖区"]
    assert path[-1].name == town.name


def test_region_path_of_unknown_code_is_empty(session):
    assert region_path(session, "999999") == []
    assert [region.code for region in region_path(session, "33")] == ["33"]


def test_loading_twice_inserts_nothing(engine):
    with engine.begin() as connection:
        assert load_regions(connection) == 0


def test_load_counts_match_data_file():
    engine = _empty_engine()
    expected = sum(1 for _ in iter_regions(provinces={"33", "11"}))
    with engine.begin() as connection:
        assert load_regions(connection, provinces={"33", "11"}, batch=700) == expected
    with Session(engine) as session:
        assert _count(session) == expected


def test_restrict_provinces_without_towns():
    engine = _empty_engine()
    with Session(engine) as session:
        inserted = load_regions(session, provinces={"33"}, towns=False)
        session.commit()
        assert inserted == _count(session)
        assert {code[:2] for code in session.scalars(select(Region.code))} == {"33"}
        assert _count(session, level="town") == 0
        assert _count(session, level="county") > 80


def test_towns_only_for_chosen_provinces():
    engine = _empty_engine()
    with Session(engine) as session:
        load_regions(session, provinces={"11", "33"}, towns={"11"})
        session.commit()
        town_provinces = set(session.scalars(
            select(func.substr(Region.code, 1, 2)).where(Region.level == "town")))
        assert town_provinces == {"11"}
        assert _count(session, level="county") > 90
        # Adding the rest later fills in the gaps without duplicating anything.
        added = load_regions(session, provinces={"33"})
        session.commit()
        assert added == _count(session, level="town") - sum(
            1 for row in iter_regions({"11"}) if row["level"] == "town")


def test_iter_regions_yields_parents_before_children():
    seen = set()
    for row in iter_regions(provinces={"44"}):
        assert set(row) == {"code", "name", "level", "parent_code"}
        assert row["parent_code"] is None or row["parent_code"] in seen
        seen.add(row["code"])
