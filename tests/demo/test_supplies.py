"""The demo gives every organisation a catalogue, stock in each branch, three months of movements, requests in
every state and an order on its way; loading it twice adds nothing, and on-hand stock is the sum of movements."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from stdnum.pl import nip

from frontoffice.core.demo import load_demo
from frontoffice.core.models import OutboundMessage
from frontoffice.supplies.choices import MovementKind, OrderStatus, RequestStatus
from frontoffice.supplies.models import (
    ApprovalStep,
    Item,
    PurchaseOrder,
    PurchaseRequest,
    ReceiptLine,
    StockLevel,
    StockMovement,
    StorageLocation,
    Supplier,
)


def _counts():
    return tuple(
        model.objects.count()
        for model in (Supplier, Item, StorageLocation, StockLevel, StockMovement, PurchaseOrder, PurchaseRequest)
    )


def test_the_demo_fills_every_organisation_once_with_a_catalogue_and_three_months_of_stock(demo, db):
    organisations = demo
    counts = _counts()
    load_demo()  # idempotent
    assert _counts() == counts
    now = timezone.now()
    # on-hand stock is the sum of the movements, everywhere, and never below zero
    quantity = DecimalField(max_digits=16, decimal_places=3)
    levels = StockLevel.objects.annotate(
        booked=Coalesce(Sum("movements__quantity"), Value(Decimal(0)), output_field=quantity)
    )
    assert not levels.exclude(on_hand=F("booked")).exists()
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    for organisation in organisations:
        suppliers = Supplier.objects.filter(organisation=organisation)
        assert 3 <= suppliers.count() <= 4
        assert all(nip.is_valid(number) for number in suppliers.values_list("nip", flat=True))
        assert 15 <= Item.objects.filter(organisation=organisation).count() <= 25
        locations = StorageLocation.objects.filter(branch__organisation=organisation)
        assert set(locations.values_list("branch", flat=True)) == set(
            organisation.branches.values_list("pk", flat=True)
        )
        assert not locations.filter(owner__isnull=True).exists()
        assert ApprovalStep.objects.filter(organisation=organisation).count() == 3
        own = StockLevel.objects.filter(location__branch__organisation=organisation)
        assert own.filter(on_hand__lte=F("reorder_point"), target_level__gt=0).count() >= 3
        # three months of movements of every kind the reports read
        movements = StockMovement.objects.filter(branch__organisation=organisation)
        assert movements.filter(created_at__lt=now - timedelta(days=80)).exists()
        assert not movements.filter(created_at__lt=now - timedelta(days=95)).exists()
        assert {MovementKind.RECEIVED, MovementKind.CONSUMED, MovementKind.ADJUSTED, MovementKind.WRITTEN_OFF} <= set(
            movements.values_list("kind", flat=True).distinct()
        )
        consumed = movements.filter(kind=MovementKind.CONSUMED)
        assert consumed.values("department").distinct().count() >= 3
        corrections = movements.filter(kind__in=[MovementKind.ADJUSTED, MovementKind.WRITTEN_OFF])
        assert corrections.values("actor").distinct().count() >= 2
        assert not corrections.filter(reason="").exists()
        # deliveries carry the money the spend report reads, across the months
        delivered = ReceiptLine.objects.filter(receipt__order__branch__organisation=organisation)
        months = delivered.dates("receipt__received_at", "month")
        assert len(months) >= 3
        assert delivered.filter(price_differs=True).exists()
        # requests in every state, one order sent (by e-mail) and partly received
        statuses = set(
            PurchaseRequest.objects.filter(branch__organisation=organisation).values_list("status", flat=True)
        )
        assert statuses == {
            RequestStatus.SUBMITTED,
            RequestStatus.APPROVED,
            RequestStatus.REJECTED,
            RequestStatus.ORDERED,
            RequestStatus.CANCELLED,
        }
        partly = PurchaseOrder.objects.get(branch__organisation=organisation, status=OrderStatus.PARTLY_RECEIVED)
        assert OutboundMessage.objects.filter(pk=partly.message_id, recipient=partly.supplier.order_email).exists()
        history = PurchaseOrder.objects.filter(branch__organisation=organisation, status=OrderStatus.RECEIVED)
        assert history.annotate(n=Count("receipts")).filter(Q(n=0)).count() == 0
        assert history.filter(created_at__lt=now - timedelta(days=60)).exists()
