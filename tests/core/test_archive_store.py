"""The archive's object stores keep bytes under a key: the database table, a directory, an S3 bucket."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.archive_store import DatabaseStore, DirectoryStore, ObjectMissing, ObjectStore, S3Store, make_object_store
from core.settings import Settings
from tests.fixture_types import Sessions


async def roundtrip(store: ObjectStore) -> None:
    key = "2026/11/fund-emergency-x-20261130-1/run-1.json.gz"
    with pytest.raises(ObjectMissing):
        await store.get(key)
    await store.put(key, b"\x1f\x8b first")
    await store.put(key, b"\x1f\x8b same key again")  # archiving a run twice writes its bytes again
    assert await store.get(key) == b"\x1f\x8b same key again"


async def test_the_database_store(sessions: Sessions) -> None:
    await roundtrip(DatabaseStore(sessions))


async def test_the_directory_store_writes_whole_files_only_inside_its_root(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "archive")
    await roundtrip(store)
    assert [p.name for p in (tmp_path / "archive").rglob("*") if p.is_file()] == ["run-1.json.gz"]  # no partial files left
    with pytest.raises(ValueError):
        await store.put("../outside.json.gz", b"x")


async def test_an_s3_compatible_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    moto = pytest.importorskip("moto")
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_DEFAULT_REGION", "cn-north-1")):
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        boto3.client("s3", region_name="cn-north-1").create_bucket(
            Bucket="wuyeflow-archive", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"},
        )
        store = make_object_store(Settings(archive_store="s3", archive_s3_bucket="wuyeflow-archive", archive_s3_region="cn-north-1"), None)  # type: ignore[arg-type]
        assert isinstance(store, S3Store)
        await roundtrip(store)
        listed = boto3.client("s3", region_name="cn-north-1").list_objects_v2(Bucket="wuyeflow-archive")["Contents"]
        assert [o["Key"] for o in listed] == ["wuyeflow/histories/2026/11/fund-emergency-x-20261130-1/run-1.json.gz"]


def test_the_settings_refuse_an_s3_store_without_a_bucket_and_a_sweep_slower_than_retention() -> None:
    with pytest.raises(ValueError, match="ARCHIVE_S3_BUCKET"):
        Settings(archive_store="s3")
    with pytest.raises(ValueError, match="SWEEP_MINUTES"):
        Settings(temporal_retention_days=1, archive_sweep_minutes=24 * 60)
