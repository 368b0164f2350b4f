"""The site root (tenant list) and each tenant's home page with the role's task list."""
