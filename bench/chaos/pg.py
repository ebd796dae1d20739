"""A PostgreSQL cluster of the fault suite's own, on a free loopback port in its work directory.

It is created with Debian's ``initdb`` and run with ``pg_ctl``, so the suite can stop it (as a
crash or cleanly), start it again, and put a file-level backup back in place. When the suite runs
as root, PostgreSQL's tools run as the ``postgres`` system user (they refuse root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.stack import HOST, free_port

DATABASE = "wuyeflow_chaos"


def pg_bin() -> Path:
    """The newest installed server binaries (``/usr/lib/postgresql/<major>/bin``)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (Debian package postgresql)")
    return found[-1].parent


@dataclass
class Cluster:
    """One cluster in ``root``: ``data`` is the live directory, ``backup`` the file-level copy."""

    root: Path
    port: int = field(default_factory=free_port)
    bin: Path = field(default_factory=pg_bin)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def backup_dir(self) -> Path:
        return self.root / "backup"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@{HOST}:{self.port}/{DATABASE}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def _as_owner(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for p in [path, *path.rglob("*")]:
                os.chown(p, user.pw_uid, user.pw_gid)

    def create(self) -> None:
        """``initdb`` (trust on loopback, no fsync: the suite kills processes, not the machine), start, create the database."""
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            os.chmod(self.root.parent, 0o755)
        self._as_owner(self.root)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\nlisten_addresses = '{HOST}'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                       "fsync = off\nmax_connections = 200\n")
        self.start()
        self._run("createdb", "-h", HOST, "-p", str(self.port), "-U", "postgres", DATABASE)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-w", "-t", "90", "start")

    def stop(self, mode: str = "fast") -> None:
        """``immediate`` is a crash (recovery at the next start); ``fast`` a clean shutdown."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def backup(self) -> None:
        """A file-level copy taken while the cluster is stopped (cleanly), then started again."""
        self.stop("fast")
        shutil.rmtree(self.backup_dir, ignore_errors=True)
        shutil.copytree(self.data, self.backup_dir, symlinks=True)
        self.start()

    def restore(self) -> None:
        """The cluster as the backup left it: everything written since is gone."""
        self.stop("immediate")
        shutil.rmtree(self.data)
        shutil.copytree(self.backup_dir, self.data, symlinks=True)
        self._as_owner(self.data)
        self.start()

    def destroy(self) -> None:
        if self.data.exists():
            self.stop("immediate")
