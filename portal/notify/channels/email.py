"""E-mail through the SMTP server configured in `instance/config.py` (SMTP_* settings)."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from portal.notify.channels import Message, SendError

TIMEOUT = 10


def compose(message: Message, sender: str, to: str, text: str) -> EmailMessage:
    """A UTF-8 plain-text e-mail; Chinese subjects are encoded per RFC 2047."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = format_datetime(message.sent_at)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(text)
    return mail


def send(config, mail: EmailMessage) -> int:
    """Hand `mail` to the SMTP server; returns the server's 250 or raises SendError."""
    host, port = config["SMTP_HOST"], int(config.get("SMTP_PORT") or 0)
    use_ssl = bool(config.get("SMTP_SSL"))
    connect = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    try:
        with connect(host, port or (465 if use_ssl else 25), timeout=TIMEOUT) as smtp:
            if config.get("SMTP_STARTTLS") and not use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(mail)
    except smtplib.SMTPResponseException as error:
        raise _refusal(error.smtp_code, error.smtp_error) from error
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise _refusal(code, reply) from error
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(f"SMTP: {error or type(error).__name__}") from error
    return 250


def _refusal(code: int, reply) -> SendError:
    detail = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return SendError(f"SMTP {code}: {detail}", code)
