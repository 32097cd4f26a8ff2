"""TEMPORARY scaffold for the JSON API."""


def register(app):
    pass
