"""Time requests in process, without HTTP: where the time of one page goes.

    .venv/bin/python -m bench.inprocess dealmap_bench_100k /maps/bench/ [requests]
    PROFILE=1 .venv/bin/python -m bench.inprocess dealmap_bench_100k /maps/bench/

Calls the WSGI application directly with make bench's server settings
(bench.run.server_env: production settings, PostgreSQL, Redis, RESPONSE_CACHE
from the environment, "0" by default: uncached) and prints the median and the
fastest time of the requests, after WARMUP (30, at least 1) to warm up, and the
process's peak resident size. With PROFILE=1 it prints a pyinstrument call tree
instead (`pip install pyinstrument` first). Run
`manage.py collectstatic` with DEBUG off once before: production settings need
the static files' manifest. Figures on a shared machine move by a third; compare
two versions of the code in the same minute.
"""

import io
import os
import resource
import statistics
import sys
import time


def setup(database):
    from bench import run

    variant = "cached" if os.environ.get("RESPONSE_CACHE", "0") == "1" else "uncached"
    os.environ.update(run.server_env(database, variant))
    os.environ["DJANGO_SETTINGS_MODULE"] = "dealmap.settings"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def request(app, url):
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    # Counted chunk by chunk, not joined: a streamed export's memory is what is measured.
    size = sum(map(len, app(environ, lambda line, headers, exc_info=None: status.append(line))))
    return status[0], size


def main(database, url, count=300):
    app = setup(database)
    for _ in range(max(1, int(os.environ.get("WARMUP", "30")))):
        status, size = request(app, url)
    print(f"{url}: {status}, {size:,} bytes")
    if os.environ.get("PROFILE"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(count):
            request(app, url)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
        return
    times = []
    for _ in range(count):
        started = time.perf_counter()
        request(app, url)
        times.append((time.perf_counter() - started) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{url}: {status}, {size:,} bytes, median {statistics.median(times):.2f} ms, "
        f"fastest {min(times):.2f} ms, peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main(sys.argv[1], sys.argv[2], *(int(n) for n in sys.argv[3:4]))
