from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """Casework: the pages and services advocates and managers work a case with — referrals,
    allocation, the record's sections, consultations and dashboards. Its tables are the `cases`
    app's models; this app holds the work done with them."""

    name = "daybook.casework"
    label = "casework"
