"""The month a list is narrowed to from the query string (`?month=YYYY-MM`), as the
scorecards link to the rows behind a figure."""


def month_arg(args) -> str:
    """A "YYYY-MM" month from the query string, or "" for anything else."""
    raw = args.get("month", "")
    if len(raw) == 7 and raw[4] == "-" and raw[:4].isascii() and raw[:4].isdigit() and raw[5:].isascii() and raw[5:].isdigit() and \
            2000 <= int(raw[:4]) <= 2100 and 1 <= int(raw[5:]) <= 12:
        return raw
    return ""
