"""Benchmark: requests per second and p50/p99 latency under concurrent signed-in users, served as in
production (gunicorn, DEBUG off, PostgreSQL, WhiteNoise with hashed static names), on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hazardloop_load make bench BENCH_ARGS=load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hazardloop_load .venv/bin/python -m benchmarks load
    .venv/bin/python -m benchmarks.load --users 50 --seconds 60 --workers 5 --threads 2

Needs PostgreSQL (DATABASE_URL, which must name a PostgreSQL database: an empty one gets the
migrations and the demo district, ~4 minutes) and locust (a dev dependency); not in the default
set for that reason. Steps:

1. `migrate`, `load_demo --if-empty`, `collectstatic` (STATIC_MANIFEST=1), then gunicorn on a free
   loopback port: `--workers 5 --threads 2` (2 × cores + 1, docs/operations.md) with DEBUG off.
   The two rate limits are raised for the run (API_RATE, LOGIN_IP_MAX_ATTEMPTS=0 in the server's
   environment): 50 simulated users from one address would otherwise be throttled by design.
2. Sign in through the real login form — password, then the TOTP step for the bureau and the
   administrator (the demo's published secret) — one session per demo account of several roles,
   before the clock starts. Each account's pages are probed once; a role is driven only through
   the pages it may open (the rest answer 403/404 by design and would measure the refusal).
3. Phase "floor": every user requests `/healthz` with its session — the whole middleware stack,
   the session read and save, one `SELECT 1`: the least any signed-in request costs here.
4. Phase "mix": each user is one of the accounts (bureau-heavy, as the district works) and
   requests, without think time (a closed loop: the figures are the server's capacity, and the
   latency is what a user sees when 50 are busy at once), a weighted mix: workbench, hazard board
   filtered to 整改中, hazard detail (a random hazard the account sees), enterprise list,
   dashboard, the hazard and enterprise API lists, and /healthz again as the floor within the mix.

For each endpoint: requests, RPS over the measured window (after a warm-up), p50, p99, failures.
The load generator runs on the same 2 cores as the server, so both compete; the figures are for
comparing runs on this machine, with its load average printed beside them."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import ROOT, format_figures

PASSWORD = "Demo@2026hl"  # hazardloop.accounts.demo.DEMO_PASSWORD; read there when Django runs
# Demo accounts signed in, and how many of the simulated users each role gets (sums to 50 at
# --users 50; scaled otherwise).
ACCOUNTS = {
    "bureau": ["bureau"],
    "admin": ["admin"],
    "leader": ["leader"],
    "member_unit": ["safety", "fire", "housing", "market"],
    "township": ["township_longquan", "township_majia", "township_matoujian", "township_shanying"],
    "provider": ["provider_ankang", "provider_hengyu"],
    "expert": ["expert_wang", "expert_liu"],
    "enterprise": ["enterprise_1", "enterprise_2"],
}
SHARE = {
    "bureau": 12,
    "admin": 2,
    "leader": 3,
    "member_unit": 8,
    "township": 12,
    "provider": 5,
    "expert": 4,
    "enterprise": 4,
}
# (name, path, weight); "{hazard}" is replaced by a hazard the account sees.
MIX = [
    ("workbench /", "/", 3),
    ("hazard board ?status=rectifying", "/hazards/?status=rectifying", 3),
    ("hazard detail /hazards/<id>/", "/hazards/{hazard}/", 3),
    ("enterprise list /registry/enterprises/", "/registry/enterprises/", 2),
    ("dashboard /analytics/", "/analytics/", 1),
    ("API hazards ?status=rectifying", "/api/hazards/hazards/?status=rectifying", 2),
    ("API enterprises", "/api/registry/enterprises/", 1),
    ("floor /healthz", "/healthz", 1),
]
FLOOR = [("floor /healthz", "/healthz", 1)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        STATIC_MANIFEST="1",
        LOG_LEVEL="WARNING",
        # The rate limits would throttle 50 users behind one loopback address: raised for the run.
        API_RATE="100000000/hour",
        LOGIN_IP_MAX_ATTEMPTS="0",
    )
    env.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench" / "load-media"))
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "hazardloop.cli", *args], env=env, cwd=ROOT, check=True)


def _wait_healthy(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting; see its log")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the form")
    return found.group(1)


def _sign_in(base: str, username: str, totp_key: str):
    """A requests session signed in through the login form (and the TOTP step if asked)."""
    import requests

    from hazardloop.accounts.two_factor import current_code

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": _csrf(page.text), "username": username, "password": PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    for _attempt in range(2):
        if "/accounts/two-factor/verify/" not in answer.url:
            break
        answer = session.post(
            answer.url,
            data={"csrfmiddlewaretoken": _csrf(answer.text), "code": current_code(totp_key)},
            headers={"Referer": answer.url},
        )
        if "/accounts/two-factor/verify/" in answer.url:
            # The code of this 30-second step was used already (a run moments ago): the next one.
            time.sleep(31 - time.time() % 30)
    if "/accounts/login/" in answer.url or "/two-factor/" in answer.url:
        raise RuntimeError(f"could not sign in as {username}")
    return session


def _plan(base: str, users: int) -> list[dict]:
    """Sign every account in, probe its pages, and return the simulated users' set-up."""
    from hazardloop.accounts.demo import DEMO_TOTP_KEY

    accounts = []
    for role, names in ACCOUNTS.items():
        for username in names:
            session = _sign_in(base, username, DEMO_TOTP_KEY)
            listed = session.get(f"{base}/api/hazards/hazards/?page_size=100")
            hazards = [row["id"] for row in listed.json()["results"]] if listed.status_code == 200 else []
            mix = []
            for name, path, weight in MIX:
                if "{hazard}" in path:
                    if not hazards:
                        continue
                    probe = path.format(hazard=hazards[0])
                else:
                    probe = path
                if session.get(f"{base}{probe}", allow_redirects=False).status_code == 200:
                    mix.append((name, path, weight))
            accounts.append(
                {
                    "role": role,
                    "username": username,
                    "cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items()),
                    "hazards": hazards,
                    "mix": mix,
                }
            )
    total = sum(SHARE.values())
    plan = []
    for role, share in SHARE.items():
        mine = [a for a in accounts if a["role"] == role]
        for i in range(max(1, round(users * share / total))):
            plan.append(mine[i % len(mine)])
    return plan[:users]


