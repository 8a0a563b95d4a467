"""Deployed HTTP and WebSocket APIs (comes with the API Gateway issue)."""
