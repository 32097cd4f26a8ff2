"""Default settings. `instance/config.py`, then PORTAL_* environment variables and
DATABASE_URL override them (see `load_config`)."""
import os
import secrets
from pathlib import Path


class Defaults:
    SQLALCHEMY_DATABASE_URI = None  # filled in by load_config: instance/portal.db
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set PORTAL_SESSION_COOKIE_SECURE=1 behind HTTPS
    # Behind HTTPS in production: PORTAL_FORCE_HTTPS=1 redirects plain HTTP and sends
    # Strict-Transport-Security (HSTS) for HSTS_SECONDS.
    FORCE_HTTPS = False
    HSTS_SECONDS = 31536000
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # A login ends on the server after this many hours, however the cookie is kept.
    LOGIN_MAX_AGE_HOURS = 12
    # Password hashing; tests lower the cost, production keeps werkzeug's scrypt.
    PASSWORD_HASH_METHOD = "scrypt"

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")

    BOOTSTRAP_SERVE_LOCAL = True  # intranet: never fetch assets from a CDN
    WTF_CSRF_TIME_LIMIT = None

    RATELIMIT_STORAGE_URI = "memory://"  # use redis:// with several workers
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins from one address: sized for a partner office behind one address
    # (each account there has its own growing delay, portal.auth.throttle).
    LOGIN_LIMIT_PER_IP = "300 per 15 minutes"

    PAGE_SIZE = 25
    # Staff CSV import: every generated password is hashed inside the request.
    IMPORT_MAX_ROWS = 500
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    API_PAGE_SIZE_MAX = 200
    # Five broadcast attachments of up to 10 MB each fit in one request.
    MAX_CONTENT_LENGTH = 60 * 1024 * 1024
    BROADCAST_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    BROADCAST_ESCALATE_AFTER = 2  # reminders before the partner owner is told

    # Outgoing e-mail (off until SMTP_HOST is set) and chat webhooks.
    SMTP_HOST = None
    SMTP_PORT = 25
    SMTP_USER = None
    SMTP_PASSWORD = None
    SMTP_STARTTLS = False
    SMTP_SSL = False
    MAIL_FROM = None
    PUBLIC_URL = None  # e.g. https://portal.example.cn, makes links in e-mails absolute
    WEBHOOK_ALLOW_PRIVATE = False  # allow webhook hosts on private/loopback addresses
    NOTIFY_KEEP_DAYS = 180

    # Visits (portal.habits): what the server accepts and what it flags for a manager.
    VISIT_CLOCK_SKEW_MINUTES = 5  # a phone's clock may run this far ahead
    VISIT_MAX_AGE_DAYS = 7  # older visits are refused (the offline queue sends sooner)
    FOLLOW_UP_DAYS = 7  # a next step without a date is due this many days later
    VISIT_FLAG_DISTANCE_M = 1000  # farther from the customer's location: flagged
    VISIT_MAX_SPEED_KMH = 120  # faster between two of one person's visits: flagged
    VISIT_BACKDATED_HOURS = 24  # logged this long after the visit: back-dated
    VISIT_BURST_COUNT = 3  # this many back-dated visits within an hour: flagged
    VISIT_PHOTO_MAX_BYTES = 8 * 1024 * 1024
    VISIT_LEARN_ACCURACY_M = 200  # a customer's location is learned from a fix this good
    VISIT_MAX_ACCURACY_M = 5000  # a fix vaguer than this is no location at all

    # Orders and payments (portal.results): what the server accepts.
    RESULT_MAX_AMOUNT_YUAN = 10_000_000  # one order or payment above this is a typo
    RESULT_MAX_AGE_DAYS = 366  # older orders and payments are refused
    # Working days for targets' pace and forecast: Monday to Friday, less these
    # holidays ("2026-10-01", …); days in WORKDAYS are worked although at a weekend.
    HOLIDAYS: tuple[str, ...] = ()
    WORKDAYS: tuple[str, ...] = ()

    API_TITLE = "Channel-partner enablement portal API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


def _coerce(value: str):
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    return value


SQLITE_POOL_SIZE, SQLITE_POOL_OVERFLOW = 20, 60


def load_config(app, overrides: dict | None = None) -> None:
    """Apply defaults, instance/config.py, environment, then `overrides` (tests)."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key, value in os.environ.items():
        if key.startswith("PORTAL_"):
            app.config[key[len("PORTAL_"):]] = _coerce(value)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = "sqlite:///" + str(Path(app.instance_path) / "portal.db")
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        # SQLite connections are cheap and its writers queue on the database lock anyway;
        # a small pool would make a threaded server's requests time out waiting for a
        # connection instead (seen at 1,000 exam takers under `flask run`).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("pool_size", SQLITE_POOL_SIZE)
        options.setdefault("max_overflow", SQLITE_POOL_OVERFLOW)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _instance_secret(instance: Path) -> str:
    """Read instance/secret_key, creating it with a random key on first start."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()
