"""Read-only open-data JSON API (`/t/<slug>/api/v1/…`) and `/healthz`."""
