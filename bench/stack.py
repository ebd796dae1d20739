"""The processes a benchmark runs against: Temporal dev server, worker, API, all on loopback.

Every process is started in its own session (process group) and stopped by :class:`Stack` on
exit, also on error, so a failed benchmark leaves nothing running.
"""

from __future__ import annotations

import compileall
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.registry import search_attribute_names

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
APP_CODE = ("api", "activities", "core", "db", "domain", "workflows", "bench", "worker.py")


def compile_bytecode() -> None:
    """Bytecode for the code our processes import, as the image ships it (see the Dockerfile).

    The workflow sandbox re-imports the workflow modules for every new workflow instance; without
    bytecode (PYTHONDONTWRITEBYTECODE in the caller's environment, a fresh checkout) each instance
    would compile them from source again (a fund case: 2 modules, ~2 ms of CPU per new instance), a
    cost the image does not pay.
    """
    for name in APP_CODE:
        path = ROOT / name
        ok = compileall.compile_dir(path, quiet=1) if path.is_dir() else compileall.compile_file(path, quiet=1)
        if not ok:
            raise RuntimeError(f"could not compile {path}")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((HOST, port)) == 0


def _stat(pid: int | str) -> list[str]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2 :].split()


def _living_ticks(field: int, pid: int) -> int:
    """User plus system clock ticks of the living processes whose ``stat`` field ``field`` is ``pid``
    (1: the parent, 2: the process group)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            member = _stat(entry.name)
        except OSError:  # ended meanwhile
            continue
        if int(member[field]) == pid:
            total += int(member[11]) + int(member[12])
    return total


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (``/proc/<pid>/stat`` utime + stime).

    A process that leads its own process group (every one :class:`Stack` starts) counts with the
    living members of its group and the children it has reaped: the API's uvicorn workers are
    children of its supervisor.
    """
    fields = _stat(pid)
    if int(fields[2]) != pid:  # not a group leader: the process alone
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return (int(fields[13]) + int(fields[14]) + _living_ticks(2, pid)) / CLOCK_TICKS


def cluster_cpu_seconds(postmaster: int) -> float:
    """CPU time of a PostgreSQL cluster so far: the postmaster, its living children and those it has reaped.

    Every child of the postmaster calls ``setsid``: a backend leads a group of its own, so the
    group count of :func:`cpu_seconds` misses it while it lives, and a pool that keeps its
    connections for the whole year ends them only after the year's last measurement.
    """
    fields = _stat(postmaster)
    return (sum(int(f) for f in fields[11:15]) + _living_ticks(1, postmaster)) / CLOCK_TICKS


def postgres_server_pid() -> int | None:
    """The local PostgreSQL server's postmaster (every backend is its child), if one runs here."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd[0].endswith(b"/postgres") and b"-D" in cmd:
            return int(entry.name)
    return None


def memory_kib(pid: int) -> dict[str, int]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


@dataclass
class Proc:
    """A started child process and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        """SIGINT/SIGTERM to the whole group, then SIGKILL if it lingers."""
        if self.alive():
            sig = signal.SIGTERM if self.name == "temporal" else signal.SIGINT
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


@dataclass
class Stack:
    """One Temporal dev server plus the worker/API processes started against it, in ``workdir``."""

    workdir: Path
    database_url: str
    temporal_port: int = field(default_factory=free_port)
    procs: list[Proc] = field(default_factory=list)
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(36))
    actor_seal_key: str = field(default_factory=lambda: secrets.token_urlsafe(36))

    @property
    def temporal_address(self) -> str:
        return f"{HOST}:{self.temporal_port}"

    def env(self, task_queue: str = "wuyeflow-bench", **extra: str) -> dict[str, str]:
        """The environment our processes read their settings from (JSON logs as in production; HS256 tokens as in tests)."""
        return {
            **os.environ, "PYTHONUNBUFFERED": "1", "DATABASE_URL": self.database_url,
            "WUYEFLOW_ENV": "test", "WUYEFLOW_LOG_JSON": "true", "WUYEFLOW_JWT_SECRET": self.jwt_secret,
            # The benchmarks drive every case from one address at full speed: no rate limits, and
            # room for every request in flight (they measure throughput, not load shedding).
            "WUYEFLOW_RATE_LIMIT_ENABLED": "false", "WUYEFLOW_MAX_CONCURRENT_REQUESTS": "1000",
            "WUYEFLOW_ACTOR_SEAL_KEY": self.actor_seal_key,
            "WUYEFLOW_TEMPORAL_ADDRESS": self.temporal_address, "WUYEFLOW_TASK_QUEUE": task_queue,
            "WUYEFLOW_SEARCH_ATTRIBUTES": "true", **extra,
        }

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.workdir / f"{name}.log"
        with open(log, "ab") as out:
            popen = subprocess.Popen(
                args, cwd=ROOT, env=env or self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def wait_port(self, port: int, proc: Proc, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if port_open(port):
                return
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}; see {proc.log}")
            time.sleep(0.2)
        raise RuntimeError(f"{proc.name} did not open port {port} within {timeout:.0f}s; see {proc.log}")

    def start_temporal(self) -> Proc:
        """The dev server as ``make run`` starts it: file-backed SQLite with WAL, our search attributes."""
        args = [
            str(BIN / "temporal"), "server", "start-dev", "--ip", HOST, "--port", str(self.temporal_port),
            "--ui-port", str(free_port()), "--headless", "--metrics-port", str(free_port()),
            "--http-port", str(free_port()), "--db-filename", str(self.workdir / "temporal.db"),
            "--log-level", "warn", "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        ]
        for name in search_attribute_names():
            args += ["--search-attribute", f"{name}=Keyword"]
        proc = self.start("temporal", args)
        self.wait_port(self.temporal_port, proc)
        return proc

    def prepare_database(self, database_url: str | None = None) -> None:
        """Migrate the database (ours, or the one given) to every head and create the demo city."""
        env = {**self.env(), **({"DATABASE_URL": database_url} if database_url else {})}
        subprocess.run([str(BIN / "alembic"), "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "db.seed"], cwd=ROOT, env=env, check=True, capture_output=True)

    def start_worker(self, task_queue: str = "wuyeflow-bench") -> Proc:
        return self.start("worker", [sys.executable, "worker.py"], self.env(task_queue))

    def start_api(self, task_queue: str = "wuyeflow-bench", database_url: str | None = None, processes: int = 1) -> tuple[Proc, int]:
        """The API as production serves it (``api/serve.py``), with ``processes`` processes."""
        port = free_port()
        env = self.env(task_queue, **({"DATABASE_URL": database_url} if database_url else {}))
        args = [sys.executable, "-m", "api.serve", "--host", HOST, "--port", str(port), "--processes", str(processes)]
        proc = self.start("api", args, env)
        self.wait_port(port, proc)
        return proc, port

    def start_bare_worker(self, task_queue: str) -> Proc:
        return self.start("bare-worker", [sys.executable, "-m", "bench.bare", self.temporal_address, task_queue])

    def stop(self, *names: str) -> None:
        """Stop the named processes (all when none are named), newest first."""
        for proc in reversed(list(self.procs)):
            if not names or proc.name in names:
                proc.stop()
                self.procs.remove(proc)

    def find(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)

    def __enter__(self) -> Stack:
        compile_bytecode()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
