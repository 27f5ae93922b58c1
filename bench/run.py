"""`make bench`: load-test the site with gunicorn and wrk at several data sizes.

For each size in BENCH_SIZES (default "35 2500 100000") it makes sure PostgreSQL,
Redis and wrk are there (installing or starting them, and saying so), fills
dealmap_bench_<size> with bench/generate.py unless it holds that size already,
serves the site with gunicorn and production settings on 127.0.0.1, and drives
each URL with wrk, once with the whole-response cache off ("uncached":
RESPONSE_CACHE=0, every request runs the view) and once with it on ("cached").
Both use Redis for the rest, as production does: the content version, the
counts and facets kept per version, the rate-limit counters. A static file of
the API list's size, served by whitenoise through the same gunicorn, is the
ceiling every figure is divided by.

Results go to stdout and, between the markers, into docs/benchmarks.md.
Environment: BENCH_SIZES, BENCH_DURATION (s per URL, default 10, split into
BENCH_ROUNDS rounds, default 3, each beside a round of the static file),
BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_WORKERS (gunicorn workers, 2),
BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_REDIS (redis://127.0.0.1:6379/5).
"""

import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "35 2500 100000").split()]
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
# Each URL's time is split into rounds, in turns with the static file (load_pair).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
PORTS = {"uncached": 8501, "cached": 8502}
RESPONSE_CACHE = {"uncached": "0", "cached": "1"}
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
# Sizes the harness looks up when a page is missing: the figure to divide by still exists.
FALLBACK_CEILING_BYTES = 20_000


def say(message):
    print(f"[bench] {message}", flush=True)


# --- what the machine needs -------------------------------------------------------------


def apt_install(*packages):
    say(f"installing {' '.join(packages)} with apt-get")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def ensure_postgres():
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
        return
    if not shutil.which("pg_ctlcluster"):
        apt_install("postgresql", "postgresql-contrib")
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])
    say(f"starting PostgreSQL {version[-1]}")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version[-1], "main", "start"], check=False
    )
    wait_for(
        lambda: (
            subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0
        ),
        "PostgreSQL",
    )


def ensure_redis():
    if not shutil.which("redis-server"):
        apt_install("redis-server")
    if subprocess.run(["redis-cli", "ping"], capture_output=True, check=False).returncode == 0:
        return
    say("starting redis-server")
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1"], check=True)
    wait_for(
        lambda: (
            subprocess.run(["redis-cli", "ping"], capture_output=True, check=False).returncode == 0
        ),
        "Redis",
    )


def ensure_wrk():
    if not shutil.which("wrk"):
        apt_install("wrk")


def wait_for(ready, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.3)
    raise SystemExit(f"[bench] {what} did not come up within {seconds} s")


# --- the data ---------------------------------------------------------------------------


def db_name(size):
    return f"dealmap_bench_{size // 1000}k" if size >= 100_000 else f"dealmap_bench_{size}"


