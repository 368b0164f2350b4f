"""Platform administration: tenants of the installation (no tenant data)."""
