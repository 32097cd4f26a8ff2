"""Who may see and revoke API tokens: a person its own; the admin (and, reading only, the
auditor) everyone's. Revoking is a change: the token's holder or an admin."""
from portal.auth.models import ApiToken
from portal.core.access import change_rule, scope


@scope(ApiToken)
def token_scope(user):
    return ApiToken.user_id == user.id


@change_rule(ApiToken)
def change_token(user, token):
    return token.user_id == user.id
