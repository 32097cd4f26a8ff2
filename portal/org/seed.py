"""Demo data for trying the portal out: `flask seed-demo` and `flask demo-accounts`.

The demo is one principal (admin, a channel manager per province, an auditor) and twelve
partners in Zhejiang, Jiangsu and Guangdong with territories, teams and about 300 people.
Every demo account shares one password; the account list lands in a CSV next to it.
Bulk benchmark data lives in `seed_scale`."""
import csv
import os
import random
import secrets
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import bindparam, delete, exists, inspect, or_, select, update

from portal.auth.models import PARTNER_ROLES, ROLES, User
from portal.auth.sessions import hash_password
from portal.core.audit import cli_actor
from portal.core import audit
from portal.core.clock import now
from portal.core.database import refresh_statistics
from portal.extensions import db
from portal.org.models import Partner, Region, Team, Territory
from portal.org.people import create_person
from portal.org.regions import load_regions
from portal.org.seed_names import (DEMO_PARTNERS, DEMO_PROVINCES, PRINCIPAL_ACCOUNTS,
                                   STAFF_PER_TEAM, TEAM_NAMES, TEAMS_BY_TIER, DemoPartner,
                                   NameMaker)
from portal.org.uscc import make_uscc

CSV_NAME = "demo-accounts.csv"
PASSWORD_NAME = "demo-password"
CSV_HEADER = ("username", "role", "partner", "team")
# Tables a reseed empties, with every table whose rows hang off them; regions are
# reference data and the audit log is append-only, so both stay.
ORG_TABLES = frozenset({"users", "teams", "territories", "partners", "login_sessions",
                        "api_tokens"})
# Kept through a wipe: reference data, the log, and the principal's published rules
# (a rule version outlives the demo admin who wrote it; its author is cleared).
# Published rules stay (their authors are cleared): a rule is the principal's, not demo data.
KEPT_TABLES = frozenset({"regions", "audit_log", "alembic_version", "visit_rules",
                         "health_rules", "registration_rules", "service_rules"})
INACTIVE_SHARE = 0.03


def output_dir() -> Path:
    """Where the demo password and account list are written (the instance folder)."""
    return Path(current_app.config.get("DEMO_OUTPUT_DIR") or current_app.instance_path)


def has_org_data() -> bool:
    """True when any partner or person exists."""
    return db.session.execute(select(or_(exists(select(Partner.id)),
                                         exists(select(User.id))))).scalar()


def wipe_org_data() -> dict[str, int]:
    """Delete partners, people and everything that refers to them; return rows per table."""
    connection = db.session.connection()
    present = set(inspect(connection).get_table_names())
    names = set(ORG_TABLES)
    grew = True
    while grew:  # follow foreign keys until no further table refers to the set
        grew = False
        for table in db.metadata.tables.values():
            if table.name in names or table.name in KEPT_TABLES:
                continue
            if any(fk.column.table.name in names for fk in table.foreign_keys):
                names.add(table.name)
                grew = True
    tables = [t for t in reversed(db.metadata.sorted_tables)
              if t.name in names and t.name in present]
    for table in db.metadata.sorted_tables:
        if table.name in KEPT_TABLES and table.name in present:
            pointing = [fk.parent for fk in table.foreign_keys if fk.column.table.name in names]
            if pointing:
                db.session.execute(update(table).values({c.name: None for c in pointing}))
    # Partners and teams point back at users (use_alter keys); break the cycle first.
    for table in tables:
        for constraint in table.foreign_key_constraints:
            if constraint.use_alter:
                db.session.execute(update(table).values(
                    {column.name: None for column in constraint.columns}))
    counts = {t.name: db.session.execute(delete(t)).rowcount for t in tables}
    db.session.expunge_all()
    audit.record("seed_demo_wipe", after=counts)
    return counts


def _staff_count(rng: random.Random) -> int:
    # Most teams are small and a few large, as in real partner agencies.
    low, high = STAFF_PER_TEAM
    return low + round(rng.triangular(0, high - low, 0))


