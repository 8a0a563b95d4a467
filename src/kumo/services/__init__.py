"""One package per AWS service; each has a provider with one method per operation."""