def server_env(database, variant="uncached"):
    """Production settings, as the README's Production section runs them."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"{PG}/{database}",
        "CACHE_URL": REDIS,
        "CACHE_KEY_PREFIX": f"bench-{database}",
        "RESPONSE_CACHE": RESPONSE_CACHE[variant],
        # The partner API's anonymous rate limit would turn a load test into a test of 429s.
        "API_ANON_RATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
    }


SECRET_KEY = secrets.token_urlsafe(50)


def manage(database, *args, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=server_env(database),
        check=True,
        text=True,
        capture_output=capture,
    )


def psql(sql, database="postgres"):
    import psycopg

    with psycopg.connect(f"{PG}/{database}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def published_bench_projects(database):
    try:
        rows = psql(
            "SELECT count(*) FROM projects_project p JOIN layers_layer l ON l.id = p.layer_id "
            "JOIN layers_map m ON m.id = l.map_id "
            "WHERE m.slug = 'bench' AND m.status = 'published' AND p.status = 'published'",
            database,
        )
    except Exception:  # no database or no tables yet: it needs generating
        return None
    return rows[0][0]


def ensure_data(size):
    """Reuse dealmap_bench_<size> when it holds exactly `size` published bench projects."""
    database = db_name(size)
    if published_bench_projects(database) == size:
        say(f"{database}: reusing {size:,} generated projects")
        try:
            manage(database, "migrate", "--no-input", "-v0")
            psql("VACUUM ANALYZE", database)
            return None
        except subprocess.CalledProcessError:
            # A history migrate refuses (a branch renumbered its migrations): start afresh.
            say(f"{database}: cannot migrate it; generating it again")
    say(f"{database}: creating it and generating {size:,} projects")
    psql(f'DROP DATABASE IF EXISTS "{database}"')
    psql(f'CREATE DATABASE "{database}"')
    manage(database, "migrate", "--no-input", "-v0")
    started = time.monotonic()
    manage(database, "generate_bench_data", "--projects", str(size))
    # As autovacuum leaves a live database: bulk-loaded pages are not yet marked
    # all-visible, and an index-only scan (a capped count) would read the heap anyway.
    psql("VACUUM ANALYZE", database)
    return time.monotonic() - started


def sample(database):
    """A project's slug, a search term, and its layer and stage, from this database.

    The filtered list filters by that project's layer and stage, so it matches at every
    size: a fixed pair matched nothing at 35 projects, and an empty page (one query
    fewer, no tiles) is not the work the scale target compares.
    """
    slug, name, layer, stage = psql(
        "SELECT p.slug, p.name, l.slug, p.stage FROM projects_project p"
        " JOIN layers_layer l ON l.id = p.layer_id"
        " WHERE p.status = 'published' ORDER BY p.id LIMIT 1",
        database,
    )[0]
    return slug, name.split()[0], layer, stage


PAGE_NAMES = [
    "map page", "paginated list", "filtered list", "search", "project page", "API list",
    "API detail",
]  # fmt: skip


def bench_urls(database):
    slug, term, layer, stage = sample(database)
    return {
        "map page": "/maps/bench/",
        "paginated list": "/projects/?page=2",
        "filtered list": f"/projects/?layer={layer}&stage={stage}",
        "search": f"/projects/?q={term}",
        "project page": f"/projects/{slug}/",
        "API list": "/api/v1/projects/",
        "API detail": f"/api/v1/projects/{slug}/",
    }


def page_facts(database, urls, variant):
    out = subprocess.run(
        [PYTHON, "-m", "bench.queries", *urls.values()],
        cwd=ROOT,
        env=server_env(database, variant),
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def write_ceiling(nbytes):
    """A static file of the API list's size, put where whitenoise finds it at start-up."""
    path = ROOT / "staticfiles" / "bench" / f"ceiling-{nbytes}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"padding": "' + "x" * max(0, nbytes - 16) + '"}\n')
    return f"/static/bench/{path.name}"


# --- serving and loading ---------------------------------------------------------------


class Server:
    def __init__(self, database, variant):
        self.port = PORTS[variant]
        self.env = server_env(database, variant)

    def __enter__(self):
        cmd = [
            str(Path(PYTHON).parent / "gunicorn"),
            "dealmap.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env)
        try:
            wait_for(self.healthy, f"gunicorn on port {self.port}")
        except BaseException:
            self.__exit__()
            raise
        return self

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:  # refused, reset or timed out while the workers boot
            return False

    def worker_peak_mb(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        peaks = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks, default=0.0)

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    def latency(pct):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        return float(match.group(1)) * UNITS[match.group(2)] if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", text)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency(50),
        "p99": latency(99),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def wrk(port, url, seconds):
    # A 10 s timeout: a slow page is measured as slow rather than as zero requests.
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    cmd.append("--latency")
    cmd.append(f"http://127.0.0.1:{port}{url}")
    result = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse_wrk(result.stdout)


# --- one size ---------------------------------------------------------------------------


def bench_size(size):
    generated_in = ensure_data(size)
    database = db_name(size)
    urls = bench_urls(database)
    facts = {variant: page_facts(database, urls, variant) for variant in PORTS}
    available = {k: u for k, u in urls.items() if facts["uncached"][u]["status"] == 200}
    for name in [n for n in urls if n not in available]:
        say(f"{name} {urls[name]}: {facts['uncached'][urls[name]]['status']}, not available yet")
    ceiling_bytes = ceiling_size(urls, facts["uncached"])
    static_url = write_ceiling(ceiling_bytes)
    runs = {}
    peaks = {}
    invalidation = {}
    for variant in PORTS:
        with Server(database, variant) as server:
            statics = []
            for name, url in available.items():
                label = f"{name} ({variant})"
                runs[(variant, name)] = load_pair(server.port, label, url, static_url)
                statics.append(runs[(variant, name)]["static"])
            runs[(variant, "static file")] = combine(statics)
            peaks[variant] = server.worker_peak_mb()
            if variant == "cached":
                invalidation = check_invalidation(server.port, database, available)
    return {
        "size": size,
        "database": database,
        "generated_in": generated_in,
        "urls": urls,
        "facts": facts,
        "ceiling_bytes": ceiling_bytes,
        "runs": runs,
        "peaks": peaks,
        "invalidation": invalidation,
        "explain": explain(database),
    }


def fetch(port, url):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=30) as response:
            return response.status, response.read(), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        return error.code, b"", None


