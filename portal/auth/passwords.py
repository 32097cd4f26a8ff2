"""What will do as a password: the one rule for forms, the staff import, the password
change and an admin's reset."""
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

MIN_PASSWORD = 8
# zxcvbn's scores: 3 is "safely unguessable" against a throttled online attack and
# moderately against an offline one; its estimate of longer input adds little and costs,
# and the library refuses more than 72 characters outright (a ValueError).
STRONG_ENOUGH = 3
GUESS_CHECK_CHARS = 72


def password_problem(value: str | None, *, names=(), current_hash: str | None = None):
    """None when `value` will do as a password, else the message to show: long enough,
    not the person's username or name (`names`), not its current password, and not
    easy to guess by zxcvbn's estimate (common passwords and their variants, keyboard
    walks, repeats, dates, names: a score under STRONG_ENOUGH)."""
    if value is None or len(value) < MIN_PASSWORD:
        return _l("At least %(num)d characters.", num=MIN_PASSWORD)
    names = [n.strip() for n in names if n and n.strip()]
    if any(value.strip().lower() == n.lower() for n in names):
        return _l("Must not be your username or your name.")
    if current_hash and check_password_hash(current_hash, value):
        return _l("Must differ from the current password.")
    if zxcvbn(value[:GUESS_CHECK_CHARS], user_inputs=names)["score"] < STRONG_ENOUGH:
        return _l("Too easy to guess: avoid common passwords, keyboard patterns, names and "
                  "dates; three or four unrelated words work well.")
    return None
