"""Procurement pages, one module per concept: `tenders` (tenders and bids), `contracts` (contracts
and compliance breaches), `plans` (year inspection plans and planning jobs) and `money`
(milestones, payments, cost-effectiveness, 以奖代补 awards); `common` holds what they share.

Every list starts from `visible_to(user)` and the FilterSet the API and exports share; every
detail goes through `get_visible_or_404`; writes go through procurement.services only."""
