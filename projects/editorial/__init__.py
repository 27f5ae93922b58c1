"""The investment team's side: the editorial admin, its comparisons and the imports."""
