"""A local S3-compatible server for the object storage tests, and the storage Daybook's settings
make for it.

The server is moto's standalone one, run as a process of its own on 127.0.0.1 and a free port:
the storage code talks real HTTP to something that answers as S3 does (signatures, multipart
uploads, ACLs, listings), and nothing reaches the internet. Each test gets a bucket of its own,
so what a test finds in its bucket is what it wrote.
"""

import importlib.util
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import boto3

REGION = "eu-west-2"
ACCESS_KEY_ID = "DAYBOOKTESTACCESSKEY"
SECRET_ACCESS_KEY = "daybook-test-secret-access-key"
START_SECONDS = 30
# The settings module's file, found without importing it (an import would configure Django).
SETTINGS_FILE = Path(str(importlib.util.find_spec("daybook.settings").origin))


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        """A client of the test's own, signed with the test keys (moto accepts any)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def iam(self) -> Any:
        return boto3.client(
            "iam",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def new_bucket(self) -> str:
        name = f"daybook-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object in the bucket, by name, read back through the S3 API."""
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", ()):
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                found[item["Key"]] = body.read()
        return found

    def anonymous_get(self, bucket: str, name: str) -> int:
        """The HTTP status of a plain GET of the object's address, as anyone on the network
        could send it: no signature, no credentials."""
        url = f"{self.endpoint_url}/{bucket}/{name}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local http URL built here)
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    """moto's server (`python -m moto.server`) for as long as the block runs."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(port):
            if process.poll() is not None:
                raise RuntimeError(f"moto's S3 server stopped at start ({process.returncode}).")
            if time.monotonic() > deadline:
                raise RuntimeError("moto's S3 server did not start in time.")
            time.sleep(0.1)
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def s3_environment(
    server: S3Server,
    bucket: str,
    folder: Path,
    *,
    access_key_id: str = ACCESS_KEY_ID,
    secret_access_key: str = SECRET_ACCESS_KEY,
) -> dict[str, str]:
    """What an operator sets to keep files in `bucket`: the keys are in files, as secrets are."""
    access, secret = folder / "s3_access_key_id", folder / "s3_secret_access_key"
    access.write_text(access_key_id + "\n", encoding="ascii")
    secret.write_text(secret_access_key + "\n", encoding="ascii")
    return {
        "DAYBOOK_STORAGE": "s3",
        "DAYBOOK_S3_BUCKET": bucket,
        "DAYBOOK_S3_ENDPOINT_URL": server.endpoint_url,
        "DAYBOOK_S3_REGION": REGION,
        "DAYBOOK_S3_ACCESS_KEY_ID_FILE": str(access),
        "DAYBOOK_S3_SECRET_ACCESS_KEY_FILE": str(secret),
    }


def settings_storages(environment: dict[str, str]) -> dict[str, Any]:
    """STORAGES as Daybook's settings module makes them in this environment: the module is run
    afresh, so the tests store through exactly what a deployment would configure."""
    names = [name for name in os.environ if name.startswith(("DAYBOOK_STORAGE", "DAYBOOK_S3_"))]
    with mock.patch.dict(os.environ, environment):
        for name in names:
            if name not in environment:
                del os.environ[name]
        storages: dict[str, Any] = runpy.run_path(str(SETTINGS_FILE))["STORAGES"]
    return storages


def store_in_a_new_bucket(settings: Any, server: S3Server, folder: Path) -> str:
    """Make Daybook store its files in a new bucket, through STORAGES as the settings module
    makes them for S3 (`settings` is pytest-django's fixture: changing STORAGES resets Django's
    storage handler and default_storage, and the test's end puts them back). Returns the
    bucket's name."""
    from django.core.files.storage import default_storage, storages

    name = server.new_bucket()
    configured = settings_storages(s3_environment(server, name, folder))
    settings.STORAGES = {**settings.STORAGES, "default": configured["default"]}
    assert type(storages["default"]).__name__ == "S3Storage"
    assert default_storage.bucket_name == name
    return name
