"""ccgsearch: a Python client for ccg-searchd (standard library only).

    from ccgsearch import Client

    with Client("127.0.0.1", 7700) as c:
        r = c.search("joint accountable officer", ccg="Leicester City", facets=["role"])
        for hit in r.hits:
            print(hit.rank, hit.id, hit.title)

See clients/python/README.md and docs/protocol.md.
"""
from .client import (DEFAULT_CONNECT_TIMEOUT, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT,
                     FACETS, PIPELINE_WINDOW, CCGConnectionError, CCGError, Client, Document,
                     FacetCount, Hit, Pending, Pipeline, SearchResult, SimilarResult,
                     WhoAnswer, WhoDocument, WhoResult, search_request)

__version__ = "0.1.0"

__all__ = [
    "Client", "Pipeline", "Pending", "CCGError", "CCGConnectionError",
    "SearchResult", "Hit", "FacetCount", "Document", "SimilarResult",
    "WhoResult", "WhoAnswer", "WhoDocument", "search_request",
    "DEFAULT_HOST", "DEFAULT_PORT", "DEFAULT_CONNECT_TIMEOUT", "DEFAULT_TIMEOUT",
    "PIPELINE_WINDOW", "FACETS",
]
