"""Keep the search index in step with offers, institutions and places."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from lernstadt.catalog import search
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider


@receiver(post_save, sender=Offer)
def offer_saved(sender: type[Offer], instance: Offer, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        search.index_offer(instance)


@receiver(post_save, sender=OfferDate)
def date_saved(
    sender: type[OfferDate], instance: OfferDate, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        search.index_offer(instance.offer)


@receiver(post_save, sender=Provider)
def provider_saved(
    sender: type[Provider], instance: Provider, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    search.index_provider(instance)
    for offer in instance.offers.all():
        search.index_offer(offer)


@receiver(post_save, sender=Place)
def place_saved(sender: type[Place], instance: Place, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if instance.provider is not None:
        search.index_provider(instance.provider)
    for offer in instance.offers.select_related("provider"):
        search.index_offer(offer)
