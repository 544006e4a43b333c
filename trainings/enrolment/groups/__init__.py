"""Groups within a training (gatherings): models, services, rules (docs/gatherings.md)."""
