"""Applications (申込) by municipalities: up to N ranked menu choices and their issue (課題)."""
