"""Platform administration: tenants of the installation, and a summary of one tenant whose every
view is audited under that tenant (`admin.tenant_view`)."""
