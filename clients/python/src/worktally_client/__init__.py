"""Client for the Worktally API (#18)."""
