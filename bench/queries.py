"""Query count, status and size of each benchmark URL, through Django's test client.

Run by bench/run.py in a subprocess with the same environment as the server:

    python -m bench.queries /maps/bench/ /api/v1/projects/ …

prints one JSON object: {url: {"status": …, "queries": …, "bytes": …}}. Each URL
is fetched twice and the second fetch is counted, so with a cache the figure is
a warm hit, and with RESPONSE_CACHE=0 it is what the view itself runs.
"""

import json
import os
import sys


def measure(urls):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        results[url] = {
            "status": response.status_code,
            "queries": len(queries),
            "bytes": len(response.content),
        }
    return results


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealmap.settings")
    import django

    django.setup()
    print(json.dumps(measure(sys.argv[1:])))
