"""Operations: backup and restore of the database (`flask backup`, `flask restore`) and the
personal-data retention command (`flask retention run`)."""
