"""Who may see which catalogue entry: the one access helper of the public pages.

A citizen sees published and cancelled offers (a cancelled one with a clear
notice, so a saved link still explains itself); drafts and archived offers do
not exist for the public. Institutions are all public: a closed one stays
visible with its closing date, because people still look for it.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from lernstadt.catalog.models import Offer, Provider
from lernstadt.catalog.taxonomy import OfferStatus

PUBLIC_OFFER_STATUSES = (OfferStatus.PUBLISHED, OfferStatus.CANCELLED)


def public_offers() -> QuerySet[Offer]:
    """Offers a citizen may see."""
    return Offer.objects.filter(status__in=PUBLIC_OFFER_STATUSES)


def public_offer(pk: int) -> Offer:
    """The offer with ``pk`` if a citizen may see it; otherwise Http404."""
    offers = public_offers().select_related("provider", "place")
    return get_object_or_404(offers, pk=pk)


def public_provider(pk: int) -> Provider:
    """The institution with ``pk``; Http404 if there is none."""
    return get_object_or_404(Provider, pk=pk)
