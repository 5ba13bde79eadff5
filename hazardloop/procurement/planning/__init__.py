"""Year inspection planning for one service contract: dataclasses in, a checked plan out.

model (problem and plan), solver (CP-SAT, three stages), checker (independent), greedy
(baseline), diagnostics (why not, in Chinese), adapter (the only ORM reader)."""
