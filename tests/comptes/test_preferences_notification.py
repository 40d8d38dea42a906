"""Notification preferences: informative notices follow them; notices a rule requires don't."""

import datetime

import pytest
from django.urls import reverse

from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Canal, Notification, PreferencesNotification, Role
from comptes.notifications import notifier

pytestmark = pytest.mark.django_db


def test_turning_informative_email_off_really_stops_it(membre, client_de, mailoutbox):
    membership = membre(Role.REFERENT)
    client = client_de(membership)
    response = client.post(reverse("comptes:preferences_notification"), {"in_app_informatif": "on"}, follow=True)
    assert "préférences de notification sont enregistrées" in response.content.decode()
    notifier([membership.user], cle="info:1", sujet="Info", corps="Informatif", obligatoire=False)
    assert list(Notification.objects.values_list("canal", flat=True)) == [Canal.IN_APP]
    assert envoyer_emails_en_attente() == 0 and mailoutbox == []


def test_a_notice_required_by_a_rule_cannot_be_turned_off(membre, mailoutbox):
    membership = membre(Role.REFERENT)
    PreferencesNotification.objects.create(user=membership.user, email_informatif=False, in_app_informatif=False)
    notifier([membership.user], cle="breach:1", sujet="Dépassement", corps="MOV-03", obligatoire=True)
    assert set(Notification.objects.values_list("canal", flat=True)) == {Canal.IN_APP, Canal.EMAIL}
    assert envoyer_emails_en_attente() == 1 and mailoutbox[0].subject == "Dépassement"


def test_same_key_is_written_once(membre):
    membership = membre(Role.REFERENT)
    for _ in range(3):
        notifier([membership.user], cle="ldc:1:transmise", sujet="LdC", corps="x")
    assert Notification.objects.count() == 2


def test_daily_digest_groups_informative_emails_at_seven(membre, mailoutbox, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.UTC), tick=False)
    membership = membre(Role.REFERENT)
    PreferencesNotification.objects.create(user=membership.user, recapitulatif_quotidien=True)
    notifier([membership.user], cle="info:1", sujet="Premier avis", corps="a", obligatoire=False)
    notifier([membership.user], cle="info:2", sujet="Second avis", corps="b", obligatoire=False)
    assert envoyer_emails_en_attente() == 0  # held until the digest
    time_machine.move_to(datetime.datetime(2026, 11, 24, 6, 1, tzinfo=datetime.UTC), tick=False)  # 07:01 Paris
    assert envoyer_emails_en_attente() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "Récapitulatif quotidien : 2 avis"
    assert "Premier avis" in mailoutbox[0].body and "Second avis" in mailoutbox[0].body
    assert not Notification.objects.filter(canal=Canal.EMAIL, envoyee_le__isnull=True).exists()