# --- the load generator: a child process, since locust patches the standard library (gevent) ----


def drive(spec_path: str) -> None:
    """Run one phase as described in the JSON file and print its figures as JSON."""
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    spec = json.loads(Path(spec_path).read_text())
    plans = spec["plan"]
    floor_only = spec["phase"] == "floor"
    counter = iter(range(10**9))

    class District(FastHttpUser):
        host = spec["host"]
        wait_time = constant(0)
        connection_timeout = 60.0
        network_timeout = 60.0

        def on_start(self):
            account = plans[next(counter) % len(plans)]
            self.headers = {"Cookie": account["cookie"]}
            self.hazards = account["hazards"]
            mix = FLOOR if floor_only else account["mix"]
            self.choices = [(name, path) for name, path, _w in mix]
            self.weights = [w for _n, _p, w in mix]
            self.rng = random.Random()

        @task
        def request(self):
            name, path = self.rng.choices(self.choices, self.weights)[0]
            if "{hazard}" in path:
                path = path.format(hazard=self.rng.choice(self.hazards))
            with self.client.get(path, name=name, headers=self.headers, catch_response=True) as answer:
                if answer.status_code != 200:
                    answer.failure(f"HTTP {answer.status_code}")

    env = Environment(user_classes=[District])
    runner = env.create_local_runner()
    runner.start(spec["users"], spawn_rate=spec["users"])
    gevent.sleep(spec["warmup"])
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(spec["seconds"])
    elapsed = time.monotonic() - started
    rows = []
    for (name, _method), entry in sorted(env.stats.entries.items()):
        rows.append(
            {
                "name": name,
                "requests": entry.num_requests,
                "rps": entry.num_requests / elapsed,
                "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else 0,
                "p99_ms": entry.get_response_time_percentile(0.99) if entry.num_requests else 0,
                "failures": entry.num_failures,
                "errors": sorted({str(e.error) for e in env.stats.errors.values() if e.name == name})[:3],
            }
        )
    total = env.stats.total
    rows.append(
        {
            "name": "all",
            "requests": total.num_requests,
            "rps": total.num_requests / elapsed,
            "p50_ms": total.get_response_time_percentile(0.5) if total.num_requests else 0,
            "p99_ms": total.get_response_time_percentile(0.99) if total.num_requests else 0,
            "failures": total.num_failures,
            "errors": [],
        }
    )
    runner.quit()
    print(json.dumps(rows))


def _phase(phase: str, host: str, plan: list[dict], *, users: int, seconds: int, warmup: int) -> list[dict]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(
            {
                "phase": phase,
                "host": host,
                "plan": plan,
                "users": users,
                "seconds": seconds,
                "warmup": warmup,
            },
            handle,
        )
    try:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.load", "--drive", handle.name],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(out.strip().splitlines()[-1])


def run(
    *, users: int = 50, seconds: int = 60, warmup: int = 10, workers: int = 5, threads: int = 2
) -> list[dict]:
    from benchmarks import setup_django

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "benchmarks.load needs PostgreSQL: set DATABASE_URL=postgres://…/<a database of its own> "
            "(an empty one gets the demo district)"
        )
    env = _server_env(database_url)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_demo", "--if-empty")
    if not (ROOT / "var" / "static" / "staticfiles.json").exists():
        # Compressing every file takes minutes on a busy machine: once, not every run.
        _manage(env, "collectstatic", "--noinput", "-v", "0")
    setup_django(database_url)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(ROOT / "var" / "bench" / "load-gunicorn.log", "w")  # noqa: SIM115 — open for the server's life
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hazardloop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--max-requests",
            "2000",
            "--max-requests-jitter",
            "200",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_healthy(base, server)
        plan = _plan(base, users)
        print(
            f"gunicorn {workers} workers × {threads} threads on {base}, DEBUG off, PostgreSQL; "
            f"{users} users (closed loop, no think time), {warmup} s warm-up, {seconds} s measured per phase",
            flush=True,
        )
        roles: dict[str, int] = {}
        for account in plan:
            roles[account["role"]] = roles.get(account["role"], 0) + 1
        print("users by role: " + ", ".join(f"{r} {n}" for r, n in roles.items()), flush=True)
        print(f"load before: {_loadavg()}", flush=True)
        figures = []
        for phase in ("floor", "mix"):
            rows = _phase(phase, base, plan, users=users, seconds=seconds, warmup=warmup)
            for row in rows:
                figures.append(
                    {
                        "phase": phase,
                        "endpoint": row["name"],
                        "requests": row["requests"],
                        "rps": round(row["rps"], 1),
                        "p50_ms": round(row["p50_ms"]),
                        "p99_ms": round(row["p99_ms"]),
                        "failures": row["failures"],
                    }
                )
                for error in row["errors"]:
                    print(f"  {phase} {row['name']}: {error}")
            print(f"load after {phase}: {_loadavg()}", flush=True)
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per phase")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        drive(args.drive)
        return 0
    figures = run(
        users=args.users, seconds=args.seconds, warmup=args.warmup, workers=args.workers, threads=args.threads
    )
    print(format_figures(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
