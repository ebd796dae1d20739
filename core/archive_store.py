"""Where archived histories are kept: a key/bytes object store, chosen by settings.

- ``database`` (default): a table of the application's database, so `make run` and a small
  deployment need nothing more and the archive is in the database's backups;
- ``directory``: one file per object under a directory (a mounted volume or a NAS share);
- ``s3``: an S3-compatible bucket (AWS S3, MinIO, Ceph, OSS/COS in S3 mode) through boto3.

Objects are written once per archived run and never changed; writing a key again writes the
same bytes (archiving is idempotent), so every store may simply overwrite.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.settings import Settings
from db.repositories import archive as archive_repo
from db.session import transaction


class ObjectMissing(LookupError):
    """The store has no object under the key."""


class ObjectStore(Protocol):
    """A key/bytes store; ``name`` is recorded with every archived run."""

    name: str

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...


class DatabaseStore:
    """Objects in the ``archive_objects`` table."""

    name = "database"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def put(self, key: str, data: bytes) -> None:
        async with transaction(self._sessions) as session:
            await archive_repo.put_object(session, key, data)

    async def get(self, key: str) -> bytes:
        async with self._sessions() as session:
            data = await archive_repo.get_object(session, key)
        if data is None:
            raise ObjectMissing(key)
        return data


class DirectoryStore:
    """One file per object under ``root``; a write lands under a temporary name and is renamed into place."""

    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"object key {key!r} leaves the archive directory")
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read, key)


class S3Store:
    """Objects in an S3-compatible bucket under ``prefix``, through boto3 (its calls run in a thread).

    Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``,
    a profile, an instance role), never from wuyeflow's settings. For an archive that must not
    be rewritten, enable the bucket's versioning or object lock (WORM) on the storage side.
    """

    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str | None = None,
                 client: Any = None) -> None:
        self.bucket, self.prefix = bucket, prefix
        self._endpoint_url, self._region = endpoint_url, region
        self._client = client

    def _s3(self) -> Any:
        if self._client is None:
            import boto3  # type: ignore[import-untyped]  # only a deployment that archives to S3 loads it

            self._client = boto3.client("s3", endpoint_url=self._endpoint_url, region_name=self._region)
        return self._client

    def _put(self, key: str, data: bytes) -> None:
        self._s3().put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType="application/gzip")

    def _get(self, key: str) -> bytes:
        s3 = self._s3()
        try:
            body: bytes = s3.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
            return body
        except s3.exceptions.NoSuchKey:
            raise ObjectMissing(key) from None

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, key, data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._get, key)


def make_object_store(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> ObjectStore:
    """The store the settings name."""
    if settings.archive_store == "directory":
        return DirectoryStore(Path(settings.archive_directory))
    if settings.archive_store == "s3":
        assert settings.archive_s3_bucket is not None  # the settings refuse s3 without a bucket
        return S3Store(settings.archive_s3_bucket, settings.archive_s3_prefix,
                       endpoint_url=settings.archive_s3_endpoint_url, region=settings.archive_s3_region)
    return DatabaseStore(sessions)
