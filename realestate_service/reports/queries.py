"""The reports' SQL: every query is scoped to one organization (`:tenant`)."""

from __future__ import annotations

# As the books stood at the end of `:as_of`: charges posted by then, allocations booked by
# then, payments received and not reversed by then.
OPEN_CHARGES = """
SELECT c.lease_id, c.id, c.kind, c.due_on, c.amount - coalesce(a.paid, 0) AS open
FROM charges c
LEFT JOIN (SELECT charge_id, sum(amount) AS paid FROM allocations
           WHERE tenant_id = :tenant AND booked_on <= :as_of
           GROUP BY charge_id) a ON a.charge_id = c.id
WHERE c.tenant_id = :tenant AND c.posted_on <= :as_of AND c.amount - coalesce(a.paid, 0) > 0
"""
CREDITS = """
SELECT p.lease_id, sum(p.amount - coalesce(a.used, 0)) AS credit
FROM payments p
LEFT JOIN (SELECT payment_id, sum(amount) AS used FROM allocations
           WHERE tenant_id = :tenant AND payment_id IS NOT NULL AND booked_on <= :as_of
           GROUP BY payment_id) a
       ON a.payment_id = p.id
WHERE p.tenant_id = :tenant AND p.received_on <= :as_of
  AND NOT EXISTS (SELECT 1 FROM payment_reversals r
                  WHERE r.payment_id = p.id AND r.reversed_on <= :as_of)
GROUP BY p.lease_id
HAVING sum(p.amount - coalesce(a.used, 0)) > 0
"""
LEASES = """
SELECT l.id, l.status, l.start_on, l.end_on, l.moved_out_on, l.deposit_amount,
       u.id AS unit_id, u.label, b.id AS building_id, b.name AS building, r.name AS renter
FROM leases l JOIN units u ON u.id = l.unit_id JOIN buildings b ON b.id = u.building_id
JOIN renters r ON r.id = l.renter_id
WHERE l.tenant_id = :tenant
"""
UNITS = """
SELECT u.id AS unit_id, u.label, b.id AS building_id, b.name AS building, u.market_rent
FROM units u JOIN buildings b ON b.id = u.building_id
WHERE u.tenant_id = :tenant ORDER BY b.name, u.label
"""
STEPS = "SELECT lease_id, effective_on, amount FROM rent_steps WHERE tenant_id = :tenant"
DEPOSITS_HELD = """
SELECT lease_id, sum(CASE WHEN kind = 'received' THEN amount ELSE -amount END) AS held
FROM deposit_entries WHERE tenant_id = :tenant GROUP BY lease_id
"""
CASH_IN = """
SELECT p.received_on AS on, p.amount, l.unit_id, u.building_id, p.method
FROM payments p JOIN leases l ON l.id = p.lease_id JOIN units u ON u.id = l.unit_id
WHERE p.tenant_id = :tenant AND p.received_on BETWEEN :first AND :last
"""
CASH_REVERSED = """
SELECT r.reversed_on AS on, r.amount, u.building_id
FROM payment_reversals r JOIN leases l ON l.id = r.lease_id JOIN units u ON u.id = l.unit_id
WHERE r.tenant_id = :tenant AND r.reversed_on BETWEEN :first AND :last
"""
FORFEITED = """
SELECT d.entered_on AS on, d.amount, u.building_id
FROM deposit_entries d JOIN leases l ON l.id = d.lease_id JOIN units u ON u.id = l.unit_id
WHERE d.tenant_id = :tenant AND d.kind = 'forfeited' AND d.entered_on BETWEEN :first AND :last
"""
CHARGED = """
SELECT c.due_on AS on, c.amount, u.building_id, c.kind
FROM charges c JOIN leases l ON l.id = c.lease_id JOIN units u ON u.id = l.unit_id
WHERE c.tenant_id = :tenant AND c.due_on BETWEEN :first AND :last
"""
ADJUSTED = """
SELECT a.adjusted_on AS on, a.amount, u.building_id, a.kind
FROM adjustments a JOIN leases l ON l.id = a.lease_id JOIN units u ON u.id = l.unit_id
WHERE a.tenant_id = :tenant AND a.adjusted_on BETWEEN :first AND :last
"""
EXPENSES = """
SELECT e.id, e.paid_on AS on, e.amount, e.building_id, e.schedule_e_line, e.vendor, e.memo
FROM expenses e
WHERE e.tenant_id = :tenant AND e.paid_on BETWEEN :first AND :last
ORDER BY e.paid_on
"""
BUILDINGS = "SELECT id, name, address FROM buildings WHERE tenant_id = :tenant ORDER BY name"
CHARGES_OF_YEAR = """
SELECT c.id, c.lease_id, c.kind, c.period, c.amount, c.due_on, c.posted_on, c.memo
FROM charges c WHERE c.tenant_id = :tenant AND c.due_on BETWEEN :first AND :last
ORDER BY c.due_on, c.seq
"""
PAYMENTS_OF_YEAR = """
SELECT p.id, p.lease_id, p.amount, p.received_on, p.method, p.reference,
       r.kind AS reversed_as, r.reversed_on
FROM payments p LEFT JOIN payment_reversals r ON r.payment_id = p.id
WHERE p.tenant_id = :tenant AND p.received_on BETWEEN :first AND :last
ORDER BY p.received_on, p.seq
"""

UNITS_PER_BUILDING = (
    "SELECT building_id, count(*) AS n FROM units WHERE tenant_id = :tenant GROUP BY building_id"
)
OWED_PER_BUILDING = f"""
SELECT u.building_id, sum(o.open) AS owed
FROM ({OPEN_CHARGES}) o JOIN leases l ON l.id = o.lease_id JOIN units u ON u.id = l.unit_id
GROUP BY u.building_id
"""
HELD_PER_BUILDING = f"""
SELECT u.building_id, sum(d.held) AS held
FROM ({DEPOSITS_HELD}) d JOIN leases l ON l.id = d.lease_id JOIN units u ON u.id = l.unit_id
GROUP BY u.building_id
"""
