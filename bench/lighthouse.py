#!/usr/bin/env python3
"""Lighthouse scores for the map and a project page, served as in production.

Loads the real maps into a throwaway SQLite file (or the database in DATABASE_URL),
collects the static files, starts gunicorn with production settings on
127.0.0.1:8101, runs Lighthouse 12.2.3 (node_modules, package.json) in Debian's
Chromium against each page, and prints the four category scores and the bytes
transferred. JSON reports land in bench/results/.

    .venv/bin/python bench/lighthouse.py [--desktop] [--port 8101]
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
PAGES = [("map", "/"), ("project", "/projects/bittensor/")]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def production_env(port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dealmap.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        # Plain http on loopback: no redirect to https, no HSTS.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_URL": f"http://localhost:{port}",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{RESULTS / 'bench.sqlite3'}")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_browser():
    """Debian's Chromium (and a font for its text), and npm for Lighthouse, as make bench
    installs wrk: a fresh machine has none of them."""
    sys.path.insert(0, str(ROOT))
    from bench.run import apt_install

    if not shutil.which(CHROMIUM):
        apt_install("chromium", "fonts-dejavu-core")
    if not shutil.which("npm"):
        apt_install("nodejs", "npm")


def ensure_lighthouse():
    if LIGHTHOUSE.exists():
        return
    print("Installing lighthouse and axe-core from package-lock.json (npm ci)…", flush=True)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True
    )
    (ROOT / "node_modules" / ".axe-core").touch()


def prepare(env):
    RESULTS.mkdir(parents=True, exist_ok=True)
    if env["DATABASE_URL"].startswith("sqlite:///"):
        Path(env["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "loaddata", "decentralized-ai", "companion-maps", "-v0")
    manage(env, "collectstatic", "--no-input", "--clear", "-v0")


def port_is_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_until_up(url, server, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def run_lighthouse(url, name, desktop):
    report = RESULTS / f"{name}{'-desktop' if desktop else ''}.json"
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if desktop:
        args.append("--preset=desktop")
    subprocess.run(args, cwd=ROOT, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True)
    return json.loads(report.read_text())


def summary(result):
    scores = {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}
    audits = result["audits"]
    weight = audits["total-byte-weight"]["numericValue"]
    items = audits["network-requests"]["details"]["items"]
    logos = sum(i["transferSize"] for i in items if "/media/" in i["url"])
    failing = [
        f"{c}: {a['id']}"
        for c in CATEGORIES
        for a in (audits[ref["id"]] for ref in result["categories"][c]["auditRefs"])
        if a["score"] is not None and a["score"] < 1 and a["scoreDisplayMode"] == "binary"
    ]
    return scores, weight - logos, len(items), failing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--desktop", action="store_true", help="desktop preset (default: mobile)")
    options = parser.parse_args()
    ensure_browser()

    if not port_is_free(options.port):
        raise SystemExit(f"port {options.port} is taken: stop what runs there or pass --port")
    ensure_lighthouse()
    env = production_env(options.port)
    prepare(env)
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "dealmap.wsgi",
            f"--bind=127.0.0.1:{options.port}",
            "--workers=2",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://localhost:{options.port}"
    try:
        wait_until_up(base + "/healthz", gunicorn)
        mode = "desktop" if options.desktop else "mobile (Lighthouse default: Moto G, slow 4G)"
        print(f"\nLighthouse 12.2.3, {mode}, gunicorn with production settings\n")
        print(f"{'page':10} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'bytes*':>8} requests")
        for name, path in PAGES:
            scores, weight, requests, failing = summary(
                run_lighthouse(base + path, name, options.desktop)
            )
            print(
                f"{name:10} {scores['performance']:>5} {scores['accessibility']:>5} "
                f"{scores['best-practices']:>5} {scores['seo']:>5} {weight:>8.0f} {requests}"
            )
            for line in failing:
                print(f"           failing audit {line}")
        print("\n* bytes over the wire, logos aside (Lighthouse total-byte-weight)")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=10)


if __name__ == "__main__":
    main()
