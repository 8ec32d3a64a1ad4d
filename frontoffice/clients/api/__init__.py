"""The clients API (/api/v1/clients…): one router, assembled from one module per area."""

from ninja import Router

from . import duplicates, merge, privacy, records, search, transfer

router = Router(tags=["Clients"])
for _module in (records, search, duplicates, merge, transfer, privacy):
    router.add_router("", _module.router)
