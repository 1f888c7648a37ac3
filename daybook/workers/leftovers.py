"""What a job's dead run may have left in storage: a file it stored and never recorded."""

from django.core.files.storage import default_storage


def remove_unrecorded(folder: str, prefix: str, recorded: str) -> None:
    """Delete the files in `folder` whose names start with the job's `prefix` (its uid, or a
    name storage derived from it), except the one its row names (`recorded`, which may be
    empty): a run that stored its file and died before recording it."""
    try:
        names = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(prefix) and f"{folder}/{name}" != recorded:
            default_storage.delete(f"{folder}/{name}")
