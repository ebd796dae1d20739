"""The one place a Temporal client is built, for the API, the worker, tools and tests."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from core.settings import Settings


# Workflow and activity payloads are our pydantic models; every client uses this converter.
DATA_CONVERTER = pydantic_data_converter


async def connect(settings: Settings) -> Client:
    """Connect with the pydantic data converter, so workflow payloads are our pydantic models."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
    )
