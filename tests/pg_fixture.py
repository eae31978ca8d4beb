#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A throwaway PostgreSQL 15 server for tests (issue 10).

initdb into a fresh temporary directory as an unprivileged user (`postgres`
when run as root, else the current user), started on a free loopback port,
torn down (stopped and removed) afterwards. Shared by the C++ store tests and
the Python integration tests:

  tests/pg_fixture.py start [--durable]   prints two lines: the URL, then DIR
  tests/pg_fixture.py stop DIR            stops the server and removes DIR

  with pg_fixture.Server() as pg:          # Python
      url = pg.url("mydb")                 # created on first use

The server trusts local connections (user `mamori`, no password): it lives for
one test run on 127.0.0.1 only. Without --durable it runs with fsync=off
(tests need correctness, not crash durability, and the machine is shared);
benchmarks pass --durable so commits cost what they cost in production.

When PostgreSQL cannot be started, `start` exits 3 with the reason on stderr;
callers fail when CI=true and skip otherwise.
"""
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile

PG_BIN = os.environ.get("MAMORI_PG_BIN", "/usr/lib/postgresql/15/bin")
USER = "mamori"


class Unavailable(Exception):
    pass


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(argv):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


def _run(argv, what):
    r = subprocess.run(_as_owner(argv), capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise Unavailable(f"{what} failed: {(r.stderr or r.stdout).strip()[-400:]}")


def start(durable=False, extra_options=''):
    """Returns (url_base, directory). url_base has no database name."""
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        raise Unavailable(f"no PostgreSQL server binaries in {PG_BIN} (install postgresql-15)")
    root = tempfile.mkdtemp(prefix="mamori-pg-")
    try:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chmod(root, 0o700)
        data = os.path.join(root, "data")
        _run([os.path.join(PG_BIN, "initdb"), "-D", data, "-U", USER, "--auth=trust",
              "-E", "UTF8", "--locale=C", "--no-sync"], "initdb")
        port = _free_port()
        opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            opts += " -c fsync=off -c full_page_writes=off"
            if "synchronous" not in extra_options:
                opts += " -c synchronous_commit=off"
        opts += " " + extra_options
        _run([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-o", opts, "-l",
              os.path.join(root, "server.log"), "-w", "-t", "60", "start"], "pg_ctl start")
    except Exception:
        stop(root)
        raise
    return f"postgresql://{USER}@127.0.0.1:{port}", root


def start_standby(primary_base, synchronous=True):
    """A streaming standby of the server at `primary_base` (pg_basebackup -R), started on its own
    free port; with `synchronous`, the primary then waits for it on every commit
    (synchronous_standby_names = '*', synchronous_commit = on). Returns (url_base, directory)."""
    host, port = primary_base.split("@", 1)[1].rsplit(":", 1)
    root = tempfile.mkdtemp(prefix="mamori-pg-standby-")
    try:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chmod(root, 0o700)
        data = os.path.join(root, "data")
        _run([os.path.join(PG_BIN, "pg_basebackup"), "-h", host, "-p", port, "-U", USER, "-D",
              data, "-R", "-X", "stream", "--no-sync", "-c", "fast"], "pg_basebackup")
        sport = _free_port()
        opts = (f"-p {sport} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                "-c fsync=off -c hot_standby=on")
        _run([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-o", opts, "-l",
              os.path.join(root, "server.log"), "-w", "-t", "60", "start"], "pg_ctl start standby")
    except Exception:
        stop(root)
        raise
    if synchronous:
        psql_at(primary_base, "postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'")
        psql_at(primary_base, "postgres", "SELECT pg_reload_conf()")
    return f"postgresql://{USER}@127.0.0.1:{sport}", root


def psql_at(url_base, database, sql):
    host, port = url_base.split("@", 1)[1].rsplit(":", 1)
    r = subprocess.run(["psql", "-h", host, "-p", port, "-U", USER, "-d", database, "-qAtc", sql],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise Unavailable("psql failed: " + r.stderr.strip())
    return r.stdout.strip()


def pg_ctl(root, *args):
    """pg_ctl on the server in `root` (e.g. "-m", "immediate", "stop" or "promote")."""
    return subprocess.run(_as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D",
                                     os.path.join(root, "data"), "-w", *args]),
                          capture_output=True, text=True, timeout=60)


def stop(root):
    data = os.path.join(root, "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        subprocess.run(_as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-m", "immediate",
                                  "-w", "stop"]), capture_output=True, timeout=60)
    shutil.rmtree(root, ignore_errors=True)


def create_database(url_base, name):
    """Creates database `name` (idempotent) and returns its URL."""
    host_port = url_base.split("@", 1)[1]
    host, port = host_port.rsplit(":", 1)
    r = subprocess.run(["psql", "-h", host, "-p", port, "-U", USER, "-d", "postgres", "-qAtc",
                        f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise Unavailable("psql failed: " + r.stderr.strip())
    if r.stdout.strip() != "1":
        subprocess.run(["psql", "-h", host, "-p", port, "-U", USER, "-d", "postgres", "-qc",
                        f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=60)
    return f"{url_base}/{name}"


class Server:
    """Context manager: a throwaway server for one test."""

    def __init__(self, durable=False, extra_options=''):
        self.durable = durable
        self.extra_options = extra_options
        self.base = None
        self.root = None

    def __enter__(self):
        self.base, self.root = start(self.durable, self.extra_options)
        return self

    def __exit__(self, *exc):
        stop(self.root)

    def url(self, database="mamori"):
        return create_database(self.base, database)

    def psql(self, database, sql):
        host_port = self.base.split("@", 1)[1]
        host, port = host_port.rsplit(":", 1)
        r = subprocess.run(["psql", "-h", host, "-p", port, "-U", USER, "-d", database, "-qAtc",
                            sql], capture_output=True, text=True, timeout=120, check=True)
        return r.stdout

    def pg_dump(self, database):
        host_port = self.base.split("@", 1)[1]
        host, port = host_port.rsplit(":", 1)
        return subprocess.run(["pg_dump", "-h", host, "-p", port, "-U", USER, database],
                              capture_output=True, timeout=300, check=True).stdout


def start_or_skip(test_name, **server_args):
    """Starts a Server, or exits: 1 (fail) when CI=true, 77 (skip) otherwise."""
    try:
        return Server(**server_args).__enter__()
    except Unavailable as e:
        if os.environ.get("CI") == "true":
            print(f"FAIL {test_name}: PostgreSQL could not be started: {e}", file=sys.stderr)
            sys.exit(1)
        print(f"SKIP {test_name}: PostgreSQL could not be started: {e}", file=sys.stderr)
        sys.exit(77)


def main(argv):
    if len(argv) >= 2 and argv[1] == "start":
        try:
            url, root = start(durable="--durable" in argv[2:])
        except Unavailable as e:
            print(e, file=sys.stderr)
            return 3
        print(url)
        print(root, flush=True)
        return 0
    if len(argv) == 3 and argv[1] == "stop":
        stop(argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