def save_project(database, slug, **fields):
    """Change one project through the ORM (the admin's write path), in a separate process."""
    code = "from projects.models import Project\n"
    code += f"p = Project.objects.get(slug={slug!r})\n"
    code += "".join(f"p.{name} = {value!r}\n" for name, value in fields.items())
    code += "p.save()\n"
    env = server_env(database, "cached")
    subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=env, check=True)


def check_invalidation(port, database, available):
    """With the Redis cache warm, an edit, an unpublish and a publish must show on the next
    request.

    Detail pages must show the new name, then answer 404, then answer again; a list
    that showed the project must show the new name, then drop it, then show it again.
    The project ends as it began.
    """
    if not available:
        return {}
    slug, name = psql(
        "SELECT slug, name FROM projects_project WHERE status = 'published' ORDER BY id LIMIT 1",
        database,
    )[0]
    warm = {page: fetch(port, url) for page, url in available.items()}
    warm = {page: fetch(port, url) for page, url in available.items()}
    marker = f"Edited {secrets.token_hex(4)}"
    save_project(database, slug, name=marker)
    edited = {page: fetch(port, url) for page, url in available.items()}
    save_project(database, slug, status="draft")
    hidden = {page: fetch(port, url) for page, url in available.items()}
    save_project(database, slug, name=name, status="published")
    shown = {page: fetch(port, url) for page, url in available.items()}
    results = {}
    for page, url in available.items():
        if slug in url:
            outcome = {
                "edit": marker.encode() in edited[page][1],
                "unpublish": hidden[page][0] == 404,
                "publish": shown[page][0] == 200 and name.encode() in shown[page][1],
            }
        elif slug.encode() in warm[page][1]:
            outcome = {
                "edit": marker.encode() in edited[page][1],
                "unpublish": slug.encode() not in hidden[page][1],
                "publish": slug.encode() in shown[page][1],
            }
        else:
            continue  # a list that does not show this project has nothing to change
        if page == "search":
            # The search is for a word of the old name: renamed, the project may rightly drop out.
            del outcome["edit"]
        results[page] = outcome
    return results


def ceiling_size(urls, facts):
    for name in ("API list", "map page"):
        if facts[urls[name]]["status"] == 200:
            return facts[urls[name]]["bytes"]
    return FALLBACK_CEILING_BYTES