def _towns(county: str, rng: random.Random, count: int = 3) -> list[str]:
    """A few towns and streets of `county`, leaving out development zones and farms."""
    codes = db.session.execute(select(Region.code).where(
        Region.parent_code == county, Region.level == "town").order_by(Region.code)).scalars()
    ordinary = [code for code in codes if int(code[-3:]) < 400]
    return sorted(rng.sample(ordinary, min(count, len(ordinary))))


def _add_partner(number: int, spec: DemoPartner, manager: User, rng: random.Random,
                 names: NameMaker, password_hash: str) -> list[tuple]:
    """Create one demo partner with territories, owner, teams and staff; return its accounts."""
    start = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
    partner = Partner(name=spec.name, uscc=make_uscc(rng, spec.home), tier=spec.tier,
                      structure=spec.structure, status=spec.status,
                      province_code=spec.province, channel_manager_id=manager.id,
                      contract_start=start,
                      contract_end=start.replace(year=start.year + 2) - timedelta(days=1))
    db.session.add(partner)
    db.session.flush()
    territories = list(spec.territories)
    if spec.towns:
        territories += [(code, True) for code in _towns(spec.towns, rng)]
    db.session.add_all(Territory(partner_id=partner.id, region_code=code, exclusive=exclusive)
                       for code, exclusive in territories)

    prefix = f"p{number:02d}"
    accounts = []

    def person(username, role, team=None):
        user = create_person(username=username, display_name=names.name(), role=role,
                             partner=partner, team=team, password_hash=password_hash,
                             phone=names.phone())
        accounts.append((username, role, partner.name, team.name if team else ""))
        return user

    person(f"{prefix}_owner", "owner")
    staff_seq = 0
    for index in range(rng.randint(*TEAMS_BY_TIER[spec.tier])):
        team = Team(partner_id=partner.id, name=TEAM_NAMES[index])
        db.session.add(team)
        db.session.flush()
        team.leader_id = person(f"{prefix}_manager_{index + 1}", "manager", team).id
        for _ in range(_staff_count(rng)):
            staff_seq += 1
            staff = person(f"{prefix}_staff_{staff_seq:03d}", "staff", team)
            # The first staff member stays active: it is the sample account shown.
            if staff_seq > 1 and rng.random() < INACTIVE_SHARE:
                staff.active = False
    return accounts


def demo_steps() -> list:
    """Every domain's `demo` step (`fn(rng) -> summary`), in the order of DOMAINS."""
    from portal.core.domains import load
    from portal.domains import DOMAINS
    return [load(domain.demo) for domain in DOMAINS if domain.demo]


def build_demo(rng: random.Random, password_hash: str) -> list[tuple]:
    """Add the whole demo organisation to the session; return (username, role, partner,
    team) per account."""
    managers, accounts = {}, []
    for username, role, display_name, province in PRINCIPAL_ACCOUNTS:
        user = create_person(username=username, display_name=display_name, role=role,
                             password_hash=password_hash)
        accounts.append((username, role, "", ""))
        if province:
            managers[province] = user
    names = NameMaker(rng)
    for number, spec in enumerate(DEMO_PARTNERS, start=1):
        accounts += _add_partner(number, spec, managers[spec.province], rng, names,
                                 password_hash)
    db.session.flush()
    _backdate_joining(rng)
    return accounts


def _backdate_joining(rng: random.Random) -> None:
    """People joined over the past two years, one in ten within the last quarter, so
    per-month figures (exam frequency, habits) have a history to count against; those
    deactivated left some time after joining (drawn from their own generator, so the
    rest of the demo stays as it was). Written as one executemany: these are the seed's
    own inserts, not changes to audit."""
    at, leaving = now(), random.Random(0)
    people = db.session.execute(select(User.id, User.active).where(
        User.role.in_(PARTNER_ROLES)).order_by(User.id)).all()
    rows = []
    for uid, active in people:
        days = rng.randint(5, 90) if rng.random() < 0.1 else rng.randint(240, 730)
        left = None if active else at - timedelta(days=leaving.randint(1, min(days - 1, 180)))
        rows.append({"uid": uid, "joined": at - timedelta(days=days), "left": left})
    if rows:
        table = User.__table__
        db.session.execute(table.update().where(table.c.id == bindparam("uid"))
                           .values(created_at=bindparam("joined"), left_at=bindparam("left")),
                           rows)


