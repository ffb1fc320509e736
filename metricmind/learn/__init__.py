"""Learning: the agent memory, the decision policy (contextual bandit), the simulator. See docs/learn.md."""
