"""Functions: fork server, instance pools, invocation (comes with the functions issue)."""
