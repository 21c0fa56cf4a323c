"""IRS Schedule E (Form 1040), part I: the expense lines a rental property's costs go on."""

from __future__ import annotations

EXPENSE_LINES: dict[int, str] = {
    5: "Advertising",
    6: "Auto and travel",
    7: "Cleaning and maintenance",
    8: "Commissions",
    9: "Insurance",
    10: "Legal and other professional fees",
    11: "Management fees",
    12: "Mortgage interest paid to banks, etc.",
    13: "Other interest",
    14: "Repairs",
    15: "Supplies",
    16: "Taxes",
    17: "Utilities",
    18: "Depreciation expense or depletion",
    19: "Other",
}
RENTS_RECEIVED_LINE = 3
