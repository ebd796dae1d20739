"""The one place a Temporal client is built, for the API, the worker, tools and tests."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig

from core.settings import Settings


# Workflow and activity payloads are our pydantic models; every client uses this converter.
DATA_CONVERTER = pydantic_data_converter


def tls_config(settings: Settings) -> TLSConfig | bool:
    """Mutual TLS to the frontend when a client certificate is configured (production); plain otherwise.

    The compose file's Temporal requires a client certificate signed by the stack's CA, so only
    our API and workers (and the operators' tools that hold one) connect (deploy/README.md).
    """
    if not settings.temporal_tls_cert:
        return False
    if not (settings.temporal_tls_key and settings.temporal_tls_ca):
        raise ValueError("WUYEFLOW_TEMPORAL_TLS_CERT needs WUYEFLOW_TEMPORAL_TLS_KEY and WUYEFLOW_TEMPORAL_TLS_CA")
    return TLSConfig(
        server_root_ca_cert=Path(settings.temporal_tls_ca).read_bytes(),
        client_cert=Path(settings.temporal_tls_cert).read_bytes(),
        client_private_key=Path(settings.temporal_tls_key).read_bytes(),
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings) -> Client:
    """Connect with the pydantic data converter, so workflow payloads are our pydantic models."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
        tls=tls_config(settings),
    )
