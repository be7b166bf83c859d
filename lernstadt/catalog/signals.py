"""Keep the search index in step with offers, institutions and places."""

from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lernstadt.catalog import query, search
from lernstadt.catalog.models import Offer, OfferDate, Place, Provider, Synonym


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


def _deleted_itself(origin: object, model: type[Model]) -> bool:
    """True when the deletion started at ``model`` itself, not in a cascade from its owner.

    In a cascade the owner is about to go too: refreshing its entry then would
    write index rows that point at a row being deleted.
    """
    if isinstance(origin, QuerySet):
        return origin.model is model
    return isinstance(origin, model)


@receiver(post_delete, sender=OfferDate)
def date_deleted(sender: type[OfferDate], instance: OfferDate, **kwargs: Any) -> None:
    if _deleted_itself(kwargs.get("origin"), OfferDate):
        search.index_offer(instance.offer)


@receiver(post_delete, sender=Place)
def place_deleted(sender: type[Place], instance: Place, **kwargs: Any) -> None:
    if not _deleted_itself(kwargs.get("origin"), Place) or instance.provider is None:
        return
    search.index_provider(instance.provider)
    for offer in instance.provider.offers.select_related("provider"):
        search.index_offer(offer)


@receiver(post_save, sender=Synonym)
@receiver(post_delete, sender=Synonym)
def thesaurus_changed(sender: type[Synonym], **kwargs: Any) -> None:
    query.forget_thesaurus()
