"""Links that keep what a visitor chose: the current query string with some parameters changed."""

from django.http import QueryDict


def link(path: str, query: QueryDict) -> str:
    """``path`` with ``query``, without a dangling ``?`` when it is empty."""
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


def query_url(path: str, params: QueryDict, **changes: str | None) -> str:
    """``path`` with ``params``, some replaced (or removed when None)."""
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return link(path, query)
