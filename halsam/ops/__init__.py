"""Operations: backups, restores and their check (docs/operations.md, issue 12 §9)."""
