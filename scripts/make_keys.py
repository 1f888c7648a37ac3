"""Create the local secret key, master encryption key, identifier-matching key and signing
key once; never overwrite them.

Losing the master key makes every encrypted record unreadable, so an existing file is
always kept. Both files are ignored by git.
"""

import base64
import os
import secrets
import sys
from pathlib import Path


def write_once(path: Path, content: str) -> None:
    if path.exists():
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(content + "\n")
    print(f"Created {path}")


def main(directory: str) -> None:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    write_once(folder / "secret_key", secrets.token_urlsafe(50))
    write_once(folder / "master_key", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    # Matching perpetrators' identifiers across cases uses a key of its own (HMAC).
    write_once(
        folder / "identifier_key", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )
    # The service signs checkpoints of logs with an Ed25519 key: 32 random bytes are its seed.
    write_once(folder / "signing_key", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var")
