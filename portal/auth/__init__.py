"""Accounts, roles, sessions that can be ended on the server, API tokens."""
