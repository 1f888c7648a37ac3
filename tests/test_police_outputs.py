"""What police outputs say: the suspects with their identifiers, the orders with every breach
and the condition it broke, and behaviours named in the third person."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from daybook.cases.models import OrderBreach, ProtectiveOrder
from daybook.cases.services import case_open
from daybook.casework.sections import SECTIONS
from daybook.casework.services import casework_save, order_breach_record, perpetrator_add
from daybook.incidents import services as log
from daybook.incidents.behaviours import BEHAVIOURS
from daybook.reports.chronology import DISCLOSABLE, NOT_STATED, ORDER_NOT_NAMED, POLICE, build
from tests.conftest import Personas, entry_values

CONDITIONS = [
    "Not to contact Alex Doe directly or indirectly",
    "Not to go within 100 metres of 4 Elm Road",
    "Not to post anything about Alex Doe online",
]


def record_order(case, personas: Personas, **values) -> ProtectiveOrder:
    order = casework_save(
        case=case,
        section=SECTIONS["orders"],
        author=personas.advocate,
        values={
            "kind": "interim_spo",
            "status": "interim",
            "court": "Northshire Magistrates' Court",
            "made_on": dt.date(2026, 9, 1),
            "expires_on": dt.date(2027, 3, 1),
            "terms": "\n".join(CONDITIONS) + "\n",
            "breaches": [],
            **values,
        },
    )
    assert isinstance(order, ProtectiveOrder)
    return order


def record(case, personas: Personas, **values):
    return log.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values(**values)
    )


def test_every_behaviour_has_a_neutral_label_in_the_third_person() -> None:
    for code, behaviour in BEHAVIOURS.items():
        assert behaviour.neutral, f"{code} has no neutral label"
        assert behaviour.neutral_label == behaviour.neutral
        words = re.findall(r"[a-z']+", behaviour.neutral.lower())
        assert not {"me", "my", "i", "mine", "myself"} & set(words), code
    assert BEHAVIOURS["following"].neutral == "Following"
    assert BEHAVIOURS["following"].label == "Following me"  # the person's pages keep theirs


def test_chronology_rows_name_behaviours_neutrally_and_keep_the_persons_own_words(
    case, personas: Personas
) -> None:
    record(case, personas, behaviours=["following", "turning_up", "contacting"])
    for profile in (POLICE, DISCLOSABLE):
        (row,) = build(case, profile=profile, produced_by=personas.advocate).rows
        assert sorted(row.behaviours) == [
            "Contacting repeatedly (calls, messages, e-mails)",
            "Following",
            "Turning up at home, work or school",
        ]
        assert row.content["what_happened"] == entry_values()["what_happened"]


def test_the_suspect_is_named_with_every_identifier_in_both_profiles(
    case, personas: Personas
) -> None:
    perpetrator_add(
        case=case,
        actor=personas.advocate,
        identifiers={
            "names": ["Sam Ex", "Samuel Ex"],
            "aliases": ["Sammy"],
            "phones": ["07700 900123"],
            "emails": ["sam@example.net"],
            "handles": ["Instagram: @sam.ex", "a handle with no platform"],
            "vehicles": ["AB12 CDE"],
            "addresses": ["1 High Street, Northtown"],
            "date_of_birth": "1990-04-05",
        },
    )
    perpetrator_add(case=case, actor=personas.advocate, identifiers={"names": []})
    for profile in (POLICE, DISCLOSABLE):
        first, unnamed = build(case, profile=profile, produced_by=personas.advocate).suspects
        assert first.name == "Sam Ex"
        assert first.identifiers == [
            ("Also known as", "Samuel Ex"),
            ("Also known as", "Sammy"),
            ("Phone", "07700 900123"),
            ("E-mail", "sam@example.net"),
            ("Instagram", "@sam.ex"),
            ("Social media", "a handle with no platform"),
            ("Vehicle", "AB12 CDE"),
        ]
        assert first.details == "Date of birth: 05 April 1990\nAddress: 1 High Street, Northtown"
        assert (unnamed.name, unnamed.identifiers) == ("Name not known", [])


def test_an_order_lists_its_court_dates_conditions_and_each_breach_with_its_condition(
    case, personas: Personas
) -> None:
    first = record(case, personas, occurred_on="2026-10-02", behaviours=["turning_up"])
    second = record(
        case,
        personas,
        occurred_on="2026-10-05",
        occurred_time="08:15",
        behaviours=["contacting", "order_breach"],
    )
    order = record_order(case, personas)
    # Linked from the order's form: the condition is not said there.
    casework_save(
        case=case,
        section=SECTIONS["orders"],
        author=personas.advocate,
        record=order,
        values={
            "kind": "interim_spo",
            "status": "interim",
            "court": "Northshire Magistrates' Court",
            "made_on": dt.date(2026, 9, 1),
            "expires_on": dt.date(2027, 3, 1),
            "terms": "\n".join(CONDITIONS),
            "breaches": [first],
        },
    )
    order_breach_record(order=order, entry=second, condition=0, actor=personas.advocate)
    order_breach_record(order=order, entry=second, condition=2, actor=personas.advocate)
    # Naming the condition later replaces the "not stated" link.
    order_breach_record(order=order, entry=first, condition=1, actor=personas.advocate)

    built = build(case, profile=POLICE, produced_by=personas.advocate)
    (listed,) = built.orders
    assert (listed.kind, listed.status, listed.court) == (
        "Interim Stalking Protection Order",
        "Interim order in place",
        "Northshire Magistrates' Court",
    )
    assert (listed.made_on, listed.expires_on) == (dt.date(2026, 9, 1), dt.date(2027, 3, 1))
    assert listed.conditions == CONDITIONS
    assert [(b.number, b.when, b.condition) for b in listed.breaches] == [
        (1, "Fri 02 Oct 2026 21:30", CONDITIONS[1]),
        (2, "Mon 05 Oct 2026 08:15", CONDITIONS[0]),
        (2, "Mon 05 Oct 2026 08:15", CONDITIONS[2]),
    ]
    # Counted as breaches of the named order, never as "Other".
    assert built.summary["breaches"] == [
        ("Interim Stalking Protection Order (interim order in place)", 2)
    ]
    assert built.summary["other"] == []


def test_a_breach_not_linked_to_an_order_is_counted_as_one_without_being_other(
    case, personas: Personas
) -> None:
    record(case, personas, behaviours=["order_breach"])
    summary = build(case, profile=POLICE, produced_by=personas.advocate).summary
    assert summary["breaches"] == [(ORDER_NOT_NAMED, 1)]
    assert summary["other"] == []


def test_a_chronology_of_what_was_shared_names_no_breach_outside_it(
    case, personas: Personas
) -> None:
    shared = record(case, personas, occurred_on="2026-10-02")
    unshared = record(case, personas, occurred_on="2026-10-03")
    order = record_order(case, personas)
    order_breach_record(order=order, entry=shared, condition=None, actor=personas.advocate)
    order_breach_record(order=order, entry=unshared, condition=0, actor=personas.advocate)
    narrowed = build(case, profile=POLICE, produced_by=personas.advocate, entry_ids={shared.pk})
    assert [(b.number, b.condition) for b in narrowed.orders[0].breaches] == [(1, NOT_STATED)]
    whole = build(case, profile=POLICE, produced_by=personas.advocate)
    assert [b.number for b in whole.orders[0].breaches] == [1, 2]


def test_a_breach_must_be_an_entry_of_the_same_log_and_a_condition_of_the_order(
    case, personas: Personas
) -> None:
    order = record_order(case, personas)
    entry = record(case, personas)
    with pytest.raises(ValueError, match="one of the order's conditions"):
        order_breach_record(order=order, entry=entry, condition=3, actor=personas.advocate)
    other_log = case_open(created_by=personas.outsider, owner=personas.outsider)
    elsewhere = log.entry_record(
        case=other_log, author=personas.outsider, how="victim", values=entry_values()
    )
    with pytest.raises(ValueError, match="entry of this log"):
        order_breach_record(order=order, entry=elsewhere, condition=0, actor=personas.advocate)
    log.entry_withdraw(entry=entry, author=personas.victim, how="victim", reason="Duplicate")
    entry.refresh_from_db()
    with pytest.raises(ValueError, match="not withdrawn"):
        order_breach_record(order=order, entry=entry, condition=0, actor=personas.advocate)
    assert not OrderBreach.objects.exists()


def test_a_self_held_log_names_the_person_by_their_account_name(personas: Personas) -> None:
    own = case_open(created_by=personas.victim, owner=personas.victim)
    personas.victim.name = ""
    personas.victim.save()
    own.refresh_from_db()
    assert build(own, profile=POLICE, produced_by=personas.victim).subject == "Not given"
    personas.victim.name = "Alex Doe"
    personas.victim.save()
    own.refresh_from_db()
    assert build(own, profile=POLICE, produced_by=personas.victim).subject == "Alex Doe"


def test_the_breaches_page_records_a_breach_against_a_condition_and_refuses_kindly(
    case, personas: Personas
) -> None:
    order = record_order(case, personas)
    entry = record(case, personas)
    advocate = Client()
    advocate.force_login(personas.advocate)
    url = reverse("cases:order_breaches", args=[case.pk, order.pk])
    page = advocate.get(url).content.decode()
    assert CONDITIONS[1] in page and "Not stated, or not one of these" in page
    refused = advocate.post(url, {}).content.decode()
    assert "Choose the entry that breached the order" in refused
    assert "Choose the condition, or say it is not stated" in refused
    assert advocate.post(url, {"entry": entry.pk, "condition": "1"}).status_code == 302
    assert list(OrderBreach.objects.values_list("entry", "condition")) == [(entry.pk, 1)]
    assert CONDITIONS[1] in advocate.get(url).content.decode()
    # Another case's order is not found through this case.
    other_log = case_open(created_by=personas.advocate, service=personas.service)
    assert (
        advocate.get(reverse("cases:order_breaches", args=[other_log.pk, order.pk])).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_breaches_recorded_before_conditions_existed_are_kept_as_not_stated(
    personas: Personas,
) -> None:
    case = case_open(created_by=personas.victim, owner=personas.victim, service=personas.service)
    entry = record(case, personas)
    order = record_order(case, personas)
    order_breach_record(order=order, entry=entry, condition=2, actor=personas.advocate)
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0006_seal_free_text")])
    executor.loader.build_graph()
    # Forward to every app's last migration: going back in cases also took back the migrations
    # of other apps that depend on its later ones.
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(OrderBreach.objects.values_list("protectiveorder", "entry", "condition")) == [
        (order.pk, entry.pk, None)
    ]


def change_conditions(case, personas: Personas, order: ProtectiveOrder, conditions: list[str]):
    casework_save(
        case=case,
        section=SECTIONS["orders"],
        author=personas.advocate,
        record=order,
        values={
            "kind": order.kind,
            "status": order.status,
            "terms": "\n".join(conditions),
            "breaches": list(order.breaches.distinct()),
        },
    )
    return [
        (b.number, b.condition)
        for b in build(case, profile=POLICE, produced_by=personas.advocate).orders[0].breaches
    ]


def test_a_breach_keeps_its_condition_when_the_orders_conditions_are_changed(
    case, personas: Personas
) -> None:
    entry = record(case, personas)
    order = record_order(case, personas)
    order_breach_record(order=order, entry=entry, condition=1, actor=personas.advocate)
    # Moved: the breach follows the condition's words.
    reordered = [CONDITIONS[1], CONDITIONS[2], CONDITIONS[0]]
    assert change_conditions(case, personas, order, reordered) == [(1, CONDITIONS[1])]
    # Reworded where it stood: it keeps its place.
    reworded = ["Not to go within 200 metres of 4 Elm Road", CONDITIONS[2], CONDITIONS[0]]
    assert change_conditions(case, personas, order, reworded) == [(1, reworded[0])]
    # Gone, and the others moved up: it no longer names any condition, never the wrong one.
    assert change_conditions(case, personas, order, [CONDITIONS[2], CONDITIONS[0]]) == [
        (1, NOT_STATED)
    ]


def test_the_police_chronology_pdf_names_the_suspect_the_order_and_the_breached_condition(
    case, personas: Personas
) -> None:
    from daybook.reports.pdf import chronology_pdf
    from daybook.reports.services import sign_chronology
    from tests.test_statement import pdf_text

    perpetrator_add(
        case=case,
        actor=personas.advocate,
        identifiers={"names": ["Sam Ex"], "phones": ["07700 900123"], "vehicles": ["AB12 CDE"]},
    )
    entry = record(case, personas, behaviours=["following", "order_breach"])
    order = record_order(case, personas)
    order_breach_record(order=order, entry=entry, condition=1, actor=personas.advocate)
    built = build(case, profile=POLICE, produced_by=personas.advocate)
    sign_chronology(built, actor=personas.advocate, purpose="report")
    text = pdf_text(chronology_pdf(built))
    for expected in (
        "Sam Ex",
        "07700 900123",
        "AB12 CDE",
        "Interim Stalking Protection Order",
        "Northshire Magistrates' Court",
        CONDITIONS[1],
        "Following",
        # The course of conduct counts it as a breach of the order it broke.
        "Breaches of court orders and bail conditions "
        "Interim Stalking Protection Order (interim order in place): 1",
    ):
        assert expected in text, expected
    assert "Following me" not in text and "Other: 1" not in text