def write_accounts(folder: Path, accounts: list[tuple]) -> Path:
    path = folder / CSV_NAME
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(accounts)
    return path


def write_password(folder: Path, password: str | None) -> None:
    """Keep a generated password readable by the owner only; forget a stale one."""
    path = folder / PASSWORD_NAME
    if password is None:
        path.unlink(missing_ok=True)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    os.chmod(path, 0o600)  # the file may have existed with a wider mode


def show_accounts(folder: Path) -> bool:
    """Print one active sample account per role and the password; False if no demo."""
    path = folder / CSV_NAME
    rows = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    active = set(db.session.execute(select(User.username).where(
        User.username.in_([row["username"] for row in rows]),
        User.active.is_(True))).scalars()) if rows else set()
    samples = {}
    for row in rows:
        if row["username"] in active:
            samples.setdefault(row["role"], row)
    if not samples:
        click.echo("No demo data yet: run `flask --app app seed-demo`.")
        return False
    click.echo(f"Demo accounts, one per role (all {len(rows)} in {path}):")
    click.echo(f"  {'username':<16} {'role':<16} partner")
    for role in ROLES:
        if role in samples:
            row = samples[role]
            click.echo(f"  {row['username']:<16} {role:<16} {row['partner']}")
    password_file = folder / PASSWORD_NAME
    if password_file.exists():
        click.echo(f"Password for every demo account: {password_file.read_text().strip()}")
    else:
        click.echo("Password for every demo account: the one given with --password.")
    return True


@click.command("seed-demo")
@click.option("--password", help="Password for every demo account "
              "(default: a random one, saved to instance/demo-password).")
@click.option("--force", is_flag=True, help="Wipe partners, teams and people first.")
@click.option("--if-empty", is_flag=True,
              help="Exit quietly when partners or people already exist.")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Random seed; the same seed gives the same demo.")
@with_appcontext
def seed_demo(password, force, if_empty, seed):
    """Create the demo organisation: 12 partners and about 300 people."""
    cli_actor("seed-demo")
    if force and if_empty:
        raise click.UsageError("--force and --if-empty exclude each other.")
    if password is not None and len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    if has_org_data():
        if if_empty:
            # `make run` starts with this on every launch: show the accounts again.
            click.echo("Demo data already exists; nothing to do.")
            show_accounts(output_dir())
            return
        if not force:
            raise click.ClickException(
                "The database already holds partners or people. Use --force to wipe them "
                "and seed again, or --if-empty to leave them.")
        counts = wipe_org_data()
        click.echo(f"Wiped {sum(counts.values())} rows from {len(counts)} tables.")
    added = load_regions(db.session, provinces=None, towns=set(DEMO_PROVINCES))
    if added:
        click.echo(f"Loaded {added} regions.")
    secret = password or secrets.token_urlsafe(9)
    accounts = build_demo(random.Random(seed), hash_password(secret))
    db.session.commit()
    for step in demo_steps():
        # Each later domain adds its own lived-in data to the demo organisation.
        summary = step(random.Random(seed))
        db.session.commit()
        click.echo(summary)
    refresh_statistics()
    folder = output_dir()
    write_accounts(folder, accounts)
    write_password(folder, None if password else secret)
    click.echo(f"Created {len(DEMO_PARTNERS)} partners and {len(accounts)} accounts.")
    show_accounts(folder)


@click.command("demo-accounts")
@with_appcontext
def demo_accounts():
    """Show a sample demo account per role and the demo password."""
    cli_actor("demo-accounts")
    show_accounts(output_dir())

