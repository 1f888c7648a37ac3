"""Who this process is, in terms another worker on the same machine can check."""

import os
import socket
from pathlib import Path


def host() -> str:
    return socket.gethostname()[:255]


def machine() -> str:
    """The boot and the process namespace this process runs in, or "" where the operating
    system does not say (then pids are never compared, and only heartbeats count)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return f"{boot}/{namespace}"[:128]


def started(pid: int) -> str | None:
    """When process `pid` started, in the kernel's clock ticks since boot; None if there is no
    such process (or it cannot be told)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; start time is field 22.
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19] if len(fields) > 19 else None


def is_running(pid: int, process_started: str) -> bool:
    """Whether `pid`, on this machine, is still the process that started at `process_started`."""
    return started(pid) == process_started
