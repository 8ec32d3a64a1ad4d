"""Charges, payments, refunds with the approval ladder, receipts and invoices, the fiscal printer and the
cash drawer of a clerk's session (issue 4, items 6 and 7). See docs/desk-money.md."""
