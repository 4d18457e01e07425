"""A throw-away PostgreSQL 15 cluster under /tmp on its own port, for drills that restart it.

Never touches the machine's main cluster on 5432. initdb and postgres refuse to run as root,
so they run as the `postgres` system user; the cluster's superuser is called `root` and trusts
connections from 127.0.0.1, like the main one.
"""

import os
import shutil
import subprocess
import tempfile
import time

import psycopg

BIN = "/usr/lib/postgresql/15/bin"


def as_postgres(*command):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + list(command), check=True, capture_output=True, text=True)


class ScratchCluster:
    def __init__(self, port=55432):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="newsportal-pg-")
        self.data = os.path.join(self.dir, "data")
        os.chmod(self.dir, 0o777)  # the postgres user writes its socket and log here

    def url(self, database):
        return f"postgres://root@127.0.0.1:{self.port}/{database}"

    def dsn(self, database="postgres"):
        return f"host=127.0.0.1 port={self.port} user=root dbname={database}"

    def init(self):
        as_postgres(f"{BIN}/initdb", "-D", self.data, "-U", "root", "--auth=trust", "-E", "UTF8")
        return self

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        command = [f"{BIN}/pg_ctl", "-D", self.data, "-l", f"{self.dir}/log", "-o", options]
        for attempt in range(10):
            try:
                as_postgres(*command, "-w", "start")
                break
            except subprocess.CalledProcessError:
                if attempt == 9:
                    raise
                time.sleep(0.5)  # the port of a cluster that just stopped may still be held
        self.wait_ready()
        return self

    def stop(self, mode="fast"):
        as_postgres(f"{BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                psycopg.connect(self.dsn(), connect_timeout=1).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("the scratch cluster did not come up")

    def create_database(self, name):
        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')

    def destroy(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already down
        shutil.rmtree(self.dir, ignore_errors=True)
