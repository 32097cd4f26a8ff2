"""Display names of the notification codes, translated."""
from flask_babel import lazy_gettext as _l

from portal.domains import notification_categories

CATEGORY_LABELS = notification_categories()
CHANNEL_LABELS = {"in_app": _l("In the portal"), "email": _l("By e-mail"),
                  "webhook": _l("In the chat group")}
KIND_LABELS = {"dingtalk": _l("DingTalk robot"), "wecom": _l("WeCom group robot"),
               "generic": _l("Generic JSON webhook")}
DELIVERY_STATUS_LABELS = {"pending": _l("Waiting"), "sending": _l("Sending"),
                          "sent": _l("Sent"), "failed": _l("Failed, will retry"),
                          "gave_up": _l("Gave up")}
