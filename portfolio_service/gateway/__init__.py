"""The public door: `/api/v1/<service>/<path>` forwarded to `/v1/<path>` on that service."""
