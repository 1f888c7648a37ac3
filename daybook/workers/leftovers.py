"""What a job's dead run may have left in storage: a file it stored and never recorded."""

from django.core.files.storage import default_storage


def remove_unrecorded(folder: str, prefix: str, recorded: str | set[str]) -> None:
    """Delete the files in `folder` whose names start with the job's `prefix` (its uid, or a
    name storage derived from it), except those its rows name (`recorded`: one name, which
    may be empty, or a set): a run that stored its files and died before recording them.

    Listed, not tested with exists(): object storage has no folders, only names that share a
    prefix, and lists nothing for a prefix no name has."""
    kept = {recorded} if isinstance(recorded, str) else recorded
    try:
        names = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(prefix) and f"{folder}/{name}" not in kept:
            default_storage.delete(f"{folder}/{name}")
