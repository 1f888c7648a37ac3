"""`manage.py worker`: django_tasks_db's `db_worker`, with a heartbeat, taking back the tasks
of workers that died. Run as many as the load needs, on one machine or several."""

import datetime as dt
import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from daybook.workers.runner import HEARTBEAT_SECONDS, STALE_SECONDS, HeartbeatWorker


class Command(db_worker.Command):
    help = "Run a background task worker that records its heartbeat"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat-seconds",
            type=db_worker.valid_interval,
            default=HEARTBEAT_SECONDS,
            help="How often the worker says it is alive (default: %(default)r)",
        )
        parser.add_argument(
            "--stale-seconds",
            type=db_worker.valid_interval,
            default=STALE_SECONDS,
            help="Silence after which a worker on another machine counts as dead "
            "(default: %(default)r)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        reload = options["reload"] and not options["batch"]
        worker = HeartbeatWorker(
            heartbeat_seconds=options["heartbeat_seconds"],
            stale_after=dt.timedelta(seconds=options["stale_seconds"]),
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