def load_pair(port, label, url, static_url):
    """The page, and the static file in turns with it, ROUNDS times each.

    The machine is shared: whatever slows the page for a few seconds slows the static
    file measured beside it too, so the ratio of the two holds where their absolute
    figures drift.
    """
    seconds = max(1, DURATION // ROUNDS)
    pages, statics = [], []
    for _ in range(ROUNDS):
        statics.append(load(port, f"static file, beside {label}", static_url, seconds))
        pages.append(load(port, label, url, seconds))
    return {**combine(pages), "static": combine(statics)}


def combine(runs):
    """Rounds of one URL as one figure: mean req/s, median p50, worst p99, summed errors."""
    p50s = sorted(run["p50"] for run in runs if run["p50"] is not None)
    p99s = [run["p99"] for run in runs if run["p99"] is not None]
    return {
        "rps": sum(run["rps"] for run in runs) / len(runs),
        "p50": p50s[len(p50s) // 2] if p50s else None,
        "p99": max(p99s, default=None),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "timeouts": sum(run["timeouts"] for run in runs),
    }


def load(port, label, url, seconds=None):
    seconds = seconds or DURATION
    say(f"wrk {seconds} s: {label} {url}")
    result = wrk(port, url, seconds)
    # gunicorn finishes the requests wrk gave up on: let that backlog drain before the next URL.
    wait_for(lambda: responsive(port), "the backlog to drain", seconds=120)
    return result


def responsive(port):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            response.read()
    except OSError:
        return False
    return time.monotonic() - started < 0.2


def explain(database):
    """[[label, ms, seq-scanned big tables], …] from bench/explain.py, or None if it failed."""
    result = subprocess.run(
        [PYTHON, "-m", "bench.explain", "--json"],
        cwd=ROOT,
        env=server_env(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        say(f"bench.explain failed on {database}: {result.stderr[-500:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the report -------------------------------------------------------------------------


def machine():
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    mem = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.stdout.strip(),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory": f"{int(mem.group(1)) / 1024 / 1024:.0f} GiB" if mem else "?",
        "postgres": psql("SHOW server_version")[0][0],
        "python": platform.python_version(),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("[")[0].strip(),
        "load": f"wrk -t{THREADS} -c{CONNECTIONS} --timeout 10s --latency, {ROUNDS} rounds of "
        f"{max(1, DURATION // ROUNDS)} s per URL, each beside a round of the static file; "
        f"gunicorn {WORKERS} sync workers",
    }


def fmt(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def size_table(result):
    lines = [
        f"### {result['size']:,} published projects (`{result['database']}`)",
        "",
        f"Static ceiling: a {result['ceiling_bytes']:,}-byte file (the size of the API list "
        "response) served by whitenoise, measured in turns with each page: each page's "
        "ratio is to the rounds beside it, and the static row is their mean.",
        "",
        "| page | variant | req/s | p50 ms | p99 ms | x static | queries | bytes | non-2xx "
        "| timeouts |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant in PORTS:
        static = result["runs"][(variant, "static file")]
        lines.append(row("static file", variant, static, static["rps"], None))
        for name, url in result["urls"].items():
            fact = result["facts"][variant][url]
            run = result["runs"].get((variant, name))
            if run is None:
                lines.append(
                    f"| {name} `{url}` | {variant} | not available yet "
                    f"(HTTP {fact['status']}) | | | | | | | |"
                )
            else:
                lines.append(row(f"{name} `{url}`", variant, run, run["static"]["rps"], fact))
    peaks = ", ".join(f"{v} {fmt(mb)} MB" for v, mb in result["peaks"].items())
    lines += ["", f"Peak RSS of a gunicorn worker (VmHWM): {peaks}."]
    if result["generated_in"] is not None:
        lines.append(f"Generated in this run: {result['generated_in']:.0f} s.")
    return [*lines, ""]


def explain_table(results):
    """The shared querysets' execution time at each size, side by side."""
    measured = [r for r in results if r["explain"]]
    if not measured:
        return []
    head = " | ".join(f"{r['size']:,}" for r in measured)
    lines = [
        "### Query plans: EXPLAIN ANALYZE of the shared querysets, ms",
        "",
        '`bench/explain.py`; "seq scan" names a large table read whole at the largest size '
        "(at small sizes a sequential scan is the planner's right choice).",
        "",
        f"| queryset | {head} | seq scan |",
        f"| --- | {' | '.join('---:' for _ in measured)} | --- |",
    ]
    for i, (label, _, _) in enumerate(measured[0]["explain"]):
        times = " | ".join(fmt(r["explain"][i][1], 2) for r in measured)
        scans = ", ".join(sorted(set(measured[-1]["explain"][i][2])))
        lines.append(f"| {label} | {times} | {scans} |")
    return [*lines, ""]


def row(label, variant, run, static_rps, fact):
    ratio = run["rps"] / static_rps if static_rps else None
    queries = fact["queries"] if fact else ""
    nbytes = f"{fact['bytes']:,}" if fact else ""
    return (
        f"| {label} | {variant} | {fmt(run['rps'], 0)} | {fmt(run['p50'], 2)} | "
        f"{fmt(run['p99'], 2)} | {fmt(ratio, 2)} | {queries} | {nbytes} | {run['non_2xx']} | "
        f"{run['timeouts']} |"
    )


def report(results, facts):
    lines = [
        f"Measured {facts['date']} at commit `{facts['commit']}` with `make bench` "
        f'(BENCH_SIZES="{" ".join(map(str, SIZES))}", BENCH_DURATION={DURATION}).',
        "",
        f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory']}; "
        f"PostgreSQL {facts['postgres']}; Python {facts['python']}; {facts['wrk']}; "
        f"{facts['load']}. Shared with other work while it ran: absolute figures are noisy, "
        "ratios to the static file of the same run are what the targets use.",
        "",
    ]
    lines += targets(results)
    for result in results:
        lines += size_table(result)
    lines += explain_table(results)
    return "\n".join(lines)


def ratio(result, variant, name):
    run = result["runs"].get((variant, name))
    static = run and run["static"]["rps"]
    return run["rps"] / static if run and static else None


def per_size(results, variant, name):
    """'35: 0.81, 2,500: 0.78' or None when the page is not built yet."""
    found = [(r["size"], ratio(r, variant, name)) for r in results]
    found = [(size, value) for size, value in found if value is not None]
    return ", ".join(f"{size:,}: {value:.2f}x" for size, value in found) or None


def target_row(target, measured, ok=None):
    verdict = "-" if ok is None else ("met" if ok else "**not met**")
    return f"| {target} | {measured} | {verdict} |"


def ratio_target(results, variant, name, floor):
    label = f"{name}, {variant}: at least {floor}x the static file"
    shown = per_size(results, variant, name)
    if shown is None:
        return target_row(label, "not available yet")
    values = [ratio(r, variant, name) for r in results if ratio(r, variant, name) is not None]
    return target_row(label, shown, min(values) >= floor)


def scale_target(results, name):
    by_size = {r["size"]: r["runs"].get(("uncached", name)) for r in results}
    small, large = by_size.get(min(SIZES)), by_size.get(max(SIZES))
    label = f"{name}, uncached: cost at {max(SIZES):,} at most 2x the cost at {min(SIZES):,}"
    if len(SIZES) < 2:
        return target_row(label, "needs two sizes")
    if not (small and large and large["rps"]):
        return target_row(label, "not available yet")
    cost = small["rps"] / large["rps"]
    shown = f"{cost:.2f}x (req/s {small['rps']:,.0f} -> {large['rps']:,.0f})"
    return target_row(label, shown, cost <= 2)


def invalidation_row(results):
    label = "an edit, an unpublish and a publish show on the next request (Redis cache warm)"
    checks = [
        (r["size"], page, kind, ok)
        for r in results
        for page, outcome in r["invalidation"].items()
        for kind, ok in outcome.items()
    ]
    if not checks:
        return target_row(label, "not available yet")
    failed = [f"{page} after {kind} at {size:,}" for size, page, kind, ok in checks if not ok]
    shown = f"{len(checks) - len(failed)} of {len(checks)} checks"
    if failed:
        shown += "; stale: " + ", ".join(failed)
    return target_row(label, shown, not failed)


def targets(results):
    lines = [
        "### Targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        ratio_target(results, "cached", "map page", 0.7),
        ratio_target(results, "cached", "API list", 0.7),
        # Issue 13: every uncached page and endpoint, none special-cased.
        *[ratio_target(results, "uncached", name, 0.03) for name in PAGE_NAMES],
        *[scale_target(results, name) for name in PAGE_NAMES],
    ]
    queries = "every page and endpoint at most 5 queries"
    counts = [
        fact["queries"]
        for r in results
        for variant in PORTS
        for fact in r["facts"][variant].values()
        if fact["status"] == 200
    ]
    if counts:
        lines.append(target_row(queries, f"at most {max(counts)}", max(counts) <= 5))
    else:
        lines.append(target_row(queries, "not available yet"))
    lines.append(invalidation_row(results))
    largest = max(results, key=lambda r: r["size"])
    peak = max(largest["peaks"].values())
    label = f"a gunicorn worker under 200 MB at {largest['size']:,} projects"
    lines.append(target_row(label, f"{peak:.0f} MB", peak < 200))
    return [*lines, ""]


def write_doc(markdown):
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    DOC.write_text(f"{before}{START}\n{markdown}\n{END}{after}")
    say(f"results written to {DOC.relative_to(ROOT)}")


def main():
    ensure_postgres()
    ensure_redis()
    ensure_wrk()
    say("collectstatic")
    manage(db_name(SIZES[0]), "collectstatic", "--no-input", "-v0")
    results = []
    for size in SIZES:
        results.append(bench_size(size))
    markdown = report(results, machine())
    print(markdown)
    write_doc(markdown)


if __name__ == "__main__":
    main()
